package dev.portico.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Filter;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.observe.ConfigurationStatus;
import dev.portico.gateway.observe.micrometer.MicrometerMetrics;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.ProblemJson;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The admin view on its own (internal) server, next to the gateway's host. */
class AdminHandlerTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private FakeUpstream upstream;
  private GatewayServer host;
  private Server admin;
  private int adminPort;

  @BeforeEach
  void start() throws Exception {
    upstream = FakeUpstream.start();
    Gateway gateway = Gateway.builder()
        .filter(Filter.named("tag", (exchange, chain) -> chain.proceed(exchange)))
        .rateLimiter(Bucket4jRateLimiter.builder().name("per-ip").bandwidth(100, Duration.ofMinutes(1))
            .keyResolver(KeyResolver.clientIp()).build())
        .route("order", r -> r.path("/api/orders/{id}").methods("GET").hosts("api.example.com")
            .header("X-Version", "2").rewritePath("/orders/{id}").responseTimeout(Duration.ofSeconds(3))
            .upstream(upstream.uri()))
        .route("static", r -> r.path("/static/**").upstream(upstream.uri() + "/cdn"))
        .build();
    host = GatewayServer.builder().handler(JettyGatewayHandler.builder(gateway).observer(MicrometerMetrics.create(prometheus)).build())
        .permissiveUris(true).hostAnswer().start();
    admin = new Server();
    ServerConnector connector = new ServerConnector(admin);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    admin.addConnector(connector);
    admin.setHandler(AdminHandler.builder(host.handler()).metrics(prometheus::scrape).build());
    admin.start();
    adminPort = connector.getLocalPort();
  }

  @AfterEach
  void stop() throws Exception {
    admin.stop();
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  private ContentResponse get(String pathQuery) throws Exception {
    return host.client().newRequest("http://127.0.0.1:" + adminPort + pathQuery).timeout(10, TimeUnit.SECONDS).send();
  }

  private JsonNode json(String pathQuery) throws Exception {
    ContentResponse response = get(pathQuery);
    assertThat(response.getStatus()).as(pathQuery).isEqualTo(200);
    assertThat(response.getHeaders().get("Content-Type")).isEqualTo("application/json");
    return JSON.readTree(response.getContentAsString());
  }

  @Test
  void listsRoutesWithTheirPredicatesUpstreamsAndPoliciesInOrder() throws Exception {
    JsonNode order = json("/routes").get("routes").get(0);

    assertThat(order.get("id").asString()).isEqualTo("order");
    assertThat(order.get("path").asString()).isEqualTo("/api/orders/{id}");
    assertThat(order.get("methods").toString()).isEqualTo("[\"GET\"]");
    assertThat(order.get("hosts").toString()).isEqualTo("[\"api.example.com\"]");
    assertThat(order.get("headers").toString()).isEqualTo("[\"X-Version=2\"]");
    assertThat(order.get("upstream").asString()).isEqualTo(upstream.uri());
    assertThat(order.get("timeouts").get("responseMs").asLong()).isEqualTo(3000);
    assertThat(order.get("policies").toString()).isEqualTo("[\"tag\",\"rate-limit\",\"proxy\"]");
  }

  @Test
  void showsWhatARouteInheritedAndWhatEachMethodBlockSets() throws Exception {
    host.handler().reconfigure(Gateway.builder()
        .authenticator(new dev.portico.gateway.testing.TestAuthenticator())
        .routeDefaults(d -> d.requestHeaders(h -> h.set("X-Gateway", "portico")).maxRequestBodySize(1024))
        .route("orders", r -> r.path("/orders/**").maxRequestBodySize(10).upstream(upstream.uri())
            .methodPolicies("POST", m -> m.authorize(dev.portico.gateway.auth.AccessRule.scopes("orders:write"))
                .validate(v -> v.contentTypes("application/json"))))
        .route("open", r -> r.path("/open/**").permitAll().upstream(upstream.uri())
            .methodPolicies("PUT", m -> m.authenticator(new dev.portico.gateway.testing.TestAuthenticator())
                .rateLimiter(Bucket4jRateLimiter.builder().name("puts").bandwidth(5, Duration.ofMinutes(1))
                    .keyResolver(KeyResolver.clientIp()).build())))
        .build());

    JsonNode routes = json("/routes").get("routes");

    JsonNode orders = routes.get(0);
    assertThat(orders.get("inheritedPolicies").toString()).isEqualTo("[\"authenticator\",\"requestHeaders\"]");
    assertThat(orders.get("methodPolicies").toString())
        .isEqualTo("{\"POST\":{\"sets\":[\"authorize\",\"validate\"],\"authenticated\":true}}");
    assertThat(orders.get("policies").toString())
        .isEqualTo("[\"request-size\",\"authentication\",\"request-headers\",\"proxy\"]");
    JsonNode open = routes.get(1);
    assertThat(open.get("authenticated").asBoolean()).isFalse();
    assertThat(open.get("methodPolicies").get("PUT").get("authenticated").asBoolean()).isTrue();
    JsonNode limiters = json("/limiters").get("routes");
    assertThat(limiters.get("open PUT").get(0).get("name").asString()).isEqualTo("puts");
    assertThat(limiters.has("orders")).isFalse();
  }

  @Test
  void showsTheGatewaysAndEachRoutesIpRulesAndNamesTheCheckFirst() throws Exception {
    host.handler().reconfigure(Gateway.builder()
        .ipRules(dev.portico.gateway.IpRules.deny("203.0.113.0/24"))
        .route("office", r -> r.path("/office/**").upstream(upstream.uri())
            .ipRules(ip -> ip.allow("10.0.0.0/8", "2001:db8::/32").deny("10.66.0.0/16")))
        .build());

    JsonNode office = json("/routes").get("routes").get(0);

    assertThat(office.get("ipRules").toString()).isEqualTo("{\"gateway\":{\"allow\":[],\"deny\":[\"203.0.113.0/24\"]},"
        + "\"route\":{\"allow\":[\"10.0.0.0/8\",\"2001:db8::/32\"],\"deny\":[\"10.66.0.0/16\"]}}");
    assertThat(office.get("policies").toString()).isEqualTo("[\"ip-rules\",\"proxy\"]");
    assertThat(json("/explain?method=GET&uri=/office/1").get("policies").toString())
        .isEqualTo("[\"ip-rules\",\"proxy\"]");
  }

  @Test
  void listsUpstreamsWithTheRoutesThatUseThem() throws Exception {
    JsonNode upstreams = json("/upstreams").get("upstreams");

    assertThat(upstreams).hasSize(2);
    assertThat(upstreams.get(0).get("endpoint").asString()).isEqualTo("127.0.0.1:" + upstream.port());
    assertThat(upstreams.get(0).get("routes").toString()).isEqualTo("[\"order\"]");
    assertThat(upstreams.get(1).get("uri").asString()).isEqualTo(upstream.uri() + "/cdn");
  }

  @Test
  void listsLimitersWithTheirStoreAndKeys() throws Exception {
    host.client().newRequest(host.uri("/static/x")).timeout(10, TimeUnit.SECONDS).send();

    JsonNode limiter = json("/limiters").get("gateway").get(0);

    assertThat(limiter.get("name").asString()).isEqualTo("per-ip");
    assertThat(limiter.get("store").asString()).isEqualTo("memory");
    assertThat(limiter.get("keys").asInt()).isEqualTo(1);
  }

  @Test
  void explainsARequest() throws Exception {
    JsonNode e = json("/explain?method=GET&uri=/api/orders/42&host=api.example.com");

    assertThat(e.get("verdict").asString()).isEqualTo("NO_ROUTE"); // no X-Version header
    JsonNode statics = json("/explain?method=GET&uri=/static/app.js?v=3");
    assertThat(statics.get("route").asString()).isEqualTo("static");
    assertThat(statics.get("upstreamUri").asString()).isEqualTo(upstream.uri() + "/cdn/static/app.js?v=3");
  }

  @Test
  void anExplainQueryWithoutMethodOrUriIsA400Problem() throws Exception {
    JsonNode noParams = ProblemJson.assertProblem(get("/explain"), ProblemType.BAD_REQUEST);
    JsonNode noUri = ProblemJson.assertProblem(get("/explain?method=GET"), ProblemType.BAD_REQUEST);

    assertThat(noParams.get("detail").asString()).isEqualTo("Missing method (expected: /explain?method=GET&uri=/some/path).");
    assertThat(noUri.get("detail").asString()).startsWith("Missing uri");
  }

  @Test
  void anExplainQueryTheGatewayCannotExplainIsA400Problem() throws Exception {
    ContentResponse badUri = get("/explain?method=GET&uri=http%3A%2F%2F%5Bbad%20host%2Fx");
    ContentResponse badHost = get("/explain?method=GET&uri=/static/x&host=a%0D%0AX-Injected:%201");

    JsonNode uriBody = ProblemJson.assertProblem(badUri, ProblemType.BAD_REQUEST);
    JsonNode hostBody = ProblemJson.assertProblem(badHost, ProblemType.BAD_REQUEST);
    assertThat(uriBody.get("detail").asString()).startsWith("Cannot explain this request: ");
    assertThat(hostBody.get("detail").asString()).startsWith("Cannot explain this request: ").doesNotContain("\n");
    assertThat(badHost.getHeaders().get("X-Injected")).isNull();
    assertThat(badUri.getHeaders().get("Cache-Control")).isEqualTo("no-store");
  }

  @Test
  void anUnknownResourceIsA404ProblemListingTheResources() throws Exception {
    ContentResponse response = get("/nothing-here");
    ContentResponse long_ = get("/" + "x".repeat(500));

    JsonNode body = ProblemJson.assertProblem(response, ProblemType.NO_ROUTE);
    assertThat(body.get("title").asString()).isEqualTo("No route");
    assertThat(body.get("detail").asString())
        .isEqualTo("No admin resource at '/nothing-here'; resources: /routes, /upstreams, /limiters, /ready,"
            + " /explain?method=GET&uri=/path, /metrics, /configuration.");
    assertThat(ProblemJson.assertProblem(long_, ProblemType.NO_ROUTE).get("detail").asString())
        .as("a client's path is cut in the detail").startsWith("No admin resource at '/" + "x".repeat(99) + "';");
  }

  @Test
  void readinessIs200WhileRunningAnd503OnceShuttingDown() throws Exception {
    assertThat(json("/ready").get("ready").asBoolean()).isTrue();

    host.handler().shutdown(Duration.ZERO);

    ContentResponse response = get("/ready");
    assertThat(response.getStatus()).isEqualTo(503);
    assertThat(JSON.readTree(response.getContentAsString()).get("ready").asBoolean()).isFalse();
  }

  @Test
  void readinessIs503BeforeTheGatewayStarted() throws Exception {
    JettyGatewayHandler notStarted = JettyGatewayHandler.create(Gateway.builder()
        .route("a", r -> r.path("/a").upstream(upstream.uri())).build());
    admin.stop();
    admin.setHandler(AdminHandler.create(notStarted));
    admin.start();
    adminPort = ((ServerConnector) admin.getConnectors()[0]).getLocalPort();

    assertThat(get("/ready").getStatus()).isEqualTo(503);
    JsonNode noMetrics = ProblemJson.assertProblem(get("/metrics"), ProblemType.NO_ROUTE);
    assertThat(noMetrics.get("detail").asString()).isEqualTo("No metrics registry was given to the admin view.");
  }

  @Test
  void servesPrometheusText() throws Exception {
    assertThat(host.client().newRequest(host.uri("/static/x")).timeout(10, TimeUnit.SECONDS).send().getStatus())
        .isEqualTo(200);

    // The exchange is recorded once its last write completed, which may be after the client read the whole response.
    ContentResponse[] metrics = new ContentResponse[1];
    Await.until("the exchange in /metrics", () -> {
      metrics[0] = getUnchecked("/metrics");
      return metrics[0].getContentAsString().contains("portico_requests_seconds_count{");
    });

    assertThat(metrics[0].getStatus()).isEqualTo(200);
    assertThat(metrics[0].getHeaders().get("Content-Type")).startsWith("text/plain; version=0.0.4");
    assertThat(metrics[0].getContentAsString()).contains("route=\"static\"");
  }

  private ContentResponse getUnchecked(String pathQuery) {
    try {
      return get(pathQuery);
    } catch (Exception e) {
      throw new AssertionError("GET " + pathQuery + " failed", e);
    }
  }

  @Test
  void showsTheConfigurationSourceVersionReloadsAndTheLastRefusalWithItsPosition() throws Exception {
    ConfigurationStatus status = new ConfigurationStatus("/etc/portico/gateway.yaml", "ab".repeat(32),
        Instant.parse("2026-12-08T04:00:00Z"), 2, 1,
        Optional.of("/etc/portico/gateway.yaml:3:5 routes[0].pth: unknown key 'pth' (did you mean 'path'?)"));
    admin.stop();
    admin.setHandler(AdminHandler.builder(host.handler()).configuration(() -> status).build());
    admin.start();
    adminPort = ((ServerConnector) admin.getConnectors()[0]).getLocalPort();

    JsonNode configuration = json("/configuration").get("configuration");

    assertThat(configuration.get("source").asString()).isEqualTo("/etc/portico/gateway.yaml");
    assertThat(configuration.get("sha256").asString()).isEqualTo("ab".repeat(32));
    assertThat(configuration.get("appliedAt").asString()).isEqualTo("2026-12-08T04:00:00Z");
    assertThat(configuration.get("reloads").asLong()).isEqualTo(2);
    assertThat(configuration.get("failures").asLong()).isEqualTo(1);
    assertThat(configuration.get("lastError").asString())
        .isEqualTo("/etc/portico/gateway.yaml:3:5 routes[0].pth: unknown key 'pth' (did you mean 'path'?)");
  }

  @Test
  void withoutAConfigurationSourceTheConfigurationResourceIsA404Problem() throws Exception {
    JsonNode body = ProblemJson.assertProblem(get("/configuration"), ProblemType.NO_ROUTE);
    assertThat(body.get("detail").asString())
        .isEqualTo("No configuration source was given to the admin view (the gateway was built in code).");
  }

  @Test
  void isReadOnly() throws Exception {
    ContentResponse response = host.client().newRequest("http://127.0.0.1:" + adminPort + "/routes").method("POST")
        .timeout(10, TimeUnit.SECONDS).send();

    JsonNode body = ProblemJson.assertProblem(response, ProblemType.METHOD_NOT_ALLOWED);
    assertThat(response.getHeaders().get("Allow")).isEqualTo("GET, HEAD");
    assertThat(body.get("detail").asString()).isEqualTo("The admin view is read-only; allowed: GET, HEAD.");
  }

  @Test
  void showsTheLiveHealthAndCircuitOfUpstreamGroupEndpoints() throws Exception {
    FakeUpstream sick = FakeUpstream.start().respondWith((r, req, resp, cb) -> {
      resp.setStatus(r.target().startsWith("/health") ? 503 : 200);
      org.eclipse.jetty.io.Content.Sink.write(resp, true, "x", cb);
    });
    try {
      host.handler().reconfigure(Gateway.builder()
          .upstreamGroup(dev.portico.gateway.upstream.UpstreamGroup.builder("backend")
              .endpoint(upstream.uri()).endpoint(sick.uri())
              .healthCheck(dev.portico.gateway.upstream.HealthCheck.builder("/health")
                  .interval(Duration.ofSeconds(5)).timeout(Duration.ofSeconds(5)).unhealthyThreshold(1).build())
              .circuitBreaker(dev.portico.gateway.upstream.CircuitBreakerSettings.defaults())
              .build())
          .route("api", r -> r.path("/api/**").upstreamGroup("backend"))
          .build());
      dev.portico.gateway.testing.Await.until("the sick endpoint is out of rotation",
          () -> host.handler().upstreamStatus().stream().anyMatch(e -> !e.healthy()));

      JsonNode group = json("/upstreams").get("upstreams").get(0);

      assertThat(group.get("group").asString()).isEqualTo("backend");
      assertThat(group.get("circuit").asString()).isEqualTo("closed");
      assertThat(group.get("endpoints").get(0).get("healthy").asBoolean()).isTrue();
      assertThat(group.get("endpoints").get(1).get("healthy").asBoolean()).isFalse();
      assertThat(group.get("endpoints").get(1).get("ejected").asBoolean()).isFalse();
      assertThat(group.get("routes").toString()).isEqualTo("[\"api\"]");
    } finally {
      sick.close();
    }
  }
}
