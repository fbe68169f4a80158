package dev.portico.gateway.routing;

import static dev.portico.gateway.testing.ProblemJson.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Explanation;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.auth.AccessRule;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RawClient;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.testing.Mounting;
import dev.portico.gateway.testing.TestAuthenticator;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Route defaults and per-method policies, end to end on every adapter: what a route inherits,
 * overrides and drops, and what one method's policies change for that method only, including the
 * ways a client might try to get one method's policies for another (spelling, HEAD, override
 * headers, preflights).
 */
class RouteDefaultsAndMethodPoliciesTest {
  private static final String ORDER_SCHEMA = """
      {"type": "object", "required": ["sku"], "properties": {"sku": {"type": "string"}}}
      """;

  private FakeUpstream upstream;
  private Mounting.Running host;

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

  /**
   * Defaults: a header rule and a 16-byte body limit. {@code plain} says nothing; {@code team} sets
   * its own header rules; {@code uploads} drops the body limit; {@code orders} takes reads from
   * any caller and, for POST only, wants {@code orders:write}, a JSON body that meets a schema and
   * at most one request a minute per caller.
   */
  private Gateway gateway() {
    return Gateway.builder()
        .authenticator(new TestAuthenticator())
        .routeDefaults(d -> d
            .requestHeaders(h -> h.set("X-Gateway", "portico"))
            .maxRequestBodySize(16))
        .route("plain", r -> r.path("/plain/**").permitAll().upstream(upstream.uri()))
        .route("team", r -> r.path("/team/**").permitAll().upstream(upstream.uri())
            .requestHeaders(h -> h.set("X-Team", "orders")))
        .route("uploads", r -> r.path("/uploads/**").permitAll().noMaxRequestBodySize().upstream(upstream.uri()))
        .route("orders", r -> r.path("/orders/**").upstream(upstream.uri())
            .cors(c -> c.allowOrigins("https://app.example.com").allowMethods("GET", "POST"))
            .methodPolicies("POST", m -> m
                .authorize(AccessRule.scopes("orders:write"))
                .validate(v -> v.contentTypes("application/json").jsonSchema(
                    dev.portico.gateway.validation.JsonSchema.of(ORDER_SCHEMA)))
                .rateLimiter(Bucket4jRateLimiter.perKey(1, Duration.ofMinutes(1), KeyResolver.principal()))))
        .build();
  }

  private Request get(String path, String user) {
    return host.client().newRequest(host.uri(path)).headers(h -> h.put("Authorization", "Test " + user))
        .timeout(10, TimeUnit.SECONDS);
  }

  private Request post(String path, String user, String json) {
    return get(path, user).method("POST").body(new StringRequestContent("application/json", json));
  }

  @ParameterizedTest
  @EnumSource(Mounting.class)
  void aDefaultReachesTheUpstreamOfARouteThatSaysNothing(Mounting mounting) throws Exception {
    host = mounting.start(gateway());

    ContentResponse response = get("/plain/1", "reader").send();

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().header("X-Gateway")).hasValue("portico");
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void aRouteHeaderRuleReplacesTheDefaultOnes(Mounting mounting) throws Exception {
    host = mounting.start(gateway());

    assertThat(get("/team/1", "reader").send().getStatus()).isEqualTo(200);

    RecordedRequest received = upstream.takeRequest();
    assertThat(received.header("X-Team")).hasValue("orders");
    assertThat(received.header("X-Gateway")).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void theDefaultBodyLimitHoldsUnlessTheRouteDropsIt(Mounting mounting) throws Exception {
    host = mounting.start(gateway());
    String body = "{\"sku\":\"a-rather-long-sku\"}";

    assertProblem(post("/plain/1", "reader", body).send(), ProblemType.PAYLOAD_TOO_LARGE);
    assertThat(upstream.pollRequest()).isEmpty();

    assertThat(post("/uploads/1", "reader", body).send().getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().bodyAsString()).isEqualTo(body);
  }

  @ParameterizedTest
  @EnumSource(Mounting.class)
  void postOnlyScopesLetGetThroughAndRefusePostWith403(Mounting mounting) throws Exception {
    host = mounting.start(gateway());

    assertThat(get("/orders/1", "reader").send().getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().method()).isEqualTo("GET");

    assertProblem(post("/orders", "reader", "{\"sku\":\"a\"}").send(), ProblemType.FORBIDDEN);
    assertThat(upstream.pollRequest()).isEmpty();

    assertThat(post("/orders", "writer", "{\"sku\":\"a\"}").send().getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().method()).isEqualTo("POST");
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void postOnlyJsonValidationRefusesAnInvalidPostAndLeavesGetAlone(Mounting mounting) throws Exception {
    host = mounting.start(gateway());

    assertProblem(post("/orders", "writer", "{\"qty\":1}").send(), ProblemType.VALIDATION_FAILED);
    assertThat(upstream.pollRequest()).isEmpty();

    ContentResponse read = get("/orders/1", "writer").headers(h -> h.put("Content-Type", "text/plain")).send();
    assertThat(read.getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().method()).isEqualTo("GET");
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void aPostOnlyRateLimitLimitsPostsAndNotReads(Mounting mounting) throws Exception {
    host = mounting.start(gateway());

    assertThat(post("/orders", "writer", "{\"sku\":\"a\"}").send().getStatus()).isEqualTo(200);
    ContentResponse second = post("/orders", "writer", "{\"sku\":\"b\"}").send();
    assertProblem(second, ProblemType.RATE_LIMITED);
    assertThat(second.getHeaders().get("Retry-After")).isNotBlank();

    for (int i = 0; i < 3; i++) {
      assertThat(get("/orders/" + i, "writer").send().getStatus()).isEqualTo(200);
    }
    assertThat(upstream.requests()).extracting(RecordedRequest::method).containsExactly("POST", "GET", "GET", "GET");
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void aMethodSpelledInAnotherCaseIsRefusedBeforeRoutingNotGivenOtherPolicies(Mounting mounting) throws Exception {
    host = mounting.start(gateway());

    for (String method : new String[] {"post", "PoSt"}) {
      RawClient.Response response = RawClient.exchange(host.port(), method + " /orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Test reader\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
          + "Connection: close\r\n\r\n{\"sku\":\"a\"}");
      assertThat(response.status()).as(method).isEqualTo(ProblemType.METHOD_NOT_IMPLEMENTED.status());
      assertThat(response.text()).contains(ProblemType.METHOD_NOT_IMPLEMENTED.type().toString());
    }
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void headTakesThePoliciesOfGet(Mounting mounting) throws Exception {
    host = mounting.start(Gateway.builder().authenticator(new TestAuthenticator())
        .route("reports", r -> r.path("/reports/**").upstream(upstream.uri())
            .methodPolicies("GET", m -> m.authorize(AccessRule.scopes("orders:write"))))
        .build());

    assertThat(get("/reports/1", "reader").method("HEAD").send().getStatus()).isEqualTo(403);
    assertThat(get("/reports/1", "reader").method("OPTIONS").send().getStatus()).isEqualTo(200);
    assertThat(get("/reports/1", "writer").method("HEAD").send().getStatus()).isEqualTo(200);
    assertThat(upstream.requests()).extracting(RecordedRequest::method).containsExactly("OPTIONS", "HEAD");
  }

  @ParameterizedTest
  @EnumSource(Mounting.class)
  void aGetWithAMethodOverrideHeaderGetsGetPoliciesAndTheUpstreamNeverSeesTheHeader(Mounting mounting) throws Exception {
    host = mounting.start(gateway());

    ContentResponse response = get("/orders/1", "reader")
        .headers(h -> h.put("X-HTTP-Method-Override", "POST").put("X-HTTP-Method", "POST")
            .put("X-Method-Override", "POST").put("x-original-method", "POST"))
        .send();

    assertThat(response.getStatus()).isEqualTo(200);
    RecordedRequest received = upstream.takeRequest();
    assertThat(received.method()).isEqualTo("GET");
    assertThat(received.headers()).extracting(e -> e.getKey().toLowerCase(java.util.Locale.ROOT))
        .doesNotContain("x-http-method-override", "x-http-method", "x-method-override", "x-original-method");
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void aPreflightForPostIsAnsweredWithoutCallingTheUpstreamAndGrantsNothing(Mounting mounting) throws Exception {
    host = mounting.start(gateway());

    ContentResponse preflight = host.client().newRequest(host.uri("/orders")).method("OPTIONS")
        .headers(h -> h.put("Origin", "https://app.example.com").put("Access-Control-Request-Method", "POST"))
        .timeout(10, TimeUnit.SECONDS).send();
    assertThat(preflight.getStatus()).isEqualTo(204);
    assertThat(preflight.getHeaders().get("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");

    ContentResponse actual = post("/orders", "reader", "{\"sku\":\"a\"}")
        .headers(h -> h.put("Origin", "https://app.example.com")).send();
    assertProblem(actual, ProblemType.FORBIDDEN);
    assertThat(actual.getHeaders().get("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void newDefaultsReachEveryRouteOnReconfigure() throws Exception {
    try (GatewayServer server = GatewayServer.start(gateway())) {
      Gateway next = server.handler().gateway().toBuilder()
          .routeDefaults(d -> d.requestHeaders(h -> h.set("X-Gateway", "v2")).maxRequestBodySize(4))
          .build();
      server.handler().reconfigure(next);

      ContentResponse response = server.client().newRequest(server.uri("/plain/1")).timeout(10, TimeUnit.SECONDS).send();
      assertThat(response.getStatus()).isEqualTo(200);
      assertThat(upstream.takeRequest().header("X-Gateway")).hasValue("v2");
      ContentResponse tooLarge = server.client().newRequest(server.uri("/plain/1")).method("POST")
          .body(new StringRequestContent("text/plain", "12345")).timeout(10, TimeUnit.SECONDS).send();
      assertProblem(tooLarge, ProblemType.PAYLOAD_TOO_LARGE);
      ContentResponse upload = server.client().newRequest(server.uri("/uploads/1")).method("POST")
          .body(new StringRequestContent("text/plain", "12345")).timeout(10, TimeUnit.SECONDS).send();
      assertThat(upload.getStatus()).isEqualTo(200);
    }
  }

  @Test
  void explainShowsEachMethodsOwnChain() throws Exception {
    try (GatewayServer server = GatewayServer.start(gateway())) {
      Explanation get = server.handler().explain("GET", "/orders/1", HttpHeaders.empty());
      Explanation post = server.handler().explain("POST", "/orders", HttpHeaders.empty());

      assertThat(get.policies()).containsExactly("request-size", "authentication", "request-headers", "proxy");
      assertThat(post.policies()).containsExactly("request-size", "authentication", "rate-limit", "validation",
          "request-headers", "proxy");
    }
  }
}
