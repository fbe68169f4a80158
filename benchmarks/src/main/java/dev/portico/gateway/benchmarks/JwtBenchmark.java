package dev.portico.gateway.benchmarks;

import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Bearer token verification through {@link JwtAuthenticator#authenticate}, with an HS256 secret:
 * {@code uncached} parses and verifies every request ({@code tokenCacheSize(0)}), {@code cached}
 * finds the token in the verified-token cache after the first request.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JwtBenchmark {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private JwtAuthenticator cached;
  private JwtAuthenticator uncached;
  private BenchExchange exchange;

  @Setup
  public void build() throws GeneralSecurityException {
    long exp = Instant.now().plusSeconds(3600).getEpochSecond();
    String token = hs256("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
        "{\"sub\":\"alice\",\"iss\":\"https://idp.example\",\"aud\":\"orders\",\"scope\":\"orders:read\",\"exp\":" + exp + "}");
    exchange = BenchExchange.get("/api/orders", "Authorization", "Bearer " + token);
    cached = JwtAuthenticator.builder().hmacSecret(SECRET).audience("orders").build();
    uncached = JwtAuthenticator.builder().hmacSecret(SECRET).audience("orders").tokenCacheSize(0).build();
    for (JwtAuthenticator authenticator : new JwtAuthenticator[] {cached, uncached}) {
      AuthResult result = authenticator.authenticate(exchange).toCompletableFuture().join();
      if (result.identity().isEmpty()) {
        throw new IllegalStateException("token refused: " + result);
      }
    }
  }

  @TearDown
  public void close() {
    cached.close();
    uncached.close();
  }

  private static String hs256(String header, String payload) throws GeneralSecurityException {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
    return signingInput + "." + b64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
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
