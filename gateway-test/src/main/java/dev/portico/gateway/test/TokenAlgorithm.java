package dev.portico.gateway.test;

/**
 * The JWS algorithms a {@link FakeIdentityProvider} signs tokens with: one key (or secret) each,
 * as Portico's {@code JwtAuthenticator} accepts them.
 */
public enum TokenAlgorithm {
  /** RSASSA-PKCS1-v1_5 with SHA-256, a 2048-bit RSA key; the default. */
  RS256,
  /** ECDSA with P-256 and SHA-256. */
  ES256,
  /** EdDSA with an Ed25519 key. */
  EdDSA,
  /** HMAC with SHA-256 and a shared secret ({@link FakeIdentityProvider#hmacSecret()}), never published. */
  HS256
}
