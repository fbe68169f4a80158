package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpVersion;
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

  private static KeyStore emptyKeyStore() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    return store;
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
  void theHostAnswerStandInGets200ForWhatNoRouteTakesAndNothingTheGatewayAnswers() throws Exception {
    try (FakeUpstream upstream = FakeUpstream.start();
         GatewayServer server = GatewayServer.builder().contextPath("/ctx")
             .gateway(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())).build())
             .hostAnswer()
             .start()) {
      HttpResponse<String> unrouted = get(server, "/about?x=1");
      HttpResponse<String> routed = get(server, "/api/x");

      assertThat(unrouted.statusCode()).isEqualTo(200);
      assertThat(unrouted.body()).isEqualTo(GatewayServer.HOST_ANSWER);
      assertThat(unrouted.headers().firstValue("Content-Type")).hasValue("text/plain");
      assertThat(routed.body()).isEqualTo("ok");
      assertThat(upstream.requestCount()).isEqualTo(1);
    }
  }

  @Test
  void eachServerGetsItsOwnHostAnswerStandIn() throws Exception {
    GatewayServer.Builder builder = GatewayServer.builder()
        .gateway(Gateway.builder().route("api", r -> r.path("/api/**").upstream("http://127.0.0.1:9")).build())
        .hostAnswer();
    try (GatewayServer one = builder.start(); GatewayServer two = builder.start()) {
      assertThat(get(one, "/about").body()).isEqualTo(GatewayServer.HOST_ANSWER);
      assertThat(get(two, "/about").body()).isEqualTo(GatewayServer.HOST_ANSWER);
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
  void h2cSpeaksHttp2WithPriorKnowledgeNextToHttp11() throws Exception {
    Gateway gateway = Gateway.builder().route("api", r -> r.path("/api/**").upstream("http://127.0.0.1:9")).build();
    try (GatewayServer server = GatewayServer.builder().gateway(gateway).h2c(true).start();
         Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      // an empty SETTINGS frame of our own: length 0, type 4, no flags, stream 0
      socket.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
      byte[] head = socket.getInputStream().readNBytes(9);

      assertThat(head).hasSize(9);
      assertThat(head[3]).as("the server's first frame is SETTINGS").isEqualTo((byte) 4);
      assertThat(get(server, "/about").statusCode()).as("HTTP/1.1 on the same port").isEqualTo(404);
      assertThat(server.baseUri().toString()).isEqualTo("http://127.0.0.1:" + server.port());
    }
  }

  @Test
  void aContextPathMountsTheGatewayBelowIt() throws Exception {
    try (FakeUpstream upstream = FakeUpstream.start();
         GatewayServer server = GatewayServer.builder().contextPath("/ctx")
             .gateway(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())).build())
             .start()) {
      assertThat(server.baseUri().toString()).isEqualTo("http://127.0.0.1:" + server.port() + "/ctx");
      assertThat(get(server, "/api/x").body()).isEqualTo("ok");
      assertThat(upstream.awaitRequests(1, Duration.ofSeconds(10)).get(0).target()).isEqualTo("/api/x");
      assertThat(CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/x"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void servletServersCheckTheirSettings() {
    assertThatThrownBy(() -> ServletServer.builder(ServletServer.Container.TOMCAT).contextPath("ctx"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ctx");
    assertThatThrownBy(() -> ServletServer.builder(ServletServer.Container.JETTY_EE10).start())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("gateway");
    assertThatThrownBy(() -> GatewayServer.builder().contextPath("/ctx/")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void needsExactlyOneOfAGatewayAndAHandler() {
    Gateway gateway = Gateway.builder().route("api", r -> r.path("/api/**").upstream("http://127.0.0.1:9")).build();

    assertThatThrownBy(() -> GatewayServer.builder().start()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exactly one");
    assertThatThrownBy(() -> GatewayServer.builder().gateway(gateway).handler(JettyGatewayHandler.create(gateway)).start())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("exactly one");
    assertThatThrownBy(() -> GatewayServer.builder().requestHeaderSize(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GatewayServer.builder().gateway(gateway).hostAnswer()
        .hostHandler(new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            return false;
          }
        }).start())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("at most one of hostHandler(..) and hostAnswer()");
    assertThatThrownBy(() -> GatewayServer.builder().gateway(gateway).h2c(true).tls(emptyKeyStore(), "x").start())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("ALPN");
  }

  @Test
  void itsClientSpeaksHttp11KeepsHeaderCaseFollowsNoRedirectAndStopsWithTheServer() throws Exception {
    try (FakeUpstream upstream = FakeUpstream.start()) {
      upstream.answer(UpstreamAnswer.status(302).header("Location", "/elsewhere").header("X-MiXeD", "v"));
      GatewayServer server = GatewayServer.builder().requestHeaderSize(32 * 1024)
          .gateway(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())).build())
          .start();
      org.eclipse.jetty.client.HttpClient client;
      try (server) {
        client = server.client();
        ContentResponse response = client.newRequest(server.uri("/api/x")).timeout(10, TimeUnit.SECONDS).send();
        ContentResponse large = client.newRequest(server.uri("/unrouted"))
            .headers(h -> h.put("X-Large", "x".repeat(16 * 1024))).timeout(10, TimeUnit.SECONDS).send();

        assertThat(server.client()).as("one client per server").isSameAs(client);
        assertThat(response.getStatus()).as("the redirect is not followed").isEqualTo(302);
        assertThat(response.getVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(response.getHeaders().stream().map(f -> f.getName())).contains("X-MiXeD");
        assertThat(large.getStatus()).as("a 16 KiB head is sent and read whole").isEqualTo(404);
        assertThat(upstream.requestCount()).isEqualTo(1);
        assertThatThrownBy(server::http2Client).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("only HTTP/1.1");
      }
      assertThat(client.isStopped()).isTrue();
    }
  }

  @Test
  void itsHttp2ClientSpeaksHttp2WithPriorKnowledgeToAnH2cServer() throws Exception {
    try (FakeUpstream upstream = FakeUpstream.start();
         GatewayServer server = GatewayServer.builder().h2c(true)
             .gateway(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())).build())
             .start()) {
      ContentResponse response = server.http2Client().newRequest(server.uri("/api/x"))
          .timeout(10, TimeUnit.SECONDS).send();

      assertThat(response.getStatus()).isEqualTo(200);
      assertThat(response.getVersion()).isEqualTo(HttpVersion.HTTP_2);
      assertThat(response.getContentAsString()).isEqualTo("ok");
    }
  }
}
