package dev.portico.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.ApiKeyRecord;
import dev.portico.gateway.auth.apikey.ApiKeyAuthenticator;
import dev.portico.gateway.auth.apikey.InMemoryApiKeyStore;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.observe.json.JsonAccessLog;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RawClient;
import dev.portico.gateway.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who called, in the access log, through a real gateway: the authenticated subject and how it
 * authenticated (never the credential), the user agent (bounded, printable), and what the rate
 * limits decided.
 */
class AccessLogCallerTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final byte[] SECRET = "a shared secret of at least 32 bytes!".getBytes(StandardCharsets.UTF_8);
  private static final String API_KEY = InMemoryApiKeyStore.generateKey();

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final List<AccessLogEntry> entries = new CopyOnWriteArrayList<>();
  private FakeUpstream upstream;
  private GatewayServer host;

  @BeforeEach
  void start() throws Exception {
    upstream = FakeUpstream.start();
    JsonAccessLog json = JsonAccessLog.builder().sink(lines::add).build();
    host = GatewayServer.builder().gateway(Gateway.builder()
        .accessLog(entry -> {
          entries.add(entry);
          json.log(entry);
        })
        .route("jwt", r -> r.path("/jwt/**")
            .authenticator(JwtAuthenticator.builder().hmacSecret(SECRET).issuer("https://idp.test").audience("api").build())
            .rateLimiter(Bucket4jRateLimiter.builder().name("per-user").bandwidth(2, Duration.ofMinutes(1))
                .keyResolver(KeyResolver.principal()).build())
            .upstream(upstream.uri()))
        .route("key", r -> r.path("/key/**")
            .authenticator(ApiKeyAuthenticator.of(InMemoryApiKeyStore.builder().key(API_KEY, ApiKeyRecord.of("batch-job")).build()))
            .upstream(upstream.uri()))
        .route("open", r -> r.path("/open/**").permitAll().upstream(upstream.uri()))
        .build()).permissiveUris(true).hostAnswer().start();
  }

  @AfterEach
  void stop() throws Exception {
    host.close();
    upstream.close();
  }

  private static String token(String subject) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
        .subject(subject).issuer("https://idp.test").audience("api")
        .expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
    jwt.sign(new MACSigner(SECRET));
    return jwt.serialize();
  }

  private ContentResponse get(String path, String header, String value) throws Exception {
    return host.client().newRequest(host.uri(path)).headers(h -> h.put(header, value).put("User-Agent", "orders-app/2.1"))
        .timeout(10, TimeUnit.SECONDS).send();
  }

  private JsonNode lastLine(int count) {
    Await.until(count + " access log lines", () -> lines.size() >= count);
    return JSON.readTree(lines.get(count - 1));
  }

  @Test
  void aJwtCallerIsLoggedBySubjectAndMethodNeverByItsToken() throws Exception {
    String token = token("alice");

    assertThat(get("/jwt/orders", "Authorization", "Bearer " + token).getStatus()).isEqualTo(200);

    JsonNode line = lastLine(1);
    assertThat(line.get("subject").asString()).isEqualTo("alice");
    assertThat(line.get("authMethod").asString()).isEqualTo("jwt");
    assertThat(line.get("userAgent").asString()).isEqualTo("orders-app/2.1");
    assertThat(line.get("rateLimit").get("limiter").asString()).isEqualTo("per-user");
    assertThat(line.get("rateLimit").get("decision").asString()).isEqualTo("allowed");
    assertThat(line.get("rateLimit").get("remaining").asLong()).isEqualTo(1);
    String signature = token.substring(token.lastIndexOf('.') + 1);
    assertThat(lines.get(0)).doesNotContain(token).doesNotContain(signature).doesNotContain(token.substring(0, 20));
    assertThat(entries.get(0).toLine()).contains(" subject=alice auth=jwt rateLimit=per-user:allowed:1 userAgent=orders-app/2.1")
        .doesNotContain(signature);
  }

  @Test
  void anApiKeyCallerIsLoggedByItsRecordsSubjectNeverByTheKey() throws Exception {
    assertThat(get("/key/x", "X-Api-Key", API_KEY).getStatus()).isEqualTo(200);

    JsonNode line = lastLine(1);
    assertThat(line.get("subject").asString()).isEqualTo("batch-job");
    assertThat(line.get("authMethod").asString()).isEqualTo("api-key");
    assertThat(line.get("rateLimit").isNull()).as("no limiter on the route").isTrue();
    assertThat(lines.get(0)).doesNotContain(API_KEY);
    assertThat(entries.get(0).toLine()).doesNotContain(API_KEY);
  }

  @Test
  void aRefusedCredentialLeavesNoSubjectAndNoTokenInTheLog() throws Exception {
    String forged = token("mallory").replaceFirst("\\.[^.]+$", ".c2lnbmF0dXJlLW5vdC12YWxpZA");

    assertThat(get("/jwt/orders", "Authorization", "Bearer " + forged).getStatus()).isEqualTo(401);

    JsonNode line = lastLine(1);
    assertThat(line.get("subject").isNull()).isTrue();
    assertThat(line.get("authMethod").isNull()).isTrue();
    assertThat(line.get("rateLimit").isNull()).as("refused before the limits").isTrue();
    assertThat(lines.get(0)).doesNotContain("mallory").doesNotContain("c2lnbmF0dXJl");
  }

  @Test
  void aRateLimitedRequestLogsTheLimiterAndItsDecision() throws Exception {
    String token = token("bob");
    for (int i = 0; i < 2; i++) {
      assertThat(get("/jwt/orders", "Authorization", "Bearer " + token).getStatus()).isEqualTo(200);
    }

    assertThat(get("/jwt/orders", "Authorization", "Bearer " + token).getStatus()).isEqualTo(429);

    JsonNode line = lastLine(3);
    assertThat(line.get("status").asInt()).isEqualTo(429);
    assertThat(line.get("subject").asString()).isEqualTo("bob");
    assertThat(line.get("rateLimit").toString()).isEqualTo("{\"limiter\":\"per-user\",\"decision\":\"rejected\",\"remaining\":0}");
    assertThat(entries.get(2).rateLimit()).hasValue(
        new AccessLogEntry.RateLimitOutcome("per-user", RateLimitDecision.Kind.REJECTED, 0));
    assertThat(entries.get(2).toLine()).contains(" rateLimit=per-user:rejected:0 ");
  }

  @Test
  void aHostileUserAgentIsCutAndMadePrintable() throws Exception {
    String hostile = "evil\u00e9\"} {\"status\":200 " + "A".repeat(5_000);
    RawClient.Response response = RawClient.exchange(host.port(), "GET /open/x HTTP/1.1\r\nHost: x\r\n"
        + "User-Agent: " + hostile + "\r\nConnection: close\r\n\r\n");
    assertThat(response.status()).isEqualTo(200);

    JsonNode line = lastLine(1);
    String logged = line.get("userAgent").asString();
    assertThat(logged).hasSize(AccessLogEntry.MAX_USER_AGENT).matches("evil\\?+\"\\} \\{\"status\":200 A+");
    assertThat(line.get("status").asInt()).isEqualTo(200);
    assertThat(line.get("subject").isNull()).as("permitAll: nobody authenticated").isTrue();
    assertThat(lines.get(0)).doesNotContain("\n");
    assertThat(entries.get(0).toLine()).containsPattern(" userAgent=\"evil\\?+\\\\\"\\} \\{\\\\\"status\\\\\":200 A+\" traceId=");
  }

  @Test
  void noUserAgentIsNull() throws Exception {
    RawClient.Response response = RawClient.exchange(host.port(), "GET /open/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(response.status()).isEqualTo(200);

    assertThat(lastLine(1).get("userAgent").isNull()).isTrue();
    assertThat(entries.get(0).toLine()).contains(" userAgent=- ");
  }
}
