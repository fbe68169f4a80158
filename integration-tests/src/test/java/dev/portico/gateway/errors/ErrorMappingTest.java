package dev.portico.gateway.errors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.ErrorMapper;
import dev.portico.gateway.ErrorResponse;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.UpstreamErrors;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Error mappers and upstream 5xx handling, end to end. */
class ErrorMappingTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The legacy shape some old clients expect: {"error": {"code": ..., "message": ..., "status": ...}}. */
  private static final ErrorMapper LEGACY = (problem, context) -> {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", problem.type().type().getPath().substring("/problems/".length()));
    error.put("message", problem.detail());
    error.put("status", problem.status());
    error.put("route", context.routeId().orElse(""));
    error.put("trace", context.requestId());
    return ErrorResponse.of(problem.status(), "application/json", JSON.writeValueAsBytes(Map.of("error", error)));
  };

  private FakeUpstream upstream;
  private GatewayServer host;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = FakeUpstream.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  private ContentResponse send(String method, String path) throws Exception {
    return host.client().newRequest(host.uri(path)).method(method).headers(h -> h.add("X-Request-Id", "req-1"))
        .timeout(10, TimeUnit.SECONDS).send();
  }

  @Test
  void routeMapperRendersTheLegacyShapeAndKeepsTheProblemsHeaders() throws Exception {
    host = GatewayServer.builder().gateway(Gateway.builder()
        .route("legacy", r -> r.path("/legacy/**").methods("GET").errorMapper(LEGACY)
            .filter((exchange, chain) -> CompletableFuture.completedFuture(GatewayResponse.problem(
                ProblemType.of("https://portico.dev/problems/quota", "Quota", 429).withDetail("Slow down")
                    .withHeader("Retry-After", "30"))))
            .upstream(upstream.uri()))
        .route("modern", r -> r.path("/modern/**").upstream(upstream.uri() + "/"))
        .build()).permissiveUris(true).hostAnswer().start();

    ContentResponse legacy = send("GET", "/legacy/x");
    ContentResponse modern = send("GET", "/modern/%2e%2e/x");

    assertThat(legacy.getStatus()).isEqualTo(429);
    assertThat(legacy.getHeaders().get(HttpHeader.CONTENT_TYPE)).isEqualTo("application/json");
    assertThat(legacy.getHeaders().get("Retry-After")).isEqualTo("30");
    assertThat(legacy.getHeaders().get("X-Request-Id")).isEqualTo("req-1");
    assertThat(legacy.getHeaders().get(HttpHeader.CACHE_CONTROL)).isEqualTo("no-store");
    assertThat(legacy.getContentAsString()).isEqualTo(
        "{\"error\":{\"code\":\"quota\",\"message\":\"Slow down\",\"status\":429,\"route\":\"legacy\",\"trace\":\"req-1\"}}");
    assertThat(legacy.getHeaders().get(HttpHeader.CONTENT_LENGTH)).isEqualTo(Integer.toString(legacy.getContent().length));
    assertThat(modern.getHeaders().get(HttpHeader.CONTENT_TYPE)).isEqualTo("application/problem+json");
  }

  @Test
  void gatewayMapperCoversRoutesAndRefusalsBeforeRouting() throws Exception {
    host = GatewayServer.builder().gateway(Gateway.builder().errorMapper(LEGACY)
        .route("orders", r -> r.path("/orders").methods("GET").upstream(upstream.uri()))
        .build()).permissiveUris(true).hostAnswer().start();

    ContentResponse notAllowed = send("POST", "/orders");

    assertThat(notAllowed.getStatus()).isEqualTo(405);
    assertThat(notAllowed.getHeaders().get("Allow")).isEqualTo("GET");
    JsonNode error = JSON.readTree(notAllowed.getContentAsString()).path("error");
    assertThat(error.path("code").asString()).isEqualTo("method-not-allowed");
    assertThat(error.path("route").asString()).isEmpty();
  }

  @Test
  void brokenMapperFallsBackToTheDefaultProblem() throws Exception {
    host = GatewayServer.builder().gateway(Gateway.builder()
        .errorMapper((problem, context) -> {
          throw new IllegalStateException("mapper bug");
        })
        .route("orders", r -> r.path("/orders").methods("GET").upstream(upstream.uri()))
        .build()).permissiveUris(true).hostAnswer().start();

    ContentResponse response = send("DELETE", "/orders");

    assertThat(response.getStatus()).isEqualTo(405);
    assertThat(response.getHeaders().get(HttpHeader.CONTENT_TYPE)).isEqualTo("application/problem+json");
  }

  @Test
  void upstream5xxPassesThroughByDefault() throws Exception {
    upstream.respondWith((r, req, resp, cb) -> {
      resp.setStatus(503);
      resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html");
      Content.Sink.write(resp, true, "<h1>java.lang.NullPointerException at Orders.java:42</h1>", cb);
    });
    host = GatewayServer.builder().gateway(Gateway.builder().route("orders", r -> r.path("/orders").upstream(upstream.uri())).build())
        .permissiveUris(true).hostAnswer().start();

    ContentResponse response = send("GET", "/orders");

    assertThat(response.getStatus()).isEqualTo(503);
    assertThat(response.getContentAsString()).contains("NullPointerException");
  }

  @Test
  void upstream5xxIsReplacedWithAProblemWithoutReadingItsBody() throws Exception {
    CompletableFuture<Throwable> upstreamWrite = new CompletableFuture<>();
    upstream.respondWith((r, req, resp, cb) -> {
      resp.setStatus(503);
      resp.getHeaders().put("Retry-After", "120");
      resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html");
      // An endless error page: the gateway must answer without waiting for (or holding) it.
      ByteBuffer chunk = ByteBuffer.wrap(new byte[64 * 1024]);
      new Callback() {
        int written;

        @Override
        public void succeeded() {
          if (++written > 10_000) {
            upstreamWrite.complete(null);
            cb.succeeded();
            return;
          }
          resp.write(false, chunk.slice(), this);
        }

        @Override
        public void failed(Throwable x) {
          upstreamWrite.complete(x);
          cb.failed(x);
        }
      }.succeeded();
    });
    host = GatewayServer.builder().gateway(Gateway.builder().upstreamErrors(UpstreamErrors.REPLACE)
        .route("orders", r -> r.path("/orders").upstream(upstream.uri()))
        .route("raw", r -> r.path("/raw").upstreamErrors(UpstreamErrors.PASS_THROUGH).upstream(upstream.uri()))
        .build()).permissiveUris(true).hostAnswer().start();

    ContentResponse response = send("GET", "/orders");

    assertThat(response.getStatus()).isEqualTo(502);
    assertThat(response.getHeaders().get("Retry-After")).isEqualTo("120");
    JsonNode problem = JSON.readTree(response.getContentAsString());
    assertThat(problem.path("type").asString()).isEqualTo("https://portico.dev/problems/upstream-error");
    assertThat(problem.path("detail").asString()).isEqualTo("The upstream failed to handle the request (status 503).");
    assertThat(upstreamWrite.get(10, TimeUnit.SECONDS)).as("the upstream's body was cut off, not read to the end")
        .isNotNull();
  }

  @Test
  void upstream4xxIsNeverReplaced() throws Exception {
    upstream.respondWith((r, req, resp, cb) -> {
      resp.setStatus(404);
      Content.Sink.write(resp, true, "no such order", cb);
    });
    host = GatewayServer.builder().gateway(Gateway.builder().upstreamErrors(UpstreamErrors.REPLACE)
        .route("orders", r -> r.path("/orders").upstream(upstream.uri())).build())
            .permissiveUris(true).hostAnswer().start();

    ContentResponse response = send("GET", "/orders");

    assertThat(response.getStatus()).isEqualTo(404);
    assertThat(response.getContentAsString()).isEqualTo("no such order");
  }
}
