package dev.portico.gateway.security;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.RawUpstream;
import dev.portico.gateway.testing.Mounting;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request targets sent as raw bytes to the gateway on every adapter, at the root, in front of an
 * upstream that records the request line byte for byte: each is either forwarded exactly (the
 * query as sent, the path as normalized) or refused with 400, and never anything in between.
 */
class RequestTargetBytesTest {
  private static HTTP2Client h2;
  private RawUpstream upstream;
  private int seen;
  private Mounting.Running host;

  @BeforeAll
  static void startClient() throws Exception {
    h2 = new HTTP2Client();
    h2.start();
  }

  @AfterAll
  static void stopClient() throws Exception {
    h2.stop();
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /** Each adapter with its host's defaults, and the core handler once more with Jetty letting every URI through. */
  static List<Arguments> mountings() {
    return List.of(arguments(Mounting.JETTY_HANDLER, false), arguments(Mounting.JETTY_HANDLER, true),
        arguments(Mounting.JETTY_SERVLET, false), arguments(Mounting.TOMCAT_SERVLET, false));
  }

  private void mount(Mounting mounting, boolean permissiveUris) throws Exception {
    upstream = RawUpstream.start();
    seen = 0;
    host = mounting.start(Gateway.builder().route("all", r -> r.path("/**").upstream(upstream.uri())).build(),
        options(permissiveUris));
  }

  /** The host at the root, without the containers' WebSocket server, letting every URI through or not. */
  private static Mounting.Options options(boolean permissiveUris) {
    return Mounting.Options.DEFAULTS.withPermissiveUris(permissiveUris).withWebSocket(false);
  }

  /** Sends {@code target} (ISO-8859-1, so {@code \u00ff} is the byte 0xFF) and returns the status, -1 for no response. */
  private int send(String target) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", host.port()), 5_000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(ISO_8859_1));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      in.transferTo(response);
      String text = response.toString(ISO_8859_1);
      return text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
    }
  }

  /** The request line the upstream got for the last exchange, or null when it got none. */
  private @Nullable String forwarded() throws Exception {
    String line = nextRequestLine();
    return line == null ? null : show(line);
  }

  /** The request line of the next connection the upstream finished (without CRLF), or null when none came. */
  private @Nullable String nextRequestLine() throws InterruptedException {
    List<String> received = upstream.awaitIdle(Duration.ofSeconds(10));
    if (received.size() <= seen) {
      return null;
    }
    String connection = received.get(seen++);
    int end = connection.indexOf('\n');
    String line = end < 0 ? connection : connection.substring(0, end);
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  /** Shows characters (bytes, as ISO-8859-1) outside visible ASCII as {@code \xNN}. */
  private static String show(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c > 0x20 && c < 0x7F || c == ' ') {
        out.append(c);
      } else {
        out.append(String.format("\\x%02X", (int) c));
      }
    }
    return out.toString();
  }

  /** The query, as the client sent it, is what the upstream gets: not decoded, not re-encoded, nothing added or dropped. */
  @ParameterizedTest
  @MethodSource("mountings")
  void theQueryReachesTheUpstreamByteForByte(Mounting mounting, boolean permissiveUris) throws Exception {
    mount(mounting, permissiveUris);

    for (String query : List.of("c=%FF", "c=%ff", "a+b=c+d", "a;b=1;c", "n=%00", "", "?", "a=?b", "p=%25&q=100%25",
        "x=%2F%2e%2e%5C", "a=1&a=2&&b", "k=a/b/../c")) {
      String target = "/p/x?" + query;

      assertThat(send(target)).as("status for %s", target).isEqualTo(200);
      assertThat(forwarded()).as("forwarded for %s", target).isEqualTo("GET " + target + " HTTP/1.1");
    }
  }

  /**
   * A query that cannot be forwarded exactly is refused with 400: raw bytes outside visible ASCII
   * (Jetty decodes the request line as UTF-8, so a raw 0xFF is lost before anyone sees it) and
   * invalid percent-encoding. The gateway answers with a {@code bad-path} problem where the host
   * lets the target through; Tomcat refuses raw non-ASCII itself.
   */
  @ParameterizedTest
  @MethodSource("mountings")
  void aQueryThatCannotBeForwardedExactlyIsRefused(Mounting mounting, boolean permissiveUris) throws Exception {
    mount(mounting, permissiveUris);

    for (String query : List.of("c=\u00ff", "c=\u00c3\u00a9", "c=%zz", "c=%2", "c=50%", "%%41")) {
      String target = "/p/x?" + query;

      assertThat(send(target)).as("status for %s", show(target)).isEqualTo(400);
      assertThat(forwarded()).as("forwarded for %s", target).isNull();
    }
  }

  /** A fragment is never part of what is forwarded: the host refuses it, or (every URI let through) drops it. */
  @ParameterizedTest
  @MethodSource("mountings")
  void aFragmentIsNeverForwarded(Mounting mounting, boolean permissiveUris) throws Exception {
    mount(mounting, permissiveUris);

    for (String target : List.of("/p/x?a=1#f", "/p/x#f?a=1")) {
      int status = send(target);
      String forwarded = forwarded();

      if (permissiveUris) {
        assertThat(status).isEqualTo(200);
        assertThat(forwarded).doesNotContain("#").doesNotContain("f");
      } else {
        assertThat(status).as("status for %s", target).isEqualTo(400);
        assertThat(forwarded).isNull();
      }
    }
  }

  /**
   * Double encodings and encoded control characters in the path are refused with 400 on every
   * adapter, whether the host's parser refuses them first (Jetty's default URI compliance) or
   * the gateway does (Tomcat, Jetty with every URI let through), never forwarded.
   */
  @ParameterizedTest
  @MethodSource("mountings")
  void doubleEncodingsAndEncodedControlsInThePathAreRefused(Mounting mounting, boolean permissiveUris) throws Exception {
    mount(mounting, permissiveUris);

    for (String target : List.of("/public/%252e%252e/admin/x", "/public/%252E%252E/admin/x", "/public/..%252f..%252fadmin/x",
        "/public/..%255cadmin/x", "/%2561dmin/x", "/public/%25%32%65%25%32%65/admin/x", "/public/..%09/admin/x",
        "/public/..%0a/admin/x", "/public/%0d%0aX:%20y/x", "/public/..%1f/x", "/public/..%7f/x", "/public/..%7F/x")) {
      assertThat(send(target)).as("status for %s", target).isEqualTo(400);
      assertThat(forwarded()).as("forwarded for %s", target).isNull();
    }
  }

  /** A %25 that cannot decode into anything a second time is data, forwarded where the host lets it through. */
  @ParameterizedTest
  @MethodSource("mountings")
  void anEncodedPercentThatIsNoDoubleEncodingIsForwarded(Mounting mounting, boolean permissiveUris) throws Exception {
    mount(mounting, permissiveUris);

    for (String target : List.of("/files/100%25", "/files/%25zz", "/files/a%25%20b")) {
      int status = send(target);

      if (!permissiveUris && mounting != Mounting.TOMCAT_SERVLET) {
        // Jetty's default URI compliance refuses every %25 in a path on its own.
        assertThat(status).as("status for %s", target).isEqualTo(400);
        assertThat(forwarded()).isNull();
      } else {
        assertThat(status).as("status for %s", target).isEqualTo(200);
        assertThat(forwarded()).isEqualTo("GET " + target + " HTTP/1.1");
      }
    }
  }

  /** The core handler with Jetty's default URI compliance and letting every URI through. */
  static List<Arguments> coreHandlers() {
    return List.of(arguments(Mounting.JETTY_HANDLER, false), arguments(Mounting.JETTY_HANDLER, true));
  }

  /**
   * A WebSocket upgrade whose query holds visible ASCII that a URI cannot hold unencoded (Jetty
   * lets it through, and an HTTP request carries it as it is) is refused with 400 {@code bad-path}
   * rather than sent re-encoded or failing; nothing is opened upstream.
   */
  @ParameterizedTest
  @MethodSource("coreHandlers")
  void aWebSocketUpgradeWhoseQueryNoUriCanHoldIsRefused(Mounting mounting, boolean permissiveUris) throws Exception {
    upstream = RawUpstream.start();
    seen = 0;
    host = mounting.start(Gateway.builder()
        .route("ws", r -> r.path("/ws/**").upstream(upstream.uri()).websocket())
        .build(), options(permissiveUris));

    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", host.port()), 5_000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /ws/chat?a=\"b\"&c={d} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade, close\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(ISO_8859_1));
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(response);
      String text = response.toString(ISO_8859_1);

      assertThat(text).startsWith("HTTP/1.1 400 ").contains("https://portico.dev/problems/bad-path");
    }
    assertThat(forwarded()).isNull();
  }

  /** Over HTTP/2 the same: the query of {@code :path} exactly, or 400; a space (impossible in HTTP/1.1) is refused. */
  @ParameterizedTest
  @MethodSource("mountings")
  void overHttp2TheQueryIsForwardedExactlyOrRefused(Mounting mounting, boolean permissiveUris) throws Exception {
    mount(mounting, permissiveUris);
    Session session = h2.connect(new InetSocketAddress("127.0.0.1", host.port()), new Session.Listener() {}).get(10, SECONDS);

    assertThat(h2Status(session, "c=%FF&d=+;%00&")).isEqualTo(200);
    assertThat(forwarded()).isEqualTo("GET /p/x?c=%FF&d=+;%00& HTTP/1.1");
    for (String query : List.of("c=%zz", "c=a b", "c=caf\u00e9")) {
      assertThat(h2Status(session, query)).as("status for %s", query).isEqualTo(400);
      assertThat(forwarded()).as("forwarded for %s", query).isNull();
    }
    session.close(0, null, org.eclipse.jetty.util.Callback.NOOP);
  }

  private int h2Status(Session session, String query) throws Exception {
    CompletableFuture<Integer> status = new CompletableFuture<>();
    MetaData.Request request = new MetaData.Request("GET",
        HttpURI.build().scheme("http").host("127.0.0.1").port(host.port()).path("/p/x").query(query),
        HttpVersion.HTTP_2, HttpFields.EMPTY);
    session.newStream(new HeadersFrame(request, null, true), new Stream.Listener() {
      @Override
      public void onHeaders(Stream stream, HeadersFrame frame) {
        if (frame.getMetaData() instanceof MetaData.Response response) {
          status.complete(response.getStatus());
        }
        stream.demand();
      }

      @Override
      public void onReset(Stream stream, org.eclipse.jetty.http2.frames.ResetFrame frame,
          org.eclipse.jetty.util.Callback callback) {
        status.complete(-frame.getError());
        callback.succeeded();
      }
    }).get(10, SECONDS);
    return status.get(10, SECONDS);
  }
}
