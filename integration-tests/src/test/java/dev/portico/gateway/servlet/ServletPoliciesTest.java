package dev.portico.gateway.servlet;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.validation.JsonSchema;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Body policies and CORS through {@link GatewayServlet} in Jetty ee10 and Tomcat: the request body
 * is read through the servlet's non-blocking input, under the cap.
 */
class ServletPoliciesTest {
  private static final String SCHEMA = "{\"type\": \"object\", \"required\": [\"qty\"],"
      + " \"properties\": {\"qty\": {\"type\": \"integer\", \"minimum\": 1}}}";

  private static HttpClient client;
  private FakeUpstream upstream;
  private ServletContainer.Running server;

  @BeforeAll
  static void startClient() throws Exception {
    client = new HttpClient();
    client.start();
  }

  @AfterAll
  static void stopClient() throws Exception {
    client.stop();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    upstream.close();
  }

  private void mount(ServletContainer container) throws Exception {
    upstream = FakeUpstream.start();
    upstream.respondWith((r, req, resp, cb) -> {
      resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      Content.Sink.write(resp, true, "{\"received\": " + r.bodyAsString() + ", \"internal\": true}", cb);
    });
    Gateway gateway = Gateway.builder()
        .route("orders", r -> r.path("/orders").methods("POST")
            .validate(v -> v.maxBodySize(1024).jsonSchema(JsonSchema.of(SCHEMA)))
            .requestJson(j -> j.set("/source", "{route.id}"))
            .responseJson(j -> j.remove("/internal"))
            .cors(c -> c.allowOrigins("https://app.example.com").allowHeaders("Content-Type"))
            .upstream(upstream.uri()))
        .build();
    server = container.start("/ctx", new GatewayServlet(gateway));
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void validatesAndTransformsBothWays(ServletContainer container) throws Exception {
    mount(container);

    ContentResponse response = client.newRequest(server.uri("/orders")).method("POST")
        .headers(h -> h.put("Origin", "https://app.example.com"))
        .body(new StringRequestContent("application/json", "{\"qty\": 2}")).timeout(10, SECONDS).send();

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().bodyAsString()).isEqualTo("{\"qty\":2,\"source\":\"orders\"}");
    assertThat(response.getContentAsString()).isEqualTo("{\"received\":{\"qty\":2,\"source\":\"orders\"}}");
    assertThat(response.getHeaders().get("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void refusesInvalidAndOversizedBodiesBeforeTheUpstream(ServletContainer container) throws Exception {
    mount(container);

    ContentResponse invalid = client.newRequest(server.uri("/orders")).method("POST")
        .body(new StringRequestContent("application/json", "{\"qty\": 0}")).timeout(10, SECONDS).send();
    AsyncRequestContent chunked = new AsyncRequestContent("application/json");
    CompletableFuture<ContentResponse> oversized = new CompletableResponseListener(
        client.newRequest(server.uri("/orders")).method("POST").body(chunked).timeout(10, SECONDS)).send();
    chunked.write(ByteBuffer.wrap(("{\"qty\": 1, \"pad\": \"" + "x".repeat(2000) + "\"}").getBytes(StandardCharsets.UTF_8)),
        Callback.NOOP);
    chunked.close();

    assertThat(invalid.getStatus()).isEqualTo(400);
    assertThat(invalid.getContentAsString()).contains("\"pointer\":\"/qty\"");
    assertThat(oversized.get(10, SECONDS).getStatus()).isEqualTo(413);
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void answersPreflights(ServletContainer container) throws Exception {
    mount(container);

    ContentResponse response = client.newRequest(server.uri("/orders")).method("OPTIONS")
        .headers(h -> h.put("Origin", "https://app.example.com").put("Access-Control-Request-Method", "POST")
            .put("Access-Control-Request-Headers", "content-type"))
        .timeout(10, SECONDS).send();

    assertThat(response.getStatus()).isEqualTo(204);
    assertThat(response.getHeaders().get("Access-Control-Allow-Headers")).isEqualTo("content-type");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void refusalsExposeTheHeadersABrowserAppNeedsAndAPreflightForAnUnroutedMethodNamesIt(ServletContainer container) throws Exception {
    mount(container);

    ContentResponse invalid = client.newRequest(server.uri("/orders")).method("POST")
        .headers(h -> h.put("Origin", "https://app.example.com"))
        .body(new StringRequestContent("application/json", "{\"qty\": 0}")).timeout(10, SECONDS).send();
    ContentResponse preflight = client.newRequest(server.uri("/orders")).method("OPTIONS")
        .headers(h -> h.put("Origin", "https://app.example.com").put("Access-Control-Request-Method", "DELETE"))
        .timeout(10, SECONDS).send();

    assertThat(invalid.getStatus()).isEqualTo(400);
    assertThat(invalid.getHeaders().get("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    assertThat(invalid.getHeaders().get("Access-Control-Expose-Headers"))
        .isEqualTo("WWW-Authenticate, Retry-After, RateLimit, RateLimit-Policy, X-Request-Id");
    assertThat(preflight.getStatus()).isEqualTo(403);
    assertThat(preflight.getContentAsString()).contains("cors-rejected")
        .contains("Method 'DELETE' is not allowed for cross-origin requests here; allowed: POST.");
    assertThat(upstream.pollRequest()).isEmpty();
  }
}
