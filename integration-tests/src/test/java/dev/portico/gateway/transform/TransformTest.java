package dev.portico.gateway.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.Challenge;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.test.UpstreamAnswer;
import dev.portico.gateway.transform.json.JacksonTreeFunction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Header, query, method and JSON body transforms, against a real upstream that records what it received. */
class TransformTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** Lets "Bearer alice" through as alice, with scopes and a tenant claim; refuses the rest. */
  private static final Authenticator BEARER = exchange -> CompletableFuture.completedFuture(
      exchange.request().headers().first("Authorization").filter(v -> v.startsWith("Bearer "))
          .map(v -> AuthResult.authenticated(Identity.builder(v.substring(7)).method("test").issuer("https://idp.test")
              .scopes(Set.of("orders:write", "orders:read")).claims(Map.of("tenant", "acme", "nested", Map.of("a", 1)))
              .build()))
          .orElse(AuthResult.noCredentials(Challenge.bearer("test"))));

  private FakeUpstream upstream;
  private GatewayServer host;

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

  private void start(Gateway.Builder gateway) throws Exception {
    host = GatewayServer.builder().gateway(gateway.build()).permissiveUris(true).hostAnswer().start();
  }

  private ContentResponse get(String pathQuery, String... headers) throws Exception {
    return host.client().newRequest(host.uri(pathQuery)).headers(h -> {
      for (int i = 0; i < headers.length; i += 2) {
        h.add(headers[i], headers[i + 1]);
      }
    }).timeout(10, TimeUnit.SECONDS).send();
  }

  private ContentResponse postJson(String pathQuery, String json) throws Exception {
    return host.client().newRequest(host.uri(pathQuery)).method("POST")
        .body(new StringRequestContent("application/json", json)).timeout(10, TimeUnit.SECONDS).send();
  }

  @Test
  void requestHeaderRulesAddSetAppendRemoveAndRenameWithTemplates() throws Exception {
    start(Gateway.builder().route("user", r -> r
        .path("/users/{id}")
        .authenticator(BEARER)
        .requestHeaders(h -> h
            .set("X-Route", "{route.id}")
            .set("X-User-Id", "{var.id}")
            .set("X-Subject", "{identity.subject} via {identity.method}")
            .set("X-Scopes", "{identity.scopes}")
            .set("X-Tenant", "{identity.claim.tenant}")
            .set("X-Nested", "{identity.claim.nested}")
            .set("X-Trace", "gw-{requestId}")
            .set("X-Client", "{clientIp}")
            .add("X-Multi", "two")
            .append("Via", "1.1 portico")
            .append("X-New-List", "first")
            .remove("Cookie")
            .rename("X-Legacy-Tenant", "X-Tenant-Id")
            .set("X-Braces", "{{literal}}"))
        .upstream(upstream.uri())));

    ContentResponse response = get("/users/42", "Authorization", "Bearer alice", "X-Multi", "one", "Via", "1.0 edge",
        "Cookie", "session=secret", "X-Legacy-Tenant", "t1", "X-Legacy-Tenant", "t2", "X-Request-Id", "req-1");

    assertThat(response.getStatus()).isEqualTo(200);
    RecordedRequest received = upstream.takeRequest();
    assertThat(received.header("X-Route")).contains("user");
    assertThat(received.header("X-User-Id")).contains("42");
    assertThat(received.header("X-Subject")).contains("alice via test");
    assertThat(received.header("X-Scopes")).contains("orders:read orders:write");
    assertThat(received.header("X-Tenant")).contains("acme");
    assertThat(received.header("X-Nested")).as("a non-scalar claim leaves the rule out").isEmpty();
    assertThat(received.header("X-Trace")).contains("gw-req-1");
    assertThat(received.header("X-Client")).contains("127.0.0.1");
    assertThat(received.headerValues("X-Multi")).containsExactly("one", "two");
    assertThat(received.header("Via")).contains("1.0 edge, 1.1 portico");
    assertThat(received.header("X-New-List")).contains("first");
    assertThat(received.header("Cookie")).isEmpty();
    assertThat(received.header("X-Legacy-Tenant")).isEmpty();
    assertThat(received.headerValues("X-Tenant-Id")).containsExactly("t1", "t2");
    assertThat(received.header("X-Braces")).contains("{literal}");
  }

  @Test
  void ruleWithAnAbsentValueIsSkippedAndTheClientsCopyOfAnIdentityHeaderIsGone() throws Exception {
    start(Gateway.builder().route("open", r -> r.path("/open").permitAll()
        .requestHeaders(h -> h.set("X-Subject", "{identity.subject}").set("X-Issuer", "iss={identity.issuer}"))
        .upstream(upstream.uri())));

    get("/open", "X-Subject", "forged");

    RecordedRequest received = upstream.takeRequest();
    // X-Subject is filled from the identity: a client's copy never passes, even where the rule is skipped.
    assertThat(received.header("X-Subject")).isEmpty();
    assertThat(received.header("X-Issuer")).isEmpty();
  }

  @Test
  void responseHeaderRulesAndTheInternalHeadersOneLiner() throws Exception {
    upstream.respondWith((r, req, resp, cb) -> {
      resp.getHeaders().put("Server", "Apache/2.4.1 (Unix)");
      resp.getHeaders().put("X-Powered-By", "PHP/5.6");
      resp.getHeaders().put("X-AspNet-Version", "4.0.30319");
      resp.getHeaders().put("X-Backend", "node-7");
      resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
      Content.Sink.write(resp, true, "ok", cb);
    });
    start(Gateway.builder().route("api", r -> r.path("/api/**")
        .responseHeaders(HeaderRules.stripInternal().toBuilder()
            .rename("X-Backend", "X-Served-By")
            .set("X-Request-Route", "{route.id} {request.method} {request.path}")
            .build())
        .upstream(upstream.uri())));

    ContentResponse response = get("/api/x");

    assertThat(response.getContentAsString()).isEqualTo("ok");
    assertThat(response.getHeaders().getValuesList("Server")).doesNotContain("Apache/2.4.1 (Unix)");
    assertThat(response.getHeaders().get("X-Powered-By")).isNull();
    assertThat(response.getHeaders().get("X-AspNet-Version")).isNull();
    assertThat(response.getHeaders().get("X-Backend")).isNull();
    assertThat(response.getHeaders().get("X-Served-By")).isEqualTo("node-7");
    assertThat(response.getHeaders().get("X-Request-Route")).isEqualTo("api GET /api/x");
  }

  @Test
  void queryRulesAddSetAndRemoveKeepingTheRestByteForByte() throws Exception {
    start(Gateway.builder().route("search", r -> r.path("/search/{index}")
        .requestQuery(q -> q.set("index", "{var.index}").add("source", "gate way/ä").remove("debug", "trace"))
        .upstream(upstream.uri())));

    get("/search/books?q=a%20b&debug=1&index=evil&x=%7e&trace&debug=2");

    assertThat(upstream.takeRequest().target()).isEqualTo("/search/books?q=a%20b&x=%7e&index=books&source=gate%20way%2F%C3%A4");
  }

  @Test
  void queryRulesOnARequestWithoutQuery() throws Exception {
    start(Gateway.builder().route("search", r -> r.path("/search")
        .requestQuery(q -> q.remove("debug").add("v", "2"))
        .upstream(upstream.uri())));

    get("/search");

    assertThat(upstream.takeRequest().target()).isEqualTo("/search?v=2");
  }

  @Test
  void methodOverrideChangesOnlyWhatTheUpstreamSees() throws Exception {
    start(Gateway.builder().route("legacy", r -> r.path("/legacy/search").methods("GET")
        .methodOverride("POST")
        .upstream(upstream.uri())));

    ContentResponse response = get("/legacy/search?q=1");

    assertThat(response.getStatus()).isEqualTo(200);
    RecordedRequest received = upstream.takeRequest();
    assertThat(received.method()).isEqualTo("POST");
    assertThat(received.target()).isEqualTo("/legacy/search?q=1");
  }

  @Test
  void requestJsonOperationsByPointerWithRecomputedLength() throws Exception {
    start(Gateway.builder().route("orders", r -> r.path("/orders/{id}").authenticator(BEARER)
        .requestJson(j -> j
            .rename("/customer_id", "/customerId")
            .remove("/internal")
            .remove("/lines/1")
            .set("/meta/requestId", "{requestId}")
            .set("/meta/user", "{identity.subject}")
            .set("/meta/order", "{var.id}")
            .set("/meta/version", 2)
            .set("/meta/beta", true)
            .add("/priority", "normal")
            .add("/existing", "not written")
            .addJson("/tags", "[\"gateway\"]")
            .set("/lines/-", "appended")
            .set("/a~1b", "slash")
            .remove("/missing/deeper"))
        .upstream(upstream.uri())));

    ContentResponse response = host.client().newRequest(host.uri("/orders/7")).method("PUT")
        .headers(h -> h.add("Authorization", "Bearer alice").add("X-Request-Id", "req-9"))
        .body(new StringRequestContent("application/json; charset=utf-8",
            "{\"customer_id\": 5, \"internal\": {\"cost\": 3}, \"lines\": [\"a\", \"b\", \"c\"], \"existing\": 1,"
                + " \"price\": 12.50}"))
        .timeout(10, TimeUnit.SECONDS).send();

    assertThat(response.getStatus()).isEqualTo(200);
    RecordedRequest received = upstream.takeRequest();
    assertThat(received.bodyAsString()).isEqualTo("{\"lines\":[\"a\",\"c\",\"appended\"],\"existing\":1,\"price\":12.50,"
        + "\"customerId\":5,\"meta\":{\"requestId\":\"req-9\",\"user\":\"alice\",\"order\":\"7\",\"version\":2,"
        + "\"beta\":true},\"priority\":\"normal\",\"tags\":[\"gateway\"],\"a/b\":\"slash\"}");
    assertThat(received.header("Content-Length")).contains(Integer.toString(received.bodyAsString().length()));
    assertThat(received.header("Content-Type")).contains("application/json; charset=utf-8");
  }

  @Test
  void requestJsonFunctionOverTheTree() throws Exception {
    start(Gateway.builder().route("orders", r -> r.path("/orders").permitAll()
        .requestJson(j -> j.function(JacksonTreeFunction.of((body, exchange) -> {
          if (body instanceof ObjectNode order) {
            order.put("total", order.path("net").asLong() + order.path("tax").asLong());
            order.put("route", exchange.route().id());
          }
          return body;
        })))
        .upstream(upstream.uri())));

    postJson("/orders", "{\"net\": 100, \"tax\": 19}");

    assertThat(upstream.takeRequest().bodyAsString()).isEqualTo("{\"net\":100,\"tax\":19,\"total\":119,\"route\":\"orders\"}");
  }

  @Test
  void requestJsonLeavesOtherMediaTypesAlone() throws Exception {
    start(Gateway.builder().route("orders", r -> r.path("/orders").requestJson(j -> j.remove("/a"))
        .upstream(upstream.uri())));

    host.client().newRequest(host.uri("/orders")).method("POST")
        .body(new StringRequestContent("text/plain", "{\"a\": 1}")).timeout(10, TimeUnit.SECONDS).send();

    assertThat(upstream.takeRequest().bodyAsString()).isEqualTo("{\"a\": 1}");
  }

  @Test
  void oversizedRequestJsonIs413AndMalformedIs400BeforeTheUpstream() throws Exception {
    start(Gateway.builder().route("orders", r -> r.path("/orders").requestJson(j -> j.remove("/a").maxBodySize(32))
        .upstream(upstream.uri())));

    ContentResponse tooLarge = postJson("/orders", "{\"a\": \"" + "x".repeat(64) + "\"}");
    ContentResponse malformed = postJson("/orders", "{\"a\": ");

    assertThat(tooLarge.getStatus()).isEqualTo(413);
    assertThat(JSON.readTree(tooLarge.getContentAsString()).path("type").asString())
        .isEqualTo("https://portico.dev/problems/payload-too-large");
    assertThat(malformed.getStatus()).isEqualTo(400);
    assertThat(JSON.readTree(malformed.getContentAsString()).path("type").asString())
        .isEqualTo("https://portico.dev/problems/malformed-json");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void gzipRequestJsonIsDecodedTransformedAndSentUncompressed() throws Exception {
    start(Gateway.builder().route("orders", r -> r.path("/orders").requestJson(j -> j.remove("/secret"))
        .upstream(upstream.uri())));

    host.client().newRequest(host.uri("/orders")).method("POST").headers(h -> h.add("Content-Encoding", "gzip"))
        .body(new BytesRequestContent("application/json", gzip("{\"secret\": 1, \"ok\": true}")))
        .timeout(10, TimeUnit.SECONDS).send();

    RecordedRequest received = upstream.takeRequest();
    assertThat(received.bodyAsString()).isEqualTo("{\"ok\":true}");
    assertThat(received.header("Content-Encoding")).isEmpty();
    assertThat(received.header("Content-Length")).contains("11");
  }

  @Test
  void responseJsonTransformWithRecomputedLengthAndWeakETag() throws Exception {
    upstream.respondWith((r, req, resp, cb) -> {
      resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      resp.getHeaders().put(HttpHeader.ETAG, "\"v1\"");
      Content.Sink.write(resp, true, "{\"id\": 7, \"internalNotes\": \"do not show\", \"first_name\": \"Ada\"}", cb);
    });
    start(Gateway.builder().route("users", r -> r.path("/users/{id}")
        .responseJson(j -> j.remove("/internalNotes").rename("/first_name", "/firstName").set("/links/self", "/users/{var.id}"))
        .upstream(upstream.uri())));

    ContentResponse response = get("/users/7");

    String expected = "{\"id\":7,\"firstName\":\"Ada\",\"links\":{\"self\":\"/users/7\"}}";
    assertThat(response.getContentAsString()).isEqualTo(expected);
    assertThat(response.getHeaders().get(HttpHeader.CONTENT_LENGTH)).isEqualTo(Integer.toString(expected.length()));
    assertThat(response.getHeaders().get(HttpHeader.ETAG)).isEqualTo("W/\"v1\"");
  }

  @Test
  void gzipResponseJsonIsDecodedAndSentUncompressed() throws Exception {
    byte[] compressed = gzip("{\"secret\": \"s\", \"public\": 1}");
    upstream.respondWith((r, req, resp, cb) -> {
      assertThat(r.header("Accept-Encoding")).contains("gzip");
      resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      resp.getHeaders().put(HttpHeader.CONTENT_ENCODING, "gzip");
      resp.write(true, java.nio.ByteBuffer.wrap(compressed), cb);
    });
    start(Gateway.builder().route("api", r -> r.path("/api").responseJson(j -> j.remove("/secret"))
        .upstream(upstream.uri())));

    ContentResponse response = host.client().newRequest(host.uri("/api"))
        .headers(h -> h.put(HttpHeader.ACCEPT_ENCODING, "br, gzip;q=0.8")).timeout(10, TimeUnit.SECONDS).send();

    assertThat(response.getHeaders().get(HttpHeader.CONTENT_ENCODING)).isNull();
    assertThat(response.getContentAsString()).isEqualTo("{\"public\":1}");
    assertThat(upstream.takeRequest().header("Accept-Encoding")).contains("gzip");
  }

  @Test
  void oversizedResponsePassesThroughWholeOrBecomes502() throws Exception {
    String big = "{\"data\": \"" + "x".repeat(200_000) + "\", \"secret\": 1}";
    upstream.respondWith((r, req, resp, cb) -> {
      resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      Content.Sink.write(resp, true, big, cb);   // chunked: the gateway finds out while reading
    });
    start(Gateway.builder()
        .route("pass", r -> r.path("/pass").responseJson(j -> j.remove("/secret").maxBodySize(1024)
            .responseFallback(JsonTransform.ResponseFallback.PASS_THROUGH)).upstream(upstream.uri()))
        .route("reject", r -> r.path("/reject").responseJson(j -> j.remove("/secret").maxBodySize(1024))
            .upstream(upstream.uri())));

    ContentResponse passed = get("/pass");
    ContentResponse rejected = get("/reject");

    assertThat(passed.getStatus()).isEqualTo(200);
    assertThat(passed.getContentAsString()).isEqualTo(big);
    assertThat(rejected.getStatus()).isEqualTo(502);
    assertThat(JSON.readTree(rejected.getContentAsString()).path("type").asString())
        .isEqualTo("https://portico.dev/problems/bad-upstream-response");
  }

  @Test
  void malformedUpstreamJsonIsRejectedByDefault() throws Exception {
    upstream.respondWith((r, req, resp, cb) -> {
      resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      Content.Sink.write(resp, true, "{\"secret\": 1, oops", cb);
    });
    start(Gateway.builder().route("api", r -> r.path("/api").responseJson(j -> j.remove("/secret"))
        .upstream(upstream.uri())));

    ContentResponse response = get("/api");

    assertThat(response.getStatus()).isEqualTo(502);
    assertThat(response.getContentAsString()).doesNotContain("secret");
  }

  @Test
  void responseJsonLeavesOtherMediaTypesAlone() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api").responseJson(j -> j.remove("/secret"))
        .upstream(upstream.uri())));

    ContentResponse response = get("/api");

    assertThat(response.getContentAsString()).isEqualTo("hello from upstream");
  }

  @Test
  void badTemplatesAndJsonValuesFailNamingRouteAndField() {
    assertThatThrownBy(() -> Gateway.builder().route("user", r -> r.path("/users/{id}")
            .requestHeaders(h -> h.set("X-User", "{var.userId}")).upstream("http://users:8080")).build())
        .hasMessage("route 'user': requestHeaders uses {var.userId}, which path '/users/{id}' does not capture (it captures [id])");
    assertThatThrownBy(() -> Gateway.builder().route("user", r -> r.path("/users/{id}")
            .responseHeaders(h -> h.set("X-User", "{user}")).upstream("http://users:8080")).build())
        .hasMessageStartingWith("route 'user': responseHeaders: set X-User: template '{user}': unknown placeholder {user}");
    assertThatThrownBy(() -> Gateway.builder().route("user", r -> r.path("/users/{id}")
            .requestHeaders(h -> h.set("Content-Length", "1")).upstream("http://users:8080")).build())
        .hasMessageStartingWith("route 'user': requestHeaders: set Content-Length: the gateway owns this header");
    assertThatThrownBy(() -> Gateway.builder().route("user", r -> r.path("/users/{id}")
            .requestJson(j -> j.remove("name")).upstream("http://users:8080")).build())
        .hasMessage("route 'user': requestJson: remove: JSON Pointer 'name' does not start with '/'");
    Gateway badJson = Gateway.builder().route("user", r -> r.path("/users/{id}")
        .requestJson(j -> j.setJson("/a", "{oops")).upstream("http://users:8080")).build();
    assertThatThrownBy(() -> JettyGatewayHandler.create(badJson))
        .hasMessageStartingWith("route 'user': requestJson: set /a: the value is not JSON");
  }

  static byte[] gzip(String text) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  static String gunzip(byte[] bytes) throws Exception {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static JsonNode json(String text) {
    return JSON.readTree(text);
  }
}
