package dev.portico.gateway.auth.jwt;

import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The JWS layer of checking a token (RFC 7515), before any claim is looked at: strict compact
 * syntax, the header against the algorithm allow-list and the critical-parameter rule, and the
 * signature against the candidate keys.
 *
 * <p>Stricter than Nimbus's own parser on purpose: exactly three segments of canonical, unpadded
 * base64url (RFC 7515 2, 3.1), so a token has one spelling and a cache key means one token; no
 * {@code crit} or {@code b64} header, since we implement no extension that would need them.
 */
final class JwsPolicy {
  /** Every algorithm this package can verify with public keys. */
  static final Set<JWSAlgorithm> PUBLIC_KEY_ALGORITHMS = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
      JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
      JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
  /** The algorithms Nimbus verifies with Tink (an optional dependency): Ed25519 keys. */
  static final Set<JWSAlgorithm> TINK_ALGORITHMS = Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
  /** Every algorithm this package can verify with a shared secret. */
  static final Set<JWSAlgorithm> HMAC_ALGORITHMS = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);

  private final Set<JWSAlgorithm> allowed;
  private final AtomicLong verifications;

  /**
   * @param allowed the algorithm allow-list; never {@code none}, never HS* together with public keys
   *     (the builder sees to both)
   * @param verifications counts every signature verification attempted
   */
  JwsPolicy(Set<JWSAlgorithm> allowed, AtomicLong verifications) {
    this.allowed = Set.copyOf(allowed);
    this.verifications = verifications;
  }

  /** Parses {@code token} and checks its syntax and header; the signature is not checked yet. */
  SignedJWT parse(String token) throws TokenRejected {
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (second < 0 || token.indexOf('.', second + 1) >= 0) {
      throw TokenRejected.invalidToken("The token is malformed: expected three dot-separated parts.");
    }
    if (!isCanonicalBase64Url(token, 0, first) || !isCanonicalBase64Url(token, first + 1, second)
        || !isCanonicalBase64Url(token, second + 1, token.length())) {
      throw TokenRejected.invalidToken("The token is malformed: a part is not base64url.");
    }
    Base64URL headerPart = new Base64URL(token.substring(0, first));
    Header header;
    try {
      header = Header.parse(headerPart);
    } catch (ParseException | RuntimeException e) {
      throw TokenRejected.invalidToken("The token is malformed: its header is not a JSON object with an algorithm.");
    }
    if (!(header instanceof JWSHeader jwsHeader) || !allowed.contains(jwsHeader.getAlgorithm())) {
      // Covers "none" (a PlainHeader), encrypted tokens (a JWEHeader), and algorithms not allowed.
      throw TokenRejected.invalidToken("The token's algorithm is not accepted.");
    }
    if (jwsHeader.getCriticalParams() != null || jwsHeader.getIncludedParams().contains("crit")
        || jwsHeader.getIncludedParams().contains("b64")) {
      throw TokenRejected.invalidToken("The token requires a header extension that is not supported.");
    }
    if (token.length() == second + 1) {
      throw TokenRejected.invalidToken("The token is malformed: its signature is empty.");
    }
    try {
      return new SignedJWT(headerPart, new Base64URL(token.substring(first + 1, second)),
          new Base64URL(token.substring(second + 1)));
    } catch (ParseException | RuntimeException e) {
      throw TokenRejected.invalidToken("The token is malformed.");
    }
  }

  /**
   * Verifies {@code jws}'s signature with the first of {@code keys}' candidates that accepts it, and
   * returns that key.
   */
  VerificationKey verify(JWSObject jws, KeySet keys) throws TokenRejected {
    List<VerificationKey> candidates = keys.candidates(jws.getHeader());
    if (candidates.isEmpty()) {
      throw TokenRejected.invalidToken("The token's signing key is unknown.");
    }
    byte[] signingInput = jws.getSigningInput();
    for (VerificationKey key : candidates) {
      verifications.incrementAndGet();
      try {
        if (key.verifier().verify(jws.getHeader(), signingInput, jws.getSignature())) {
          return key;
        }
      } catch (JOSEException | RuntimeException e) {
        // A signature of the wrong length or shape: just not a valid signature.
      }
    }
    throw TokenRejected.invalidToken("The token's signature is invalid.");
  }

  /**
   * Returns whether {@code s[from, to)} is base64url without padding in its one canonical spelling:
   * only the URL-safe alphabet, no length that leaves a lone character, no bits set past the data.
   */
  static boolean isCanonicalBase64Url(String s, int from, int to) {
    int length = to - from;
    if (length % 4 == 1) {
      return false;
    }
    int last = 0;
    for (int i = from; i < to; i++) {
      last = base64UrlValue(s.charAt(i));
      if (last < 0) {
        return false;
      }
    }
    return switch (length % 4) {
      case 2 -> (last & 0x0f) == 0;
      case 3 -> (last & 0x03) == 0;
      default -> true;
    };
  }

  private static int base64UrlValue(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '-' ? 62 : c == '_' ? 63 : -1;
  }
}
