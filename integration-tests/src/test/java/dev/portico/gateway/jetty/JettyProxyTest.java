package dev.portico.gateway.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.test.UpstreamAnswer;
import dev.portico.gateway.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.ProxyAuthenticationProtocolHandler;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.client.WWWAuthenticationProtocolHandler;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JettyProxyTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private FakeUpstream upstream;
  private GatewayServer host;
  private final List<AccessLogEntry> accessLog = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = FakeUpstream.start()
        .answer(UpstreamAnswer.text(200, "hello from upstream"));
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  private GatewayServer start(Gateway.Builder builder) throws Exception {
    host = GatewayServer.builder().gateway(builder.accessLog(accessLog::add).build())
        .permissiveUris(true).hostAnswer().start();
    return host;
  }

  private ContentResponse get(String pathQuery) throws Exception {
    return host.client().newRequest(host.uri(pathQuery)).timeout(10, TimeUnit.SECONDS).send();
  }

  private static JsonNode problem(ContentResponse response) {
    assertThat(response.getHeaders().get(HttpHeader.CONTENT_TYPE)).isEqualTo("application/problem+json");
    return JSON.readTree(response.getContentAsString());
  }

  @Test
  void forwardsPathAndQueryByteForByte() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    ContentResponse response = get("/api/items?b=%2F&a=1&a=2&c=%7e&empty=&flag");

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getContentAsString()).isEqualTo("hello from upstream");
    assertThat(upstream.takeRequest().target()).isEqualTo("/api/items?b=%2F&a=1&a=2&c=%7e&empty=&flag");
  }

  @Test
  void stripsPrefixAndKeepsQuery() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/v1/**").stripPrefix(2).upstream(upstream.uri())));

    get("/api/v1/orders/7?expand=lines");

    assertThat(upstream.takeRequest().target()).isEqualTo("/orders/7?expand=lines");
  }

  @Test
  void rewritesByTemplateWithRouteVariablesAndUpstreamBasePath() throws Exception {
    start(Gateway.builder().route("user", r -> r
        .path("/users/{id}/orders/{*rest}")
        .rewritePath("/v2/customers/{id}/{rest}")
        .upstream(upstream.uri() + "/base/")));

    get("/users/42/orders/7/lines?x=1");

    assertThat(upstream.takeRequest().target()).isEqualTo("/base/v2/customers/42/7/lines?x=1");
  }

  @Test
  void streamsRequestBodyToUpstream() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));
    String body = "x".repeat(300_000);

    ContentResponse response = host.client().newRequest(host.uri("/api/upload")).method("POST")
        .body(new StringRequestContent("text/plain", body)).timeout(10, TimeUnit.SECONDS).send();

    assertThat(response.getStatus()).isEqualTo(200);
    RecordedRequest received = upstream.takeRequest();
    assertThat(received.method()).isEqualTo("POST");
    assertThat(received.bodyAsString()).isEqualTo(body);
    assertThat(received.header("Content-Type").orElse(null)).startsWith("text/plain");
    Await.until("access log entry", () -> !accessLog.isEmpty());
    assertThat(accessLog).singleElement().satisfies(e -> assertThat(e.bytesIn()).isEqualTo(300_000));
  }

  @Test
  void removesHopByHopHeadersInBothDirections() throws Exception {
    upstream.respondWith((r, req, resp, cb) -> {
      resp.getHeaders().add("Connection", "X-Upstream-Hop");
      resp.getHeaders().add("X-Upstream-Hop", "secret");
      resp.getHeaders().add("Keep-Alive", "timeout=5");
      resp.getHeaders().add("Proxy-Authenticate", "Basic");
      resp.getHeaders().add("Trailer", "X-Checksum");
      resp.getHeaders().add("Upgrade", "example/1");
      resp.getHeaders().add("X-End-To-End", "kept");
      Content.Sink.write(resp, true, "ok", cb);
    });
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    ContentResponse response = host.client().newRequest(host.uri("/api/x"))
        .headers(h -> h.add("Connection", "X-Client-Hop, keep-alive")
            .add("X-Client-Hop", "drop me")
            .add("Keep-Alive", "timeout=5")
            .add("Proxy-Authorization", "Basic c2VjcmV0")
            .add("TE", "trailers")
            .add("Trailer", "X-Checksum")
            .add("Proxy-Connection", "keep-alive")
            .add("X-End-To-End", "kept"))
        .timeout(10, TimeUnit.SECONDS).send();

    RecordedRequest received = upstream.takeRequest();
    assertThat(received.headers()).map(field -> field.getKey().toLowerCase())
        .doesNotContain("x-client-hop", "keep-alive", "proxy-authorization", "te", "trailer",
            "proxy-connection");
    assertThat(received.header("X-End-To-End")).contains("kept");
    assertThat(response.getHeaders().getFieldNamesCollection()).map(String::toLowerCase)
        .doesNotContain("x-upstream-hop", "keep-alive", "proxy-authenticate", "trailer", "upgrade");
    assertThat(response.getHeaders().get("X-End-To-End")).isEqualTo("kept");
  }

  @Test
  void replacesForwardingHeadersFromUntrustedClients() throws Exception {
    AtomicReference<String> clientIp = new AtomicReference<>();
    start(Gateway.builder()
        .filter((exchange, chain) -> {
          clientIp.set(exchange.clientIp());
          return chain.proceed(exchange);
        })
        .route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    host.client().newRequest(host.uri("/api/x"))
        .headers(h -> h.add("X-Forwarded-For", "6.6.6.6").add("X-Forwarded-Proto", "https")
            .add("X-Forwarded-Host", "evil.example").add("X-Forwarded-Port", "1")
            .add("Forwarded", "for=6.6.6.6;proto=https").add("X-Forwarded-Prefix", "/evil")
            .add("X-Real-IP", "6.6.6.6").add("True-Client-IP", "6.6.6.6").add("CF-Connecting-IP", "6.6.6.6"))
        .timeout(10, TimeUnit.SECONDS).send();

    RecordedRequest received = upstream.takeRequest();
    assertThat(received.header("X-Real-IP")).isEmpty();
    assertThat(received.header("True-Client-IP")).isEmpty();
    assertThat(received.header("CF-Connecting-IP")).isEmpty();
    assertThat(received.headerValues("X-Forwarded-For")).containsExactly("127.0.0.1");
    assertThat(received.header("X-Forwarded-Proto")).contains("http");
    assertThat(received.header("X-Forwarded-Host")).contains("127.0.0.1:" + host.port());
    assertThat(received.header("X-Forwarded-Port")).contains(Integer.toString(host.port()));
    assertThat(received.headerValues("Forwarded"))
        .containsExactly("for=127.0.0.1;proto=http;host=\"127.0.0.1:" + host.port() + "\"");
    assertThat(received.header("X-Forwarded-Prefix")).isEmpty();
    assertThat(clientIp.get()).isEqualTo("127.0.0.1");
  }

  @Test
  void appendsToForwardingHeadersFromTrustedProxies() throws Exception {
    AtomicReference<String> clientIp = new AtomicReference<>();
    start(Gateway.builder()
        .trustedProxies("127.0.0.0/8", "10.0.0.0/8")
        .filter((exchange, chain) -> {
          clientIp.set(exchange.clientIp());
          return chain.proceed(exchange);
        })
        .route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    host.client().newRequest(host.uri("/api/x"))
        .headers(h -> h.add("X-Forwarded-For", "203.0.113.7, 10.1.2.3").add("X-Forwarded-Proto", "https")
            .add("X-Forwarded-Host", "api.example.com").add("X-Forwarded-Port", "443")
            .add("Forwarded", "for=203.0.113.7;proto=https").add("X-Forwarded-Prefix", "/shop")
            .add("X-Real-IP", "203.0.113.7"))
        .timeout(10, TimeUnit.SECONDS).send();

    RecordedRequest received = upstream.takeRequest();
    assertThat(received.header("X-Real-IP")).contains("203.0.113.7");
    assertThat(received.header("X-Forwarded-For")).contains("203.0.113.7, 10.1.2.3, 127.0.0.1");
    assertThat(received.header("X-Forwarded-Proto")).contains("https");
    assertThat(received.header("X-Forwarded-Host")).contains("api.example.com");
    assertThat(received.header("X-Forwarded-Port")).contains("443");
    assertThat(received.header("Forwarded").orElse(null))
        .isEqualTo("for=203.0.113.7;proto=https, for=127.0.0.1;proto=http;host=\"127.0.0.1:" + host.port() + "\"");
    assertThat(received.header("X-Forwarded-Prefix")).contains("/shop");
    assertThat(clientIp.get()).isEqualTo("203.0.113.7");
  }

  @Test
  void sendsUpstreamHostByDefaultAndClientHostWhenPreserved() throws Exception {
    start(Gateway.builder()
        .route("plain", r -> r.path("/plain/**").upstream(upstream.uri()))
        .route("kept", r -> r.path("/kept/**").preserveHost().upstream(upstream.uri())));

    host.client().newRequest(host.uri("/plain/x")).headers(h -> h.put("Host", "shop.example.com"))
        .timeout(10, TimeUnit.SECONDS).send();
    host.client().newRequest(host.uri("/kept/x")).headers(h -> h.put("Host", "shop.example.com"))
        .timeout(10, TimeUnit.SECONDS).send();

    assertThat(upstream.takeRequest().header("Host")).contains("127.0.0.1:" + upstream.port());
    assertThat(upstream.takeRequest().header("Host")).contains("shop.example.com");
  }

  @Test
  void keepsWellFormedRequestIdAndReplacesMalformedOne() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    ContentResponse kept = host.client().newRequest(host.uri("/api/1"))
        .headers(h -> h.put("X-Request-Id", "abc-123.DEF:9_z")).timeout(10, TimeUnit.SECONDS).send();
    ContentResponse replaced = host.client().newRequest(host.uri("/api/2"))
        .headers(h -> h.put("X-Request-Id", "bad id <script>")).timeout(10, TimeUnit.SECONDS).send();
    ContentResponse generated = get("/api/3");

    assertThat(kept.getHeaders().get("X-Request-Id")).isEqualTo("abc-123.DEF:9_z");
    assertThat(upstream.takeRequest().header("X-Request-Id")).contains("abc-123.DEF:9_z");
    assertThat(replaced.getHeaders().get("X-Request-Id")).matches("[0-9a-f]{32}");
    assertThat(upstream.takeRequest().header("X-Request-Id")).contains(replaced.getHeaders().get("X-Request-Id"));
    assertThat(generated.getHeaders().get("X-Request-Id")).matches("[0-9a-f]{32}")
        .isNotEqualTo(replaced.getHeaders().get("X-Request-Id"));
    assertThat(upstream.takeRequest().header("X-Request-Id")).contains(generated.getHeaders().get("X-Request-Id"));
  }

  @Test
  void handsUnmatchedRequestsBackToTheHost() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    ContentResponse response = get("/not-the-gateways");

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getContentAsString()).isEqualTo(GatewayServer.HOST_ANSWER);
    assertThat(upstream.pollRequest()).isEmpty();
    assertThat(accessLog).isEmpty();
  }

  @Test
  void answers405WithAllowWhenOnlyTheMethodMisses() throws Exception {
    start(Gateway.builder()
        .route("read", r -> r.path("/api/orders").methods("GET", "HEAD").upstream(upstream.uri()))
        .route("write", r -> r.path("/api/orders").methods("POST").upstream(upstream.uri())));

    ContentResponse response = host.client().newRequest(host.uri("/api/orders")).method("DELETE")
        .timeout(10, TimeUnit.SECONDS).send();

    assertThat(response.getStatus()).isEqualTo(405);
    assertThat(response.getHeaders().get("Allow")).isEqualTo("GET, HEAD, POST");
    JsonNode problem = problem(response);
    assertThat(problem.get("type").asString()).isEqualTo(ProblemType.METHOD_NOT_ALLOWED.type().toString());
    assertThat(problem.get("status").asInt()).isEqualTo(405);
    assertThat(problem.get("requestId").asString()).isEqualTo(response.getHeaders().get("X-Request-Id"));
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void answers502ProblemWhenTheUpstreamRefusesConnections() throws Exception {
    int closedPort = dev.portico.gateway.testing.RefusingPort.reserve();
    start(Gateway.builder().route("down", r -> r.path("/down/**").upstream("http://127.0.0.1:" + closedPort)));

    ContentResponse response = get("/down/x");

    assertThat(response.getStatus()).isEqualTo(502);
    JsonNode problem = problem(response);
    assertThat(problem.get("type").asString()).isEqualTo("https://portico.dev/problems/upstream-unavailable");
    assertThat(problem.get("title").asString()).isEqualTo("Upstream unavailable");
    assertThat(problem.get("detail").asString()).doesNotContain("127.0.0.1").doesNotContain(Integer.toString(closedPort));
    Await.until("access log entry", () -> !accessLog.isEmpty());
    assertThat(accessLog).singleElement().satisfies(e -> {
      assertThat(e.status()).isEqualTo(502);
      assertThat(e.routeId()).contains("down");
      assertThat(e.outcome()).isEqualTo("problem");
    });
  }

  @Test
  void answers504ProblemWhenTheUpstreamDoesNotRespondInTime() throws Exception {
    CompletableFuture<Void> released = new CompletableFuture<>();
    upstream.respondWith((r, req, resp, cb) -> released.whenComplete((v, x) -> cb.succeeded()));
    start(Gateway.builder().route("slow", r -> r.path("/slow/**").responseTimeout(Duration.ofMillis(300))
        .upstream(upstream.uri())));

    long start = System.nanoTime();
    ContentResponse response = get("/slow/x");
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    released.complete(null);

    assertThat(response.getStatus()).isEqualTo(504);
    assertThat(problem(response).get("type").asString()).isEqualTo("https://portico.dev/problems/upstream-timeout");
    assertThat(tookMillis).isBetween(250L, 9_000L);
  }

  @Test
  void filtersRunGlobalFirstThenRouteAndCanAnswerByThemselves() throws Exception {
    List<String> order = new CopyOnWriteArrayList<>();
    start(Gateway.builder()
        .filter((exchange, chain) -> {
          order.add("global");
          return chain.proceed(exchange);
        })
        .route("guarded", r -> r.path("/guarded/**").upstream(upstream.uri())
            .filter((exchange, chain) -> {
              order.add("route");
              if (!exchange.request().headers().contains("X-Key")) {
                return CompletableFuture.completedFuture(GatewayResponse.problem(
                    ProblemType.BAD_REQUEST.withDetail("X-Key is required")));
              }
              return chain.proceed(exchange.withRequest(exchange.request().toBuilder()
                  .header("X-Added", "by-filter").build()))
                  .thenApply(resp -> resp.withHeaders(resp.headers().toBuilder().add("X-Seen", "yes").build()));
            })));

    ContentResponse refused = get("/guarded/x");
    ContentResponse passed = host.client().newRequest(host.uri("/guarded/y")).headers(h -> h.put("X-Key", "k"))
        .timeout(10, TimeUnit.SECONDS).send();

    assertThat(order).containsExactly("global", "route", "global", "route");
    assertThat(refused.getStatus()).isEqualTo(400);
    assertThat(problem(refused).get("detail").asString()).isEqualTo("X-Key is required");
    assertThat(passed.getStatus()).isEqualTo(200);
    assertThat(passed.getHeaders().get("X-Seen")).isEqualTo("yes");
    assertThat(upstream.takeRequest().header("X-Added")).contains("by-filter");
  }

  @Test
  void brokenFilterContractAnswers500WithoutDetails() throws Exception {
    start(Gateway.builder()
        .route("twice", r -> r.path("/twice").upstream(upstream.uri()).filter((exchange, chain) -> {
          chain.proceed(exchange);
          return chain.proceed(exchange);
        }))
        .route("null", r -> r.path("/null").upstream(upstream.uri()).filter((exchange, chain) -> null))
        .route("throws", r -> r.path("/throws").upstream(upstream.uri()).filter((exchange, chain) -> {
          throw new IllegalStateException("secret internal state");
        })));

    for (String path : List.of("/twice", "/null", "/throws")) {
      ContentResponse response = get(path);
      assertThat(response.getStatus()).as(path).isEqualTo(500);
      JsonNode problem = problem(response);
      assertThat(problem.get("type").asString()).isEqualTo("https://portico.dev/problems/internal");
      assertThat(response.getContentAsString()).doesNotContain("secret").doesNotContain("Exception");
    }
  }

  @Test
  void writesOneAccessLogEntryPerExchange() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    ContentResponse response = host.client().newRequest(host.uri("/api/a?token=secret"))
        .headers(h -> h.put("Authorization", "Bearer secret")).timeout(10, TimeUnit.SECONDS).send();

    Await.until("access log entry", () -> !accessLog.isEmpty());
    assertThat(accessLog).singleElement().satisfies(e -> {
      assertThat(e.routeId()).contains("api");
      assertThat(e.method()).isEqualTo("GET");
      assertThat(e.path()).isEqualTo("/api/a");
      assertThat(e.status()).isEqualTo(200);
      assertThat(e.upstream()).contains(upstream.uri() + "/api/a");
      assertThat(e.clientIp()).isEqualTo("127.0.0.1");
      assertThat(e.bytesOut()).isEqualTo("hello from upstream".length());
      assertThat(e.requestId()).isEqualTo(response.getHeaders().get("X-Request-Id"));
      assertThat(e.outcome()).isEqualTo("ok");
      assertThat(e.toLine()).doesNotContain("secret");
    });
  }

  @Test
  void passesUpstreamErrorStatusesThrough() throws Exception {
    upstream.respondWith((r, req, resp, cb) -> {
      resp.setStatus(503);
      resp.getHeaders().put("Retry-After", "7");
      Content.Sink.write(resp, true, "upstream says no", cb);
    });
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    ContentResponse response = get("/api/x");

    assertThat(response.getStatus()).isEqualTo(503);
    assertThat(response.getHeaders().get("Retry-After")).isEqualTo("7");
    assertThat(response.getContentAsString()).isEqualTo("upstream says no");
  }

  @Test
  void passesUpstreamAuthenticationChallengesThroughUntouched() throws Exception {
    // The upstream's own 401 and 407 belong to the client: the gateway's HTTP client must not try to
    // answer the challenge, nor hold the body (Jetty's client buffers a 401 body up to 16 KiB).
    String body = "c".repeat(100_000);
    upstream.respondWith((r, req, resp, cb) -> {
      resp.setStatus(r.target().endsWith("proxy") ? 407 : 401);
      resp.getHeaders().put("WWW-Authenticate", "Basic realm=\"upstream\"");
      resp.getHeaders().put("Proxy-Authenticate", "Basic realm=\"upstream-proxy\"");
      Content.Sink.write(resp, true, body, cb);
    });
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));
    // The test's own client must not hold the body either.
    host.client().getProtocolHandlers().remove(WWWAuthenticationProtocolHandler.NAME);
    host.client().getProtocolHandlers().remove(ProxyAuthenticationProtocolHandler.NAME);

    ContentResponse unauthorized = get("/api/x");
    ContentResponse proxyUnauthorized = get("/api/proxy");

    assertThat(unauthorized.getStatus()).isEqualTo(401);
    assertThat(unauthorized.getHeaders().get("WWW-Authenticate")).isEqualTo("Basic realm=\"upstream\"");
    assertThat(unauthorized.getContentAsString()).hasSize(body.length()).isEqualTo(body);
    assertThat(proxyUnauthorized.getStatus()).isEqualTo(407);
    assertThat(proxyUnauthorized.getContentAsString()).isEqualTo(body);
    assertThat(upstream.takeRequest().target()).isEqualTo("/api/x");
    assertThat(upstream.takeRequest().target()).isEqualTo("/api/proxy");
  }

  @Test
  void refusesAmbiguousPathsWith400BeforeMatching() throws Exception {
    start(Gateway.builder()
        .route("public", r -> r.path("/public/**").upstream(upstream.uri()))
        .route("admin", r -> r.path("/admin/**").upstream(upstream.uri())));

    var response = dev.portico.gateway.test.RawClient.send(host.port(), "/public/..%2Fadmin/users");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.text()).contains("application/problem+json").contains("https://portico.dev/problems/bad-path");
    assertThat(upstream.pollRequest()).isEmpty();
    assertThat(new String(response.body().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8))
        .contains("\"status\":400");
  }

  @Test
  void hostServersWithDefaultUriComplianceAlsoRefuseAmbiguousPaths() throws Exception {
    host = GatewayServer.builder().gateway(Gateway.builder()
        .route("public", r -> r.path("/public/**").upstream(upstream.uri())).build())
            .permissiveUris(false).hostAnswer().start();

    var response = dev.portico.gateway.test.RawClient.send(host.port(), "/public/..%2Fadmin/users");

    assertThat(response.status()).isEqualTo(400);
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void forwardsChunkedUploadsAndExpectContinue() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    var raw = dev.portico.gateway.test.RawClient.exchange(host.port(),
        "POST /api/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n"
            + "Content-Type: text/plain\r\nConnection: close\r\n\r\n"
            + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");

    assertThat(raw.text()).contains("200 OK").contains("hello from upstream");
    RecordedRequest received = upstream.takeRequest();
    assertThat(received.bodyAsString()).isEqualTo("hello world");
    assertThat(received.header("Expect")).isEmpty();
  }

  @Test
  void headAndNoContentResponsesHaveNoBody() throws Exception {
    upstream.respondWith((r, req, resp, cb) -> {
      if (r.method().equals("HEAD")) {
        resp.getHeaders().put("Content-Length", 1234);
        cb.succeeded();
      } else {
        resp.setStatus(204);
        cb.succeeded();
      }
    });
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    ContentResponse head = host.client().newRequest(host.uri("/api/h")).method("HEAD").timeout(10, TimeUnit.SECONDS).send();
    ContentResponse noContent = host.client().newRequest(host.uri("/api/d")).method("DELETE").timeout(10, TimeUnit.SECONDS).send();

    assertThat(head.getStatus()).isEqualTo(200);
    assertThat(head.getHeaders().get("Content-Length")).isEqualTo("1234");
    assertThat(head.getContent()).isEmpty();
    assertThat(noContent.getStatus()).isEqualTo(204);
    assertThat(noContent.getContent()).isEmpty();
    assertThat(upstream.takeRequest().method()).isEqualTo("HEAD");
    assertThat(upstream.takeRequest().method()).isEqualTo("DELETE");
  }

  @Test
  void refusesARewriteThatWouldSendDotSegmentsUpstream() throws Exception {
    start(Gateway.builder().route("files", r -> r
        .pathRegex("^/files/(?<name>[^/]+)$")
        .rewritePath("/store/{name}/../../secret")
        .upstream(upstream.uri())));

    ContentResponse response = get("/files/report.txt");

    assertThat(response.getStatus()).isEqualTo(400);
    assertThat(problem(response).get("type").asString()).isEqualTo("https://portico.dev/problems/bad-path");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void matchesBelowTheContextPathWhenMountedInAContextHandler() throws Exception {
    org.eclipse.jetty.server.Server server = new org.eclipse.jetty.server.Server();
    org.eclipse.jetty.server.ServerConnector connector = new org.eclipse.jetty.server.ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    org.eclipse.jetty.server.handler.ContextHandler context = new org.eclipse.jetty.server.handler.ContextHandler("/shop");
    context.setHandler(JettyGatewayHandler.create(Gateway.builder()
        .route("api", r -> r.path("/api/**").upstream(upstream.uri())).build()));
    server.setHandler(context);
    server.start();
    org.eclipse.jetty.client.HttpClient client = new org.eclipse.jetty.client.HttpClient();
    client.start();
    try {
      ContentResponse response = client.newRequest("http://127.0.0.1:" + connector.getLocalPort() + "/shop/api/items?x=1")
          .timeout(10, TimeUnit.SECONDS).send();

      assertThat(response.getStatus()).isEqualTo(200);
      assertThat(upstream.takeRequest().target()).isEqualTo("/api/items?x=1");
    } finally {
      client.stop();
      server.stop();
    }
  }

  @Test
  void headerValuesPassExactlyAsSentWhenAnEarlierRequestOnTheConnectionSpeltThemInAnotherCase()
      throws Exception {
    upstream.respondWith((r, req, resp, cb) -> {
      resp.getHeaders().add("Cache-Control", req.getHeaders().get("X-Want-Cache-Control"));
      Content.Sink.write(resp, true, "ok", cb);
    });
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    List<String> upstreamSaw = new ArrayList<>();
    List<String> clientSaw = new ArrayList<>();
    for (String spelling : List.of("no-cache", "No-Cache", "NO-CACHE")) {
      ContentResponse response = host.client().newRequest(host.uri("/api/x"))
          .headers(h -> h.put(HttpHeader.USER_AGENT, "agent/" + spelling)
              .put("X-Want-Cache-Control", spelling))
          .timeout(10, TimeUnit.SECONDS).send();
      upstreamSaw.add(upstream.takeRequest().header("User-Agent").orElse(null));
      clientSaw.add(response.getHeaders().get(HttpHeader.CACHE_CONTROL));
    }

    // One connection each way, each parser with a cache of fields it saw before.
    assertThat(upstreamSaw).containsExactly("agent/no-cache", "agent/No-Cache", "agent/NO-CACHE");
    assertThat(clientSaw).containsExactly("no-cache", "No-Cache", "NO-CACHE");
  }

  @Test
  void longMixedCaseValuesPassExactlyWhenTheConnectionCarriedThemBeforeInAnotherCase() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));
    String head = "session=" + mixedCase(300, new Random(8));
    String tail = mixedCase(300, new Random(9));
    String sent = head + "Q" + tail;
    String flipped = head + "q" + tail;

    List<String> upstreamSaw = new ArrayList<>();
    for (String value : List.of(sent, flipped, sent)) {
      host.client().newRequest(host.uri("/api/x")).headers(h -> h.put(HttpHeader.COOKIE, value))
          .timeout(10, TimeUnit.SECONDS).send();
      upstreamSaw.add(upstream.takeRequest().header("Cookie").orElse(null));
    }

    assertThat(upstreamSaw).containsExactly(sent, flipped, sent);
  }

  private static String mixedCase(int length, Random random) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    StringBuilder value = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      value.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return value.toString();
  }

  @Test
  void theHostsPerConnectionHeaderCacheIsOffOnceTheGatewayStarts() throws Exception {
    // Exact values without Jetty's slow case-sensitive lookups: no cache at all (ExactHeaderValues).
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    List<HttpConfiguration> configs = new ArrayList<>();
    for (Connector connector : host.jettyServer().getConnectors()) {
      for (ConnectionFactory factory : connector.getConnectionFactories()) {
        if (factory instanceof HttpConfiguration.ConnectionFactory http) {
          configs.add(http.getHttpConfiguration());
        }
      }
    }

    assertThat(configs).isNotEmpty().allSatisfy(config -> {
      assertThat(config.getHeaderCacheSize()).isZero();
      assertThat(config.isHeaderCacheCaseSensitive()).isTrue();
    });
  }

  @Test
  void theClientSeesTheGatewaysRequestIdNotTheUpstreams() throws Exception {
    upstream.respondWith((r, req, resp, cb) -> {
      resp.getHeaders().add("X-Request-Id", "upstream-own-id");
      resp.getHeaders().add("x-request-id", "another-of-its-own");
      Content.Sink.write(resp, true, "ok", cb);
    });
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    ContentResponse response = host.client().newRequest(host.uri("/api/1"))
        .headers(h -> h.put("X-Request-Id", "client-id-1")).timeout(10, TimeUnit.SECONDS).send();

    assertThat(response.getHeaders().getValuesList("X-Request-Id")).containsExactly("client-id-1");
    assertThat(upstream.takeRequest().header("X-Request-Id")).contains("client-id-1");
  }

  @Test
  void theUpstreamsDateAndServerReplaceTheHostsOwn() throws Exception {
    upstream.respondWith((r, req, resp, cb) -> {
      resp.getHeaders().put("Server", "upstream/1.0");
      resp.getHeaders().put("Date", "Tue, 01 Jan 2030 00:00:00 GMT");
      Content.Sink.write(resp, true, "ok", cb);
    });
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    var raw = dev.portico.gateway.test.RawClient.send(host.port(), "/api/x");

    String head = raw.text().substring(0, raw.text().indexOf("\r\n\r\n"));
    assertThat(head.split("\r\n")).filteredOn(l -> l.regionMatches(true, 0, "Server:", 0, 7))
        .containsExactly("Server: upstream/1.0");
    assertThat(head.split("\r\n")).filteredOn(l -> l.regionMatches(true, 0, "Date:", 0, 5))
        .containsExactly("Date: Tue, 01 Jan 2030 00:00:00 GMT");
  }
}
