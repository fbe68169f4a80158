package dev.portico.gateway.auth.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Real keys generated for the test run, and tokens signed with them. */
final class TestTokens {
  static final String ISSUER = "https://idp.test.example";
  static final String AUDIENCE = "orders-api";

  /** The kinds of signing key the authenticator accepts by default. */
  enum KeyKind {
    RSA(JWSAlgorithm.RS256), EC(JWSAlgorithm.ES256), ED25519(JWSAlgorithm.EdDSA);

    final JWSAlgorithm algorithm;

    KeyKind(JWSAlgorithm algorithm) {
      this.algorithm = algorithm;
    }
  }

  private TestTokens() {}

  static RSAKey rsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static ECKey ec(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static OctetKeyPair ed25519(String kid) {
    try {
      return new OctetKeyPairGenerator(Curve.Ed25519).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static JWK generate(KeyKind kind, String kid) {
    return switch (kind) {
      case RSA -> rsa(kid);
      case EC -> ec(kid);
      case ED25519 -> ed25519(kid);
    };
  }

  /** The JSON of a JWK set holding the public halves of {@code keys}. */
  static String jwks(JWK... keys) {
    return new JWKSet(List.of(keys)).toPublicJWKSet().toString();
  }

  /** Claims that pass every default check at {@code now}: issuer, audience, subject, exp in 5 minutes. */
  static JWTClaimsSet.Builder claims(Instant now) {
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject("alice")
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
        .claim("scope", "orders:read orders:write");
  }

  static String sign(JWK key, JWTClaimsSet claims) {
    JWSAlgorithm alg = key instanceof RSAKey ? JWSAlgorithm.RS256 : key instanceof ECKey ? JWSAlgorithm.ES256 : JWSAlgorithm.EdDSA;
    return sign(key, new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims);
  }

  static String sign(JWK key, JWSHeader header, JWTClaimsSet claims) {
    try {
      JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa)
          : key instanceof ECKey ec ? new ECDSASigner(ec)
          : new Ed25519Signer((OctetKeyPair) key);
      SignedJWT jwt = new SignedJWT(header, claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String signHmac(byte[] secret, JWSHeader header, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(header, claims);
      jwt.sign(new MACSigner(secret));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String b64(String json) {
    return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** Replaces part {@code index} (0 header, 1 payload, 2 signature) of a compact token. */
  static String withPart(String token, int index, String part) {
    String[] parts = token.split("\\.", -1);
    parts[index] = part;
    return String.join(".", parts);
  }
}
