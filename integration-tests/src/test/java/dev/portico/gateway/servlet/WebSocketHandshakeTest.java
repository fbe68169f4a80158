package dev.portico.gateway.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Timeouts;
import dev.portico.gateway.testing.Mounting;
import dev.portico.gateway.testing.RefusingPort;
import dev.portico.gateway.testing.WebSocketPeers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jetty.http.HostPortHttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpScheme;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream.Listener;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The client's WebSocket opening handshake is checked in full before the gateway contacts the
 * upstream, the same way on every adapter (Jetty core, Jetty ee10, Tomcat 11): raw requests, and
 * a count of the connections the WebSocket upstream received. Every read is bounded: a hang fails.
 */
class WebSocketHandshakeTest {
  private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
  private static final String NO_CONNECTION_UPGRADE = "no Connection: upgrade";
  private static final String UPGRADE = "Upgrade: websocket\r\nConnection: Upgrade, close\r\n";

  private WebSocketPeers.EchoServer upstream;
  private Mounting.Running host;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = new WebSocketPeers.EchoServer();
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  /**
   * Starts {@code gateway} with the containers' WebSocket server: the core handler at the root, the
   * servlet under {@code /ctx}, as in a web application.
   */
  private static Mounting.Running start(Mounting mounting, Gateway gateway) throws Exception {
    String contextPath = mounting == Mounting.JETTY_HANDLER ? "" : "/ctx";
    return mounting.start(gateway, Mounting.Options.DEFAULTS.withContextPath(contextPath));
  }

  private void gateway(Mounting mounting, String upstreamUri, Timeouts timeouts) throws Exception {
    host = start(mounting, Gateway.builder()
        .route("ws", r -> r.path("/ws/**").stripPrefix(1).upstream(upstreamUri).timeouts(timeouts).websocket())
        .route("plain", r -> r.path("/plain/**").stripPrefix(1).upstream(upstreamUri))
        .build());
  }

  /** One malformed handshake: what it sends after the request line's target, and the answer. */
  record BadHandshake(String name, String request, int status, String type) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<BadHandshake> badHandshakes() {
    String version = "Sec-WebSocket-Version: 13\r\n";
    String key = "Sec-WebSocket-Key: " + KEY + "\r\n";
    return List.of(
        bad("no Sec-WebSocket-Key", "GET", UPGRADE + version),
        bad("an empty key", "GET", UPGRADE + version + "Sec-WebSocket-Key: \r\n"),
        bad("a short key", "GET", UPGRADE + version + "Sec-WebSocket-Key: abc\r\n"),
        bad("16 bytes without the padding", "GET", UPGRADE + version + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ\r\n"),
        bad("a key of 15 bytes", "GET", UPGRADE + version + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j\r\n"),
        bad("a key of 17 bytes", "GET", UPGRADE + version + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZXg=\r\n"),
        bad("a key that is not base64", "GET", UPGRADE + version + "Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!==\r\n"),
        bad("a key with stray bits", "GET", UPGRADE + version + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZR==\r\n"),
        bad("two keys", "GET", UPGRADE + version + key + key),
        bad(NO_CONNECTION_UPGRADE, "GET", "Upgrade: websocket\r\nConnection: close\r\n" + version + key),
        bad("Upgrade: websocket and another protocol", "GET", "Upgrade: websocket, h2c\r\nConnection: Upgrade, close\r\n" + version + key),
        bad("POST", "POST", UPGRADE + version + key + "Content-Length: 0\r\n"),
        bad("a Content-Length body", "GET", UPGRADE + version + key + "Content-Length: 5\r\n", "hello"),
        bad("a chunked body", "GET", UPGRADE + version + key + "Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"),
        bad("two versions", "GET", UPGRADE + version + version + key),
        new BadHandshake("HTTP/1.0", "GET /ws/echo HTTP/1.0\r\nHost: 127.0.0.1\r\n" + UPGRADE + version + key + "\r\n",
            400, "bad-websocket-handshake"),
        new BadHandshake("version 8", head("GET") + UPGRADE + "Sec-WebSocket-Version: 8\r\n" + key + "\r\n",
            426, "websocket-version-unsupported"),
        new BadHandshake("no version", head("GET") + UPGRADE + key + "\r\n", 426, "websocket-version-unsupported"));
  }

  private static BadHandshake bad(String name, String method, String headers) {
    return bad(name, method, headers, "");
  }

  private static BadHandshake bad(String name, String method, String headers, String body) {
    return new BadHandshake(name, head(method) + headers + "\r\n" + body, 400, "bad-websocket-handshake");
  }

  private static String head(String method) {
    return method + " /ws/echo HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  }

  static Stream<Arguments> mountingsAndBadHandshakes() {
    return Mounting.eachAdapter().flatMap(m -> badHandshakes().stream().map(h -> Arguments.of(m, h)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("mountingsAndBadHandshakes")
  void aBadHandshakeIsRefusedAtOnceAndTheUpstreamIsNeverContacted(Mounting mounting, BadHandshake handshake)
      throws Exception {
    gateway(mounting, upstream.uri(), Timeouts.DEFAULT);

    String response = exchange(host.port(), handshake.request().replace("/ws/", host.contextPath() + "/ws/"));

    assertThat(status(response)).as(response).isEqualTo(handshake.status());
    assertThat(upstream.connections()).as("connections to the upstream").isZero();
    if (handshake.name().equals(NO_CONNECTION_UPGRADE) && mounting != Mounting.TOMCAT_SERVLET) {
      // Jetty with h2c on the connector takes an Upgrade without Connection: upgrade for a bad h2c upgrade.
      assertThat(response).contains("Invalid h2c upgrade headers");
      return;
    }
    assertThat(response).contains("application/problem+json")
        .contains("\"type\":\"https://portico.dev/problems/" + handshake.type() + "\"")
        .doesNotContainIgnoringCase("Sec-WebSocket-Accept");
    if (handshake.status() == 426) {
      assertThat(response).containsIgnoringCase("\r\nSec-WebSocket-Version: 13\r\n");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void aValidHandshakeInAnotherSpellingIsAccepted(Mounting mounting) throws Exception {
    gateway(mounting, upstream.uri(), Timeouts.DEFAULT);

    String head = switchingHead(host.port(), "GET " + host.contextPath() + "/ws/echo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Upgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Key: " + KEY + "\r\n\r\n");

    assertThat(status(head)).as(head).isEqualTo(101);
    assertThat(head).containsIgnoringCase("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assertThat(upstream.handshakes).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void anUpstreamThatRefusesConnectionsGets502Promptly(Mounting mounting) throws Exception {
    gateway(mounting, "http://127.0.0.1:" + RefusingPort.reserve(), Timeouts.DEFAULT);

    String response = exchange(host.port(), validUpgrade());

    assertThat(status(response)).as(response).isEqualTo(502);
    assertThat(response).contains("upstream-unavailable").doesNotContainIgnoringCase("Sec-WebSocket-Accept");
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void anUpstreamThatNeverAnswersTheHandshakeGets504WithinTheRoutesTimeouts(Mounting mounting) throws Exception {
    // Connections complete in the backlog; nothing ever reads them or answers.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      gateway(mounting, "http://127.0.0.1:" + silent.getLocalPort(),
          Timeouts.DEFAULT.withConnect(Duration.ofMillis(500)).withResponse(Duration.ofMillis(500)));
      long start = System.nanoTime();

      String response = exchange(host.port(), validUpgrade());

      assertThat(status(response)).as(response).isEqualTo(504);
      assertThat(response).contains("upstream-timeout").doesNotContainIgnoringCase("Sec-WebSocket-Accept");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }

  /**
   * WebSocket over HTTP/2 (RFC 8441 extended CONNECT, which Jetty advertises) is refused with 501
   * on every route, before the upstream is contacted; Tomcat does not offer it and resets the
   * stream itself.
   */
  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void anHttp2ExtendedConnectIsRefusedOnEveryRoute(Mounting mounting) throws Exception {
    gateway(mounting, upstream.uri(), Timeouts.DEFAULT);
    HTTP2Client h2 = new HTTP2Client();
    h2.start();
    try {
      for (String path : List.of("/ws/echo", "/plain/echo")) {
        Object answer = extendedConnect(h2, host.port(), host.contextPath() + path);

        if (mounting == Mounting.TOMCAT_SERVLET) {
          assertThat(answer).as(path).isInstanceOf(ResetFrame.class);
        } else {
          assertThat(answer).as(path).isInstanceOfSatisfying(MetaData.Response.class,
              r -> assertThat(r.getStatus()).isEqualTo(501));
        }
      }
    } finally {
      h2.stop();
    }
    assertThat(upstream.connections()).as("connections to the upstream").isZero();
  }

  /** Sends {@code :method CONNECT, :protocol websocket} to {@code path}; returns the response head or the reset. */
  private static Object extendedConnect(HTTP2Client h2, int port, String path) throws Exception {
    Session session = h2.connect(new InetSocketAddress("127.0.0.1", port), new Session.Listener() {}).get(5, TimeUnit.SECONDS);
    CompletableFuture<Object> answer = new CompletableFuture<>();
    MetaData.ConnectRequest connect = new MetaData.ConnectRequest(HttpScheme.HTTP,
        new HostPortHttpField("127.0.0.1:" + port), path, HttpFields.build().put("Sec-WebSocket-Version", "13"), "websocket");
    session.newStream(new HeadersFrame(connect, null, false), new Listener() {
      @Override
      public void onHeaders(org.eclipse.jetty.http2.api.Stream stream, HeadersFrame frame) {
        answer.complete(frame.getMetaData());
      }

      @Override
      public void onReset(org.eclipse.jetty.http2.api.Stream stream, ResetFrame frame, Callback callback) {
        answer.complete(frame);
        callback.succeeded();
      }
    }).get(5, TimeUnit.SECONDS);
    return answer.get(10, TimeUnit.SECONDS);
  }

  private String validUpgrade() {
    return "GET " + host.contextPath() + "/ws/echo HTTP/1.1\r\nHost: 127.0.0.1\r\n" + UPGRADE
        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + KEY + "\r\n\r\n";
  }

  /** Sends {@code raw} and reads until the server closes; fails if it is silent for 10 s. */
  private static String exchange(int port, String raw) throws IOException {
    try (Socket socket = connect(port)) {
      socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** Sends {@code raw} and reads the response head only (a 101 leaves the connection open). */
  private static String switchingHead(int port, String raw) throws IOException {
    try (Socket socket = connect(port)) {
      socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        head.write(b);
      }
      return head.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** The status of the response {@code text} starts with ({@code HTTP/1.0} or {@code HTTP/1.1}), or -1. */
  private static int status(String text) {
    return text.matches("(?s)HTTP/1\\.[01] \\d{3}.*") ? Integer.parseInt(text.substring(9, 12)) : -1;
  }
}
