package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** GatewayServer mounts a gateway the way a Jetty host does. */
class GatewayServerTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static HttpResponse<String> get(GatewayServer server, String path) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void routesWhatTheGatewayTakesAndHandsTheRestToTheHostHandler() throws Exception {
    Handler host = new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        Content.Sink.write(response, true, "host", callback);
        return true;
      }
    };
    try (FakeUpstream upstream = FakeUpstream.start();
         GatewayServer server = GatewayServer.builder()
             .gateway(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())).build())
             .hostHandler(host)
             .start()) {
      assertThat(server.baseUri().toString()).isEqualTo("http://127.0.0.1:" + server.port());
      assertThat(get(server, "/api/x").body()).isEqualTo("ok");
      assertThat(get(server, "/about").body()).isEqualTo("host");
      assertThat(upstream.requestCount()).isEqualTo(1);
    }
  }

  @Test
  void withoutAHostHandlerWhatNoRouteTakesIs404() throws Exception {
    try (GatewayServer server = GatewayServer.start(Gateway.builder().route("api", r -> r.path("/api/**")
        .upstream("http://127.0.0.1:9")).build())) {
      assertThat(get(server, "/about").statusCode()).isEqualTo(404);
      assertThat(server.handler().gateway().routes()).hasSize(1);
    }
  }

  @Test
  void needsExactlyOneOfAGatewayAndAHandler() {
    Gateway gateway = Gateway.builder().route("api", r -> r.path("/api/**").upstream("http://127.0.0.1:9")).build();

    assertThatThrownBy(() -> GatewayServer.builder().start()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exactly one");
    assertThatThrownBy(() -> GatewayServer.builder().gateway(gateway).handler(JettyGatewayHandler.create(gateway)).start())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("exactly one");
    assertThatThrownBy(() -> GatewayServer.builder().requestHeaderSize(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
