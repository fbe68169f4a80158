package dev.portico.gateway.auth.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import dev.portico.gateway.internal.spi.OptionalLibrary;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One key a token may be verified with: its {@code kid}, the algorithms it may verify, its verifier
 * (built once, not per request) and its RFC 7638 thumbprint, which names it in the token cache.
 *
 * <p>The algorithms follow from the key, never from the token: an RSA key verifies RS and PS
 * signatures, an EC key the one ECDSA algorithm of its curve, an Ed25519 key EdDSA, a secret HMAC
 * only. A JWK's own {@code alg}, when present, narrows that to exactly one.
 */
final class VerificationKey {
  /** The smallest RSA modulus accepted, in bits (NIST SP 800-131A; RFC 7518 3.3). */
  static final int MIN_RSA_BITS = 2048;

  private final @Nullable String kid;
  private final boolean anyKid;
  private final Set<JWSAlgorithm> algorithms;
  private final JWSVerifier verifier;
  private final String thumbprint;

  private VerificationKey(@Nullable String kid, boolean anyKid, Set<JWSAlgorithm> algorithms, JWSVerifier verifier,
      String thumbprint) {
    this.kid = kid;
    this.anyKid = anyKid;
    this.algorithms = Set.copyOf(algorithms);
    this.verifier = verifier;
    this.thumbprint = thumbprint;
  }

  /**
   * Returns the verification key for a public JWK, or empty when the JWK cannot verify signatures
   * here: a private or symmetric key type we do not take from key sets, an encryption key
   * ({@code use} or {@code key_ops}), an RSA key under 2048 bits, a curve or {@code alg} we do not
   * support.
   */
  static Optional<VerificationKey> of(JWK jwk) {
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      return Optional.empty();
    }
    if (jwk.getKeyOperations() != null && !jwk.getKeyOperations().contains(KeyOperation.VERIFY)) {
      return Optional.empty();
    }
    try {
      JWK key = jwk.toPublicJWK();
      Set<JWSAlgorithm> algorithms;
      JWSVerifier verifier;
      if (key instanceof RSAKey rsa) {
        if (rsa.size() < MIN_RSA_BITS) {
          return Optional.empty();
        }
        algorithms = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);
        verifier = new RSASSAVerifier(rsa);
      } else if (key instanceof ECKey ec) {
        Curve curve = ec.getCurve();
        if (Curve.P_256.equals(curve)) {
          algorithms = Set.of(JWSAlgorithm.ES256);
        } else if (Curve.P_384.equals(curve)) {
          algorithms = Set.of(JWSAlgorithm.ES384);
        } else if (Curve.P_521.equals(curve)) {
          algorithms = Set.of(JWSAlgorithm.ES512);
        } else {
          return Optional.empty();
        }
        verifier = new ECDSAVerifier(ec);
      } else if (key instanceof OctetKeyPair okp) {
        if (!Curve.Ed25519.equals(okp.getCurve()) || !OptionalLibrary.TINK.isPresent()) {
          return Optional.empty();   // without Tink no EdDSA algorithm is allowed (the builder saw to it)
        }
        algorithms = Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
        verifier = new Ed25519Verifier(okp);
      } else {
        // Symmetric keys never come from a key set: that is how HS/RS confusion starts.
        return Optional.empty();
      }
      Set<JWSAlgorithm> allowed = narrowedByAlg(algorithms, key);
      if (allowed.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new VerificationKey(key.getKeyID(), false, allowed, verifier, key.computeThumbprint().toString()));
    } catch (JOSEException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Returns the verification key for an HMAC secret of at least 32 bytes. */
  static VerificationKey hmac(byte[] secret) {
    Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
    algorithms.add(JWSAlgorithm.HS256);
    if (secret.length >= 48) {
      algorithms.add(JWSAlgorithm.HS384);
    }
    if (secret.length >= 64) {
      algorithms.add(JWSAlgorithm.HS512);
    }
    try {
      OctetSequenceKey key = new OctetSequenceKey.Builder(secret).build();
      return new VerificationKey(null, true, algorithms, new MACVerifier(secret), key.computeThumbprint().toString());
    } catch (JOSEException e) {
      throw new IllegalArgumentException("hmacSecret: " + e.getMessage(), e);
    }
  }

  private static Set<JWSAlgorithm> narrowedByAlg(Set<JWSAlgorithm> algorithms, JWK key) {
    if (key.getAlgorithm() == null) {
      return algorithms;
    }
    JWSAlgorithm declared = JWSAlgorithm.parse(key.getAlgorithm().getName());
    return algorithms.contains(declared) ? Set.of(declared) : Set.of();
  }

  @Nullable String kid() {
    return kid;
  }

  /** Returns whether this key answers to any {@code kid}: true for a configured secret, which has none. */
  boolean anyKid() {
    return anyKid;
  }

  /** Returns whether this key may verify a signature made with {@code algorithm}. */
  boolean verifies(JWSAlgorithm algorithm) {
    return algorithms.contains(algorithm);
  }

  JWSVerifier verifier() {
    return verifier;
  }

  String thumbprint() {
    return thumbprint;
  }

  @Override
  public String toString() {
    return "VerificationKey{kid=" + kid + ", algorithms=" + algorithms + "}";
  }
}
