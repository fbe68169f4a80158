package dev.portico.gateway.test;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * The JWT attack table: tokens for the protected route that are each wrong in one way, minted
 * from the valid token the target describes. Every one must be answered 401 and never forwarded,
 * whatever algorithms and keys the gateway trusts. Not public API.
 */
final class JwtAttacks {
  /** One row: its name and the token. */
  record JwtAttack(String name, String token) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final List<TokenAlgorithm> PUBLIC_KEY_ALGORITHMS = List.of(TokenAlgorithm.RS256, TokenAlgorithm.ES256, TokenAlgorithm.EdDSA);

  private JwtAttacks() {}

  static List<JwtAttack> rows(FakeIdentityProvider idp, ConformanceTarget target) throws JOSEException {
    List<JwtAttack> rows = new ArrayList<>();
    Instant now = idp.clock().instant();
    TokenAlgorithm algorithm = idp.defaultAlgorithm();
    JWK trusted = idp.key(algorithm);
    String good = target.validToken(idp);

    // Claims: each of these is signed with the trusted key, so only the claim is wrong.
    rows.add(new JwtAttack("expired 10 minutes ago", target.tokenClaims(idp)
        .issuedAt(now.minus(Duration.ofMinutes(20))).expiresAt(now.minus(Duration.ofMinutes(10))).sign()));
    rows.add(new JwtAttack("no expiry", target.tokenClaims(idp).claim("exp", null).sign()));
    rows.add(new JwtAttack("not before 10 minutes from now", target.tokenClaims(idp)
        .notBefore(now.plus(Duration.ofMinutes(10))).sign()));
    rows.add(new JwtAttack("issued 10 minutes in the future", target.tokenClaims(idp)
        .issuedAt(now.plus(Duration.ofMinutes(10))).expiresAt(now.plus(Duration.ofMinutes(20))).sign()));
    rows.add(new JwtAttack("wrong issuer", target.tokenClaims(idp).issuer("https://evil.example").sign()));
    rows.add(new JwtAttack("issuer with a trailing slash", target.tokenClaims(idp).issuer(idp.issuer() + "/").sign()));
    rows.add(new JwtAttack("wrong audience", target.tokenClaims(idp).audience("https://evil.example/api").sign()));
    rows.add(new JwtAttack("no audience", target.tokenClaims(idp).claim("aud", null).sign()));

    // Header and signature.
    rows.add(new JwtAttack("tampered signature", tamperSignature(good)));
    rows.add(new JwtAttack("tampered payload", withPart(good, 1, b64(target.tokenClaims(idp).subject("admin").claimsSet().toString()))));
    rows.add(new JwtAttack("signature stripped", withPart(good, 2, "")));
    rows.add(new JwtAttack("crit header", FakeIdentityProvider.sign(trusted, new JWSHeader.Builder(FakeIdentityProvider.jwsAlgorithm(algorithm))
        .keyID(trusted.getKeyID()).criticalParams(Set.of("urn:example:ext")).customParam("urn:example:ext", true).build(),
        target.tokenClaims(idp).claimsSet())));
    for (String none : List.of("none", "None", "NONE", "nOnE")) {
      rows.add(new JwtAttack("alg " + none, b64("{\"alg\":\"" + none + "\"}") + "." + good.split("\\.")[1] + "."));
      rows.add(new JwtAttack("alg " + none + " with the signature kept", withPart(good, 0,
          b64("{\"alg\":\"" + none + "\",\"kid\":\"" + trusted.getKeyID() + "\"}"))));
    }

    // Keys the gateway must not trust: another key under a trusted kid, an unknown kid, a key the token names.
    JWK stranger = algorithm == TokenAlgorithm.HS256 ? randomSecret("hs256") : FakeIdentityProvider.generate(algorithm, trusted.getKeyID());
    JWTClaimsSet claims = target.tokenClaims(idp).claimsSet();
    JWSAlgorithm alg = FakeIdentityProvider.jwsAlgorithm(algorithm);
    rows.add(new JwtAttack("another key under the trusted kid", FakeIdentityProvider.sign(stranger,
        new JWSHeader.Builder(alg).keyID(trusted.getKeyID()).build(), claims)));
    byte[] hs384Secret = new byte[48];
    new SecureRandom().nextBytes(hs384Secret);
    rows.add(new JwtAttack("HS384 under the trusted kid", FakeIdentityProvider.sign(new OctetSequenceKey.Builder(hs384Secret).build(),
        new JWSHeader.Builder(JWSAlgorithm.HS384).keyID(trusted.getKeyID()).build(), claims)));
    rows.add(new JwtAttack("unknown kid", FakeIdentityProvider.sign(stranger, new JWSHeader.Builder(alg).keyID("unknown-kid").build(), claims)));
    if (!(stranger instanceof OctetSequenceKey)) {
      rows.add(new JwtAttack("key embedded in the header (jwk)", FakeIdentityProvider.sign(stranger,
          new JWSHeader.Builder(alg).keyID(trusted.getKeyID()).jwk(stranger.toPublicJWK()).build(), claims)));
      rows.add(new JwtAttack("key embedded in the header (jwk), its own kid", FakeIdentityProvider.sign(stranger,
          new JWSHeader.Builder(alg).keyID("embedded").jwk(stranger.toPublicJWK()).build(), claims)));
    }

    // Algorithm confusion, for every pair: a signature made by one key under a header naming another algorithm.
    List<JWK> keys = new ArrayList<>();
    for (TokenAlgorithm a : PUBLIC_KEY_ALGORITHMS) {
      keys.add(idp.key(a));
    }
    for (JWK key : keys) {
      TokenAlgorithm own = algorithmOf(key);
      String signed = FakeIdentityProvider.sign(key, new JWSHeader.Builder(FakeIdentityProvider.jwsAlgorithm(own)).keyID(key.getKeyID()).build(), claims);
      for (TokenAlgorithm other : TokenAlgorithm.values()) {
        if (other == own) {
          continue;
        }
        rows.add(new JwtAttack(own + " signature under " + other + ", kid " + key.getKeyID(), relabel(signed, other, key.getKeyID())));
        for (JWK otherKey : keys) {
          if (otherKey != key && algorithmOf(otherKey) == other) {
            rows.add(new JwtAttack(own + " signature under " + other + ", kid " + otherKey.getKeyID(), relabel(signed, other, otherKey.getKeyID())));
          }
        }
      }
      // HS256 keyed with the public key's bytes, in each form an attacker could find them.
      JWK pub = key.toPublicJWK();
      List<byte[]> secrets = new ArrayList<>();
      secrets.add(pub.toJSONString().getBytes(StandardCharsets.UTF_8));
      secrets.add(new JWKSet(pub).toString().getBytes(StandardCharsets.UTF_8));
      if (key instanceof RSAKey r) {
        byte[] der = r.toPublicKey().getEncoded();
        secrets.add(der);
        secrets.add(("-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(der) + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.US_ASCII));
      } else if (key instanceof ECKey e) {
        secrets.add(e.toPublicKey().getEncoded());
      } else {
        secrets.add(((OctetKeyPair) key).getDecodedX());
      }
      List<String> forms = List.of("JWK JSON", "JWK set JSON", "DER", "PEM");
      for (int i = 0; i < secrets.size(); i++) {
        byte[] secret = secrets.get(i);
        rows.add(new JwtAttack("HS256 keyed with the " + own + " public key as " + (key instanceof OctetKeyPair && i == 2 ? "raw bytes" : forms.get(i)),
            FakeIdentityProvider.sign(new OctetSequenceKey.Builder(secret).build(),
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).build(), claims)));
      }
    }
    return rows;
  }

  private static TokenAlgorithm algorithmOf(JWK key) {
    return key instanceof RSAKey ? TokenAlgorithm.RS256 : key instanceof ECKey ? TokenAlgorithm.ES256 : TokenAlgorithm.EdDSA;
  }

  private static OctetSequenceKey randomSecret(String kid) {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return new OctetSequenceKey.Builder(secret).keyID(kid).build();
  }

  /** Replaces the header of a signed token; the signature stays the one its key made. */
  private static String relabel(String token, TokenAlgorithm alg, String kid) {
    return withPart(token, 0, b64("{\"alg\":\"" + alg.name() + "\",\"kid\":\"" + kid + "\"}"));
  }

  /** Flips bits in the middle of the signature, where base64url padding bits cannot hide it. */
  private static String tamperSignature(String token) {
    String[] parts = token.split("\\.", -1);
    byte[] signature = Base64URL.from(parts[2]).decode();
    signature[signature.length / 2] ^= 0x5a;
    parts[2] = Base64URL.encode(signature).toString();
    return String.join(".", parts);
  }

  private static String b64(String json) {
    return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static String withPart(String token, int index, String part) {
    String[] parts = token.split("\\.", -1);
    parts[index] = part;
    return String.join(".", parts);
  }
}
