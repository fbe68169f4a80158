package dev.portico.gateway.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Starts each servlet example on an ephemeral port and sends real requests through its gateway servlet. */
class ServletExamplesTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  @Test
  void jettyEe10ExampleProxiesApiRequestsAndLeavesItsOwnServletAlone() throws Exception {
    try (JettyEe10ServletExample example = JettyEe10ServletExample.start(0)) {
      assertProxiesAndServesItsOwnServlet(example.uri());
    }
  }

  @Test
  void tomcatExampleProxiesApiRequestsAndLeavesItsOwnServletAlone() throws Exception {
    try (TomcatServletExample example = TomcatServletExample.start(0)) {
      assertProxiesAndServesItsOwnServlet(example.uri());
    }
  }

  @Test
  void tomcatExampleRelaysWebSocketMessagesToTheBackendsEcho() throws Exception {
    try (TomcatServletExample example = TomcatServletExample.start(0)) {
      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      URI chat = URI.create(example.uri().toString().replaceFirst("^http", "ws") + "api/chat/lobby");
      WebSocket socket = CLIENT.newWebSocketBuilder().buildAsync(chat, new WebSocket.Listener() {
        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
          received.add(data.toString());
          webSocket.request(1);
          return null;
        }
      }).get(10, TimeUnit.SECONDS);

      socket.sendText("hello through Tomcat", true).get(10, TimeUnit.SECONDS);

      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("hello through Tomcat");
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
    }
  }

  private static void assertProxiesAndServesItsOwnServlet(URI host) throws Exception {
    HttpResponse<String> proxied = get(host.resolve("/api/orders/7"));
    assertThat(proxied.statusCode()).isEqualTo(200);
    JsonNode echo = JSON.readTree(proxied.body());
    assertThat(echo.path("path").asString()).isEqualTo("/orders/7");
    assertThat(echo.path("headers").path("X-Forwarded-Proto").asString()).isEqualTo("http");
    assertThat(proxied.headers().firstValue("X-Request-Id"))
        .hasValue(echo.path("headers").path("X-Request-Id").asString());

    HttpResponse<String> own = get(host.resolve("/hello"));
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(own.body()).startsWith("Hello from the host application's own servlet");
    assertThat(own.headers().firstValue("X-Request-Id")).isEmpty();

    HttpResponse<String> unrouted = get(host.resolve("/api/users/1"));
    assertThat(unrouted.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unrouted.body()).path("type").asString())
        .isEqualTo("https://portico.dev/problems/no-route");
  }

  private static HttpResponse<String> get(URI uri) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
