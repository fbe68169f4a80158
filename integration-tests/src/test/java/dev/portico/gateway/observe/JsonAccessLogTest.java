package dev.portico.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.observe.json.JsonAccessLog;
import dev.portico.gateway.observe.json.JsonAccessLog.Field;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.TestClock;
import dev.portico.gateway.testing.Await;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.StringRequestContent;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JsonAccessLogTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  @Test
  void writesOneJsonObjectPerExchangeWithTheTraceIdAndNoSecret() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    try (FakeUpstream upstream = FakeUpstream.start();
        GatewayServer host = GatewayServer.builder().gateway(Gateway.builder()
            .accessLog(JsonAccessLog.builder().sink(lines::add).build())
            .route("api", r -> r.path("/api/**").upstream(upstream.uri()))
            .build()).permissiveUris(true).hostAnswer().start()) {
      ContentResponse response = host.client().newRequest(host.uri("/api/orders?api_key=secret-query&token=secret-token2"))
          .method("POST")
          .headers(h -> h
              .put("Authorization", "Bearer secret-bearer")
              .put("Cookie", "session=secret-cookie")
              .put("X-Api-Key", "secret-api-key")
              .put("Proxy-Authorization", "Basic c2VjcmV0LXByb3h5")
              .put("traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01"))
          .body(new StringRequestContent("text/plain", "password=secret-body"))
          .timeout(10, TimeUnit.SECONDS).send();
      assertThat(response.getStatus()).isEqualTo(200);

      Await.until("access log line", () -> !lines.isEmpty());
      String line = lines.get(0);
      assertThat(line).doesNotContain("\n").doesNotContainIgnoringCase("secret").doesNotContain("c2VjcmV0");
      JsonNode json = JSON.readTree(line);
      assertThat(json.get("traceId").asString()).isEqualTo(TRACE_ID);
      assertThat(json.get("requestId").asString()).isEqualTo(response.getHeaders().get("X-Request-Id"));
      assertThat(json.get("route").asString()).isEqualTo("api");
      assertThat(json.get("method").asString()).isEqualTo("POST");
      assertThat(json.get("path").asString()).isEqualTo("/api/orders");
      assertThat(json.get("status").asInt()).isEqualTo(200);
      assertThat(json.get("upstream").asString()).isEqualTo(upstream.uri() + "/api/orders");
      assertThat(json.get("client").asString()).isEqualTo("127.0.0.1");
      assertThat(json.get("bytesIn").asLong()).isEqualTo("password=secret-body".length());
      assertThat(json.get("outcome").asString()).isEqualTo("ok");
      assertThat(json.get("durationMs").isNumber()).isTrue();
      assertThat(json.has("time")).isTrue();
    }
  }

  @Test
  void writesOnlyTheSelectedFieldsInTheirOrder() {
    JsonAccessLog log = JsonAccessLog.builder()
        .fields(Field.STATUS, Field.TIME, Field.ROUTE)
        .clock(Clock.fixed(Instant.parse("2026-05-04T10:15:30.123456Z"), ZoneOffset.UTC))
        .build();

    String line = log.format(entry(Optional.empty(), Optional.empty()));

    assertThat(line).isEqualTo("{\"time\":\"2026-05-04T10:15:30.123Z\",\"route\":null,\"status\":404}");
  }

  @Test
  void callerUserAgentAndRateLimitAreSelectableLikeTheOtherFields() {
    AccessLogEntry entry = new AccessLogEntry("id-1", Optional.of("r"), "GET", "/x", 429, Optional.empty(), "10.0.0.1",
        Duration.ZERO, 0, 0, "problem", Optional.empty(), Optional.of("alice"), Optional.of("jwt"),
        Optional.of("curl/8.5.0"), Optional.of(new AccessLogEntry.RateLimitOutcome("per-user",
            dev.portico.gateway.ratelimit.RateLimitDecision.Kind.REJECTED, 0)));

    String chosen = JsonAccessLog.builder().fields(Field.STATUS, Field.RATE_LIMIT, Field.SUBJECT).build().format(entry);
    String without = JsonAccessLog.builder().fields(Field.STATUS, Field.OUTCOME).build().format(entry);

    assertThat(chosen).isEqualTo("{\"status\":429,\"subject\":\"alice\","
        + "\"rateLimit\":{\"limiter\":\"per-user\",\"decision\":\"rejected\",\"remaining\":0}}");
    assertThat(without).isEqualTo("{\"status\":429,\"outcome\":\"problem\"}");
    assertThat(JsonAccessLog.create().format(entry)).contains("\"authMethod\":\"jwt\",\"userAgent\":\"curl/8.5.0\"");
  }

  @Test
  void escapesWhatItWrites() {
    String line = JsonAccessLog.builder().fields(Field.PATH).build()
        .format(new AccessLogEntry("id-1", Optional.of("r"), "GET", "/a\"b\\c", 200, Optional.empty(), "10.0.0.1",
            Duration.ZERO, 0, 0, "ok", Optional.empty()));

    assertThat(JSON.readTree(line).get("path").asString()).isEqualTo("/a\"b\\c");
  }

  @Test
  void escapesControlCharactersAndKeepsOtherUnicode() {
    String path = "/caf\u00e9/\u2603\n\t\u0001end";
    String line = JsonAccessLog.builder().fields(Field.PATH, Field.OUTCOME).build()
        .format(new AccessLogEntry("id-1", Optional.of("r"), "GET", path, 200, Optional.empty(), "10.0.0.1",
            Duration.ZERO, 0, 0, "ok", Optional.empty()));

    assertThat(line).isEqualTo("{\"path\":\"/caf\u00e9/\u2603\\n\\t\\u0001end\",\"outcome\":\"ok\"}");
    assertThat(JSON.readTree(line).get("path").asString()).isEqualTo(path);
  }

  @Test
  void writesThreeDigitsOfMillisecondsEvenOnAWholeSecondAndFollowsTheClock() {
    TestClock clock = TestClock.at(Instant.parse("2026-05-04T10:15:30Z"));
    JsonAccessLog log = JsonAccessLog.builder().fields(Field.TIME).clock(clock).build();

    String first = log.format(entry(Optional.empty(), Optional.empty()));
    clock.advance(Duration.ofMillis(7));
    String second = log.format(entry(Optional.empty(), Optional.empty()));

    assertThat(first).isEqualTo("{\"time\":\"2026-05-04T10:15:30.000Z\"}");
    assertThat(second).isEqualTo("{\"time\":\"2026-05-04T10:15:30.007Z\"}");
  }

  private static AccessLogEntry entry(Optional<String> route, Optional<String> traceId) {
    return new AccessLogEntry("id-1", route, "GET", "/nowhere", 404, Optional.empty(), "10.0.0.1",
        Duration.ofMillis(3), 0, 120, "problem", traceId);
  }
}
