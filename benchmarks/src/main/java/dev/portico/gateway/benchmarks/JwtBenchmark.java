package dev.portico.gateway.benchmarks;

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
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Bearer token verification through {@link JwtAuthenticator#authenticate}, per signature algorithm:
 * {@code uncached} parses and verifies every request ({@code tokenCacheSize(0)}), {@code cached}
 * finds the token in the verified-token cache after the first request.
 *
 * <p>{@code HS256} uses a 32-byte shared secret ({@code hmacSecret}); {@code RS256} (RSA 2048),
 * {@code ES256} (P-256) and {@code EdDSA} (Ed25519) use a key generated at setup, given to the
 * authenticator as a local JWK set ({@code jwkSet}), so no key is fetched while measuring. The
 * token carries the same claims for every algorithm (issuer, audience, subject, scope, expiry).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JwtBenchmark {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  @Param({"HS256", "RS256", "ES256", "EdDSA"})
  public String algorithm;

  private JwtAuthenticator cached;
  private JwtAuthenticator uncached;
  private BenchExchange exchange;

  @Setup
  public void build() throws JOSEException {
    Instant now = Instant.now();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .subject("alice")
        .issuer("https://idp.example")
        .audience("orders")
        .claim("scope", "orders:read")
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(3600)))
        .build();
    JwtAuthenticator.Builder builder;
    JWSSigner signer;
    JWSHeader header;
    if ("HS256".equals(algorithm)) {
      signer = new MACSigner(SECRET);
      header = new JWSHeader.Builder(JWSAlgorithm.HS256).type(com.nimbusds.jose.JOSEObjectType.JWT).build();
      builder = JwtAuthenticator.builder().hmacSecret(SECRET);
    } else {
      JWK key = switch (algorithm) {
        case "RS256" -> new RSAKeyGenerator(2048).keyID("k1").generate();
        case "ES256" -> new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        case "EdDSA" -> new OctetKeyPairGenerator(Curve.Ed25519).keyID("k1").generate();
        default -> throw new IllegalArgumentException("algorithm: " + algorithm
            + " (expected: HS256, RS256, ES256 or EdDSA)");
      };
      signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa)
          : key instanceof ECKey ec ? new ECDSASigner(ec)
          : new Ed25519Signer((OctetKeyPair) key);
      header = new JWSHeader.Builder(JWSAlgorithm.parse(algorithm)).keyID(key.getKeyID())
          .type(com.nimbusds.jose.JOSEObjectType.JWT).build();
      builder = JwtAuthenticator.builder().jwkSet(new JWKSet(List.of(key)).toPublicJWKSet().toString());
    }
    SignedJWT jwt = new SignedJWT(header, claims);
    jwt.sign(signer);
    exchange = BenchExchange.get("/api/orders", "Authorization", "Bearer " + jwt.serialize());
    cached = builder.audience("orders").build();
    uncached = builder.tokenCacheSize(0).build();
    for (JwtAuthenticator authenticator : new JwtAuthenticator[] {cached, uncached}) {
      AuthResult result = authenticator.authenticate(exchange).toCompletableFuture().join();
      if (result.identity().isEmpty()) {
        throw new IllegalStateException(algorithm + " token refused: " + result);
      }
    }
  }

  @TearDown
  public void close() {
    cached.close();
    uncached.close();
  }

  @Benchmark
  public AuthResult uncached() {
    return uncached.authenticate(exchange).toCompletableFuture().join();
  }

  @Benchmark
  public AuthResult cached() {
    return cached.authenticate(exchange).toCompletableFuture().join();
  }
}
