package dev.portico.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.testing.GatewayHost;
import dev.portico.gateway.testing.RawHttp;
import dev.portico.gateway.testing.TestUpstream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Algorithm confusion against a gateway that trusts an RSA, an EC and an Ed25519 key (RS256, ES256,
 * EdDSA allowed) and one that trusts an HMAC secret (HS256): a token whose header names another
 * algorithm than its key's, signed any way an attacker can, and HS256 tokens whose HMAC key is a
 * public key's bytes, are all answered 401 and never reach the upstream.
 */
class JwtAlgorithmConfusionTest {
  private static final String ISSUER = "https://idp.test";
  private static final String AUDIENCE = "api";
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private static RSAKey rsa;
  private static ECKey ec;
  private static OctetKeyPair ed;
  private static TestUpstream upstream;
  private static JwtAuthenticator publicKeys;
  private static JwtAuthenticator hmac;
  private static GatewayHost publicHost;
  private static GatewayHost hmacHost;

  @BeforeAll
  static void start() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
    ed = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed").generate();
    upstream = TestUpstream.start();
    publicKeys = JwtAuthenticator.builder().jwkSet(new JWKSet(List.<JWK>of(rsa, ec, ed)).toPublicJWKSet().toString())
        .issuer(ISSUER).audience(AUDIENCE).build();
    hmac = JwtAuthenticator.builder().hmacSecret(SECRET).issuer(ISSUER).audience(AUDIENCE).build();
    publicHost = GatewayHost.start(Gateway.builder().route("api", r -> r.path("/api/**").authenticator(publicKeys).upstream(upstream.uri())).build());
    hmacHost = GatewayHost.start(Gateway.builder().route("api", r -> r.path("/api/**").authenticator(hmac).upstream(upstream.uri())).build());
  }

  @AfterAll
  static void stop() throws Exception {
    publicHost.close();
    hmacHost.close();
    publicKeys.close();
    hmac.close();
    upstream.close();
  }

  private static JWTClaimsSet claims() {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("mallory")
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofMinutes(5)))).build();
  }

  private static String sign(JWSSigner signer, JWSAlgorithm alg, String kid) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims());
    jwt.sign(signer);
    return jwt.serialize();
  }

  private static JWSSigner signer(JWK key) throws Exception {
    return key instanceof RSAKey r ? new RSASSASigner(r) : key instanceof ECKey e ? new ECDSASigner(e) : new Ed25519Signer((OctetKeyPair) key);
  }

  private static JWSAlgorithm algorithmOf(JWK key) {
    return key instanceof RSAKey ? JWSAlgorithm.RS256 : key instanceof ECKey ? JWSAlgorithm.ES256 : JWSAlgorithm.EdDSA;
  }

  /** Replaces the header of a validly signed token: the signature stays the one {@code key} made. */
  private static String relabel(String token, JWSAlgorithm alg, String kid) {
    String header = "{\"alg\":\"" + alg.getName() + "\",\"kid\":\"" + kid + "\"}";
    String[] parts = token.split("\\.");
    return Base64URL.encode(header.getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + "." + parts[2];
  }

  static Stream<Arguments> confusedTokens() throws Exception {
    List<JWK> keys = List.of(rsa, ec, ed);
    List<JWSAlgorithm> algorithms = List.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.EdDSA, JWSAlgorithm.HS256);
    List<Arguments> rows = new ArrayList<>();
    for (JWK key : keys) {
      String good = sign(signer(key), algorithmOf(key), key.getKeyID());
      for (JWSAlgorithm alg : algorithms) {
        if (alg.equals(algorithmOf(key))) {
          continue;
        }
        // The header names another algorithm, the kid still names the signing key.
        rows.add(Arguments.of(key.getKeyID() + " signature, header " + alg + ", kid " + key.getKeyID(), relabel(good, alg, key.getKeyID())));
        // Correctly signed, but the kid names a key of another type.
        for (JWK other : keys) {
          if (other != key && alg.equals(algorithmOf(other))) {
            rows.add(Arguments.of(key.getKeyID() + " signature as " + alg + ", kid " + other.getKeyID(), relabel(good, alg, other.getKeyID())));
          }
        }
      }
      // HS256 keyed with the public key's bytes, in each form an attacker could find them.
      JWK pub = key.toPublicJWK();
      List<byte[]> secrets = new ArrayList<>();
      secrets.add(pub.toJSONString().getBytes(StandardCharsets.UTF_8));
      secrets.add(new JWKSet(pub).toString().getBytes(StandardCharsets.UTF_8));
      if (key instanceof RSAKey r) {
        secrets.add(r.toPublicKey().getEncoded());
        secrets.add(("-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(r.toPublicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.US_ASCII));
      } else if (key instanceof ECKey e) {
        secrets.add(e.toPublicKey().getEncoded());
      } else {
        secrets.add(((OctetKeyPair) key).getDecodedX());
      }
      int i = 0;
      for (byte[] secret : secrets) {
        rows.add(Arguments.of("HS256 keyed with " + key.getKeyID() + " public key form " + i++, sign(new MACSigner(secret), JWSAlgorithm.HS256, key.getKeyID())));
      }
      rows.add(Arguments.of("alg none, kid " + key.getKeyID(), Base64URL.encode("{\"alg\":\"none\"}") + "." + good.split("\\.")[1] + "."));
    }
    return rows.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("confusedTokens")
  void publicKeyGatewayRejectsAlgorithmConfusion(String name, String token) throws Exception {
    assertThat(status(publicHost, token)).as(name).isEqualTo(401);
    assertThat(upstream.poll()).isNull();
  }

  @Test
  void publicKeyGatewayAcceptsEachKeyWithItsOwnAlgorithm() throws Exception {
    for (JWK key : List.of(rsa, ec, ed)) {
      assertThat(status(publicHost, sign(signer(key), algorithmOf(key), key.getKeyID()))).as(key.getKeyID()).isEqualTo(200);
      assertThat(upstream.take()).isNotNull();
    }
  }

  @Test
  void hmacGatewayRejectsPublicKeyAlgorithmsAndAcceptsItsSecret() throws Exception {
    for (JWK key : List.of(rsa, ec, ed)) {
      String token = sign(signer(key), algorithmOf(key), key.getKeyID());
      assertThat(status(hmacHost, token)).as(key.getKeyID()).isEqualTo(401);
      // The same signature relabelled HS256: HMAC over the same input with our secret cannot match.
      assertThat(status(hmacHost, relabel(token, JWSAlgorithm.HS256, key.getKeyID()))).isEqualTo(401);
    }
    String hs384 = sign(new MACSigner("0123456789abcdef0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII)),
        JWSAlgorithm.HS384, "k");
    assertThat(status(hmacHost, hs384)).as("HS384 is not allowed unless configured").isEqualTo(401);
    assertThat(upstream.poll()).isNull();

    assertThat(status(hmacHost, sign(new MACSigner(SECRET), JWSAlgorithm.HS256, "k"))).isEqualTo(200);
    assertThat(upstream.take()).isNotNull();
  }

  @Test
  void hmacNextToPublicKeysIsRefusedAtBuild() {
    assertThatThrownBy(() -> JwtAuthenticator.builder().jwkSet(new JWKSet(rsa.toPublicJWK()).toString())
        .algorithms("RS256", "HS256").issuer(ISSUER).build()).isInstanceOf(RuntimeException.class);
  }

  private static int status(GatewayHost host, String token) throws Exception {
    return RawHttp.exchange(host.port(), "GET /api/x HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
        + "\r\nConnection: close\r\n\r\n").status();
  }
}
