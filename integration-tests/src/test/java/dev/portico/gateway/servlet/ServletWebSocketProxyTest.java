package dev.portico.gateway.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.WebSocketSettings;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.RawClient;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.RefusingPort;
import dev.portico.gateway.testing.TestAuthenticator;
import dev.portico.gateway.testing.WebSocketPeers;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * WebSocket proxying on {@link GatewayServlet}, in Jetty ee10 and in Tomcat 11 with their Jakarta
 * WebSocket support on, between a real websocket-core client and a real Jetty echo upstream.
 */
class ServletWebSocketProxyTest {
  private static final String CONTEXT = "/ctx";
  private static final String HANDSHAKE = "Upgrade: websocket\r\nConnection: Upgrade, close\r\n"
      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

  private WebSocketPeers.EchoServer upstream;
  private WebSocketPeers.Client client;
  private ServletContainer.Running server;
  private final List<AccessLogEntry> accessLog = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    upstream = new WebSocketPeers.EchoServer();
    client = new WebSocketPeers.Client();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    if (server != null) {
      server.close();
    }
    upstream.close();
  }

  private void gateway(ServletContainer container, WebSocketSettings settings) throws Exception {
    gateway(container, upstream.uri(), r -> r.websocket(settings));
  }

  private void gateway(ServletContainer container, String upstreamUri, Consumer<dev.portico.gateway.Route.Builder> route)
      throws Exception {
    server = container.start(CONTEXT, new GatewayServlet(Gateway.builder()
        .accessLog(accessLog::add)
        .route("ws", r -> {
          r.path("/ws/**").stripPrefix(1).upstream(upstreamUri);
          route.accept(r);
        })
        .build()), true);
  }

  private String wsUri(String path) {
    return "ws://127.0.0.1:" + server.port() + CONTEXT + path;
  }

  private CoreSession connect(String... subProtocols) throws Exception {
    return client.connect(wsUri("/ws/echo?room=1"), HttpFields.EMPTY, subProtocols).get(10, TimeUnit.SECONDS);
  }

  private RawClient.Response rawUpgrade(String extraHeaders) throws Exception {
    return RawClient.exchange(server.port(), "GET " + CONTEXT + "/ws/echo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + extraHeaders + HANDSHAKE);
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void relaysTextBinaryFragmentedAndPingMessages(ServletContainer container) throws Exception {
    gateway(container, WebSocketSettings.defaults());
    CoreSession session = connect("echo.v1");

    client.send(new Frame(OpCode.TEXT, "hello"));
    Frame text = client.next();
    client.send(new Frame(OpCode.BINARY, ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 255})));
    Frame binary = client.next();
    client.send(new Frame(OpCode.TEXT, false, "frag"));
    client.send(new Frame(OpCode.CONTINUATION, true, "ment \u00e9\u20ac\uD83D\uDE00"));
    StringBuilder fragmented = new StringBuilder();
    Frame part;
    do {
      part = client.next();
      fragmented.append(part.getPayloadAsUTF8());
    } while (!part.isFin());
    client.send(new Frame(OpCode.PING, "are you there"));
    Frame pong = client.next();

    assertThat(session.getNegotiatedSubProtocol()).isEqualTo("echo.v1");
    assertThat(text.getOpCode()).isEqualTo(OpCode.TEXT);
    assertThat(text.getPayloadAsUTF8()).isEqualTo("hello");
    assertThat(binary.getOpCode()).isEqualTo(OpCode.BINARY);
    assertThat(bytes(binary)).containsExactly(0, 1, 2, (byte) 255);
    assertThat(fragmented.toString()).isEqualTo("fragment \u00e9\u20ac\uD83D\uDE00");
    assertThat(pong.getOpCode()).isEqualTo(OpCode.PONG);
    assertThat(pong.getPayloadAsUTF8()).isEqualTo("are you there");
    HttpFields handshake = upstream.handshakes.get(0);
    assertThat(handshake.get("X-Forwarded-For")).isEqualTo("127.0.0.1");
    assertThat(handshake.get("X-Request-Id")).isNotBlank();
    assertThat(handshake.get("Sec-WebSocket-Protocol")).isEqualTo("echo.v1");
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void theUpstreamsPingReachesTheClient(ServletContainer container) throws Exception {
    gateway(container, WebSocketSettings.defaults());
    connect();

    client.send(new Frame(OpCode.TEXT, "ping:still there?"));
    Frame ping = client.next();

    assertThat(ping.getOpCode()).isEqualTo(OpCode.PING);
    assertThat(ping.getPayloadAsUTF8()).isEqualTo("still there?");
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void relaysAMessageLargerThanTheContainersBuffers(ServletContainer container) throws Exception {
    gateway(container, WebSocketSettings.defaults());
    connect();
    String large = "0123456789abcdef".repeat(12 * 1024);   // 192 KiB in one frame

    client.send(new Frame(OpCode.TEXT, large));
    StringBuilder echoed = new StringBuilder();
    Frame part;
    do {
      part = client.next();
      echoed.append(part.getPayloadAsUTF8());
    } while (!part.isFin());

    assertThat(echoed.toString()).isEqualTo(large);
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void theClientsCloseCodeReachesTheUpstreamAndTheExchangeIsLogged(ServletContainer container) throws Exception {
    gateway(container, WebSocketSettings.defaults());
    CoreSession session = connect();

    session.close(4000, "done here", Callback.NOOP);

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

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void theUpstreamsCloseCodeReachesTheClient(ServletContainer container) throws Exception {
    gateway(container, WebSocketSettings.defaults());
    connect();

    client.send(new Frame(OpCode.TEXT, "close:4001"));

    CloseStatus status = client.closed.get(10, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(4001);
    assertThat(status.getReason()).isEqualTo("bye from upstream");
    assertThat(upstream.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(4001);
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void aMessageOverTheLimitClosesBothSidesWith1009(ServletContainer container) throws Exception {
    gateway(container, WebSocketSettings.defaults().withMaxMessageSize(1024));
    connect();

    client.send(new Frame(OpCode.TEXT, "x".repeat(2000)));

    assertThat(client.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(CloseStatus.MESSAGE_TOO_LARGE);
    assertThat(upstream.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(CloseStatus.MESSAGE_TOO_LARGE);
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void anIdleConnectionIsClosedOnBothSides(ServletContainer container) throws Exception {
    gateway(container, WebSocketSettings.defaults().withIdleTimeout(Duration.ofMillis(300)));
    connect();

    CloseStatus status = client.closed.get(10, TimeUnit.SECONDS);

    assertThat(status.getCode()).isIn(CloseStatus.SHUTDOWN, CloseStatus.SERVER_ERROR);
    assertThat(upstream.closed.get(10, TimeUnit.SECONDS)).isNotNull();
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void authenticationAppliesToTheUpgradeRequest(ServletContainer container) throws Exception {
    gateway(container, upstream.uri(), r -> r.websocket().authenticator(new TestAuthenticator()));

    RawClient.Response refused = rawUpgrade("");

    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.text()).containsIgnoringCase("WWW-Authenticate: Test")
        .contains("application/problem+json").doesNotContain("Sec-WebSocket-Accept");
    assertThatThrownBy(this::connect).hasStackTraceContaining("401");
    assertThat(upstream.handshakes).isEmpty();

    client.connect(wsUri("/ws/echo"), HttpFields.build().add("Authorization", "Test reader")).get(10, TimeUnit.SECONDS);
    client.send(new Frame(OpCode.TEXT, "authenticated"));
    assertThat(client.next().getPayloadAsUTF8()).isEqualTo("authenticated");
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void anUpstreamThatRefusesTheUpgradeGets502AndTheClientStaysOnHttp(ServletContainer container) throws Exception {
    try (FakeUpstream forbidding = FakeUpstream.start(new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        Response.writeError(request, response, callback, 403);
        return true;
      }
    })) {
      gateway(container, forbidding.uri(), r -> r.websocket());

      RawClient.Response response = rawUpgrade("");

      assertThat(response.status()).isEqualTo(502);
      assertThat(response.text()).contains("application/problem+json").contains("upstream-unavailable")
          .doesNotContain("Sec-WebSocket-Accept");
    }
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void anUpstreamThatIsDownGets502AndTheClientStaysOnHttp(ServletContainer container) throws Exception {
    gateway(container, "http://127.0.0.1:" + RefusingPort.reserve(), r -> r.websocket());

    RawClient.Response response = rawUpgrade("");

    assertThat(response.status()).isEqualTo(502);
    assertThat(response.text()).contains("upstream-unavailable").doesNotContain("HTTP/1.1 101");
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void anInvalidHandshakeIsRefusedWith400BeforeTheUpstreamIsContacted(ServletContainer container) throws Exception {
    gateway(container, WebSocketSettings.defaults());

    RawClient.Response response = RawClient.exchange(server.port(), "GET " + CONTEXT + "/ws/echo HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade, close\r\nSec-WebSocket-Version: 13\r\n\r\n");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.text()).contains("application/problem+json").contains("bad-websocket-handshake")
        .doesNotContain("Sec-WebSocket-Accept");
    assertThat(upstream.connections()).isZero();
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void leavesNoThreadsBehindAfterManySessions(ServletContainer container) throws Exception {
    gateway(container, WebSocketSettings.defaults());
    echoOnce();   // warm up: pools and clients started once
    int before = Thread.activeCount();

    for (int i = 0; i < 25; i++) {
      echoOnce();
    }

    Await.until("threads back to " + before + " (+4)", Duration.ofSeconds(20), () -> Thread.activeCount() <= before + 4);
    Await.until("every relay ended", () -> accessLog.size() == 26);
    assertThat(accessLog).allSatisfy(e -> assertThat(e.outcome()).isEqualTo("websocket"));
  }

  /** One session with its own client: connect, echo a message, close, and wait for the close. */
  private void echoOnce() throws Exception {
    try (WebSocketPeers.Client own = new WebSocketPeers.Client()) {
      CoreSession session = own.connect(wsUri("/ws/echo"), HttpFields.EMPTY).get(10, TimeUnit.SECONDS);
      own.send(new Frame(OpCode.TEXT, "ping"));
      assertThat(own.next().getPayloadAsUTF8()).isEqualTo("ping");
      session.close(CloseStatus.NORMAL, "bye", Callback.NOOP);
      assertThat(own.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(CloseStatus.NORMAL);
    }
  }

  private static byte[] bytes(Frame frame) {
    ByteBuffer payload = frame.getPayload().slice();
    byte[] out = new byte[payload.remaining()];
    payload.get(out);
    return out;
  }
}
