package dev.portico.gateway.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.WebSocketSettings;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RawClient;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.TestAuthenticator;
import dev.portico.gateway.testing.WebSocketPeers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WebSocket proxying on the Jetty core adapter, between a real websocket-core client and echo upstream. */
class WebSocketProxyTest {
  private WebSocketPeers.EchoServer upstream;
  private WebSocketPeers.Client client;
  private GatewayServer host;
  private final List<AccessLogEntry> accessLog = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    upstream = new WebSocketPeers.EchoServer();
    client = new WebSocketPeers.Client();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  private void gateway(WebSocketSettings settings, boolean authenticated) throws Exception {
    host = GatewayServer.builder().gateway(Gateway.builder()
        .accessLog(accessLog::add)
        .route("ws", r -> {
          r.path("/ws/**").stripPrefix(1).upstream(upstream.uri()).websocket(settings);
          if (authenticated) {
            r.authenticator(new TestAuthenticator());
          }
        })
        .build()).permissiveUris(true).hostAnswer().start();
  }

  private CoreSession connect(String... subProtocols) throws Exception {
    return client.connect("ws://127.0.0.1:" + host.port() + "/ws/echo?room=1", HttpFields.EMPTY, subProtocols)
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void relaysTextBinaryFragmentsAndPingsBothWays() throws Exception {
    gateway(WebSocketSettings.defaults(), false);
    CoreSession session = connect("echo.v1");

    client.send(new Frame(OpCode.TEXT, "hello"));
    Frame text = client.next();
    client.send(new Frame(OpCode.BINARY, ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 255})));
    Frame binary = client.next();
    client.send(new Frame(OpCode.TEXT, false, "frag"));
    client.send(new Frame(OpCode.CONTINUATION, true, "ment"));
    Frame first = client.next();
    Frame second = client.next();
    client.send(new Frame(OpCode.PING, "are you there"));
    Frame pong = client.next();

    assertThat(session.getNegotiatedSubProtocol()).isEqualTo("echo.v1");
    assertThat(text.getOpCode()).isEqualTo(OpCode.TEXT);
    assertThat(text.getPayloadAsUTF8()).isEqualTo("hello");
    assertThat(binary.getOpCode()).isEqualTo(OpCode.BINARY);
    assertThat(bytes(binary)).containsExactly(0, 1, 2, (byte) 255);
    assertThat(first.isFin()).isFalse();
    assertThat(first.getPayloadAsUTF8() + second.getPayloadAsUTF8()).isEqualTo("fragment");
    assertThat(second.getOpCode()).isEqualTo(OpCode.CONTINUATION);
    assertThat(pong.getOpCode()).isEqualTo(OpCode.PONG);
    assertThat(pong.getPayloadAsUTF8()).isEqualTo("are you there");
    HttpFields handshake = upstream.handshakes.get(0);
    assertThat(handshake.get("X-Forwarded-For")).isEqualTo("127.0.0.1");
    assertThat(handshake.get("X-Request-Id")).isNotBlank();
  }

  @Test
  void theClientsCloseCodeReachesTheUpstreamAndTheExchangeIsLogged() throws Exception {
    gateway(WebSocketSettings.defaults(), false);
    CoreSession session = connect();

    session.close(4000, "done here", org.eclipse.jetty.util.Callback.NOOP);

    CloseStatus atUpstream = upstream.closed.get(10, TimeUnit.SECONDS);
    assertThat(atUpstream.getCode()).isEqualTo(4000);
    assertThat(atUpstream.getReason()).isEqualTo("done here");
    assertThat(client.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(4000);
    Await.until("access log entry", () -> !accessLog.isEmpty());
    assertThat(accessLog).singleElement().satisfies(e -> {
      assertThat(e.status()).isEqualTo(101);
      assertThat(e.outcome()).isEqualTo("websocket");
      assertThat(e.upstream()).hasValueSatisfying(u -> assertThat(u).startsWith("ws://127.0.0.1:").endsWith("/echo"));
    });
  }

  @Test
  void theUpstreamsCloseCodeReachesTheClient() throws Exception {
    gateway(WebSocketSettings.defaults(), false);
    connect();

    client.send(new Frame(OpCode.TEXT, "close:4001"));

    CloseStatus status = client.closed.get(10, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(4001);
    assertThat(status.getReason()).isEqualTo("bye from upstream");
  }

  @Test
  void aMessageOverTheLimitClosesBothSidesWith1009() throws Exception {
    gateway(WebSocketSettings.defaults().withMaxMessageSize(1024), false);
    connect();

    client.send(new Frame(OpCode.TEXT, "x".repeat(2000)));

    assertThat(client.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(CloseStatus.MESSAGE_TOO_LARGE);
    assertThat(upstream.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(CloseStatus.MESSAGE_TOO_LARGE);
  }

  @Test
  void anIdleConnectionIsClosedOnBothSides() throws Exception {
    gateway(WebSocketSettings.defaults().withIdleTimeout(Duration.ofMillis(300)), false);
    connect();

    CloseStatus status = client.closed.get(10, TimeUnit.SECONDS);

    assertThat(status.getCode()).isIn(CloseStatus.SHUTDOWN, CloseStatus.SERVER_ERROR);
    assertThat(upstream.closed.get(10, TimeUnit.SECONDS)).isNotNull();
  }

  @Test
  void authenticationAppliesToTheUpgradeRequest() throws Exception {
    gateway(WebSocketSettings.defaults(), true);

    assertThatThrownBy(this::connect).hasStackTraceContaining("401");
    assertThat(upstream.handshakes).isEmpty();

    client.connect("ws://127.0.0.1:" + host.port() + "/ws/echo",
        HttpFields.build().add("Authorization", "Test reader")).get(10, TimeUnit.SECONDS);
    client.send(new Frame(OpCode.TEXT, "authenticated"));
    assertThat(client.next().getPayloadAsUTF8()).isEqualTo("authenticated");
  }

  @Test
  void theClientIsSwitchedOnlyAfterTheUpstreamAccepted() throws Exception {
    try (FakeUpstream plainHttp = FakeUpstream.start()) {
      host = GatewayServer.builder().gateway(Gateway.builder()
          .route("ws", r -> r.path("/ws/**").upstream(plainHttp.uri()).websocket())
          .build()).permissiveUris(true).hostAnswer().start();

      RawClient.Response response = RawClient.exchange(host.port(), "GET /ws/echo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade, close\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n\r\n");

      assertThat(response.status()).isEqualTo(502);
      assertThat(response.text()).contains("application/problem+json").contains("upstream-unavailable")
          .doesNotContain("Sec-WebSocket-Accept");
    }
  }

  @Test
  void anUpstream101WithAWrongAcceptIsRefusedAndTheClientStaysOnHttp() throws Exception {
    try (ServerSocket liar = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread answer = new Thread(() -> {
        try (Socket s = liar.accept()) {
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
          while (!in.readLine().isEmpty()) {
            // read the upgrade request's head
          }
          s.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Accept: bm90IHRoZSByaWdodCBoYXNo\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
          s.getOutputStream().flush();
          s.getInputStream().read();   // until the gateway hangs up
        } catch (Exception ignored) {
          // the gateway closed the connection
        }
      });
      answer.setDaemon(true);
      answer.start();
      host = GatewayServer.builder().gateway(Gateway.builder()
          .route("ws", r -> r.path("/ws/**").upstream("http://127.0.0.1:" + liar.getLocalPort()).websocket())
          .build()).permissiveUris(true).hostAnswer().start();

      RawClient.Response response = RawClient.exchange(host.port(), "GET /ws/echo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade, close\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n\r\n");

      assertThat(response.status()).isEqualTo(502);
      assertThat(response.text()).contains("upstream-unavailable").doesNotContain("HTTP/1.1 101");
    }
  }

  @Test
  void aRouteWithoutWebsocketProxiesTheUpgradeAsPlainHttp() throws Exception {
    try (FakeUpstream plainHttp = FakeUpstream.start()) {
      host = GatewayServer.builder().gateway(Gateway.builder()
          .route("http", r -> r.path("/http/**").upstream(plainHttp.uri()))
          .build()).permissiveUris(true).hostAnswer().start();

      RawClient.Response response = RawClient.exchange(host.port(), "GET /http/x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade, close\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n\r\n");

      assertThat(response.status()).isEqualTo(200);
      assertThat(plainHttp.takeRequest().header("Upgrade")).isEmpty();
    }
  }

  private static byte[] bytes(Frame frame) {
    ByteBuffer payload = frame.getPayload().slice();
    byte[] out = new byte[payload.remaining()];
    payload.get(out);
    return out;
  }
}
