package dev.portico.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.GatewayHost;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests with ambiguous framing, sent over a raw socket to a gateway whose upstream is a raw
 * socket that records the exact bytes it receives. Jetty's parser (RFC 9110 compliance, the
 * default) refuses or normalizes each one; whatever reaches the upstream is exactly one well-formed
 * request with at most one framing header and nothing after its body, or nothing at all. Each row
 * records the status the client gets and whether the upstream saw a request.
 */
class SmugglingTest {
  private static final String SMUGGLED = "GET /api/smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

  private static RawUpstream upstream;
  private static GatewayHost host;

  @BeforeAll
  static void start() throws Exception {
    upstream = new RawUpstream();
    host = GatewayHost.start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())).build());
  }

  @AfterAll
  static void stop() throws Exception {
    host.close();
    upstream.close();
  }

  /** name, the head's header lines (after the request line, CRLF-joined unless written out), body, status, forwarded. */
  static Stream<Arguments> requests() {
    String post = "POST /api/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    return Stream.of(
        row("Content-Length and Transfer-Encoding", post + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED, 400, false),
        row("Transfer-Encoding then Content-Length", post + "Transfer-Encoding: chunked\r\nContent-Length: 60\r\n\r\n0\r\n\r\n" + SMUGGLED, 400, false),
        row("duplicate Content-Length, same value", post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400, false),
        row("conflicting Content-Length", post + "Content-Length: 5\r\nContent-Length: 45\r\n\r\nhello" + SMUGGLED, 400, false),
        row("Content-Length list", post + "Content-Length: 5, 5\r\n\r\nhello", 400, false),
        row("negative Content-Length", post + "Content-Length: -1\r\n\r\nhello", 400, false),
        row("Content-Length with plus sign", post + "Content-Length: +5\r\n\r\nhello", 400, false),
        row("Transfer-Encoding: chunked, identity", post + "Transfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400, false),
        row("Transfer-Encoding with leading space", post + "Transfer-Encoding:  chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 200, true),
        row("Transfer-Encoding: xchunked", post + "Transfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400, false),
        row("Transfer-Encoding twice", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400, false),
        row("space before colon", post + "Transfer-Encoding : chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + SMUGGLED, 400, false),
        row("bare LF line endings", "POST /api/x HTTP/1.1\nHost: 127.0.0.1\nConnection: close\nContent-Length: 5\n\nhello", 200, true),
        row("bare LF inside a header", post + "X-A: 1\nContent-Length: 5\r\n\r\nhello", 200, true),
        row("obs-fold", post + "X-Folded: a\r\n b\r\nContent-Length: 5\r\n\r\nhello", 400, false),
        row("obs-fold on Transfer-Encoding", post + "Transfer-Encoding: identity\r\n chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400, false),
        row("chunk size overflow", post + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff1\r\nhello\r\n0\r\n\r\n", 400, false),
        row("chunked, smuggled after last chunk", post + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + SMUGGLED, 200, true),
        row("plain chunked (control)", post + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 200, true),
        row("plain Content-Length (control)", post + "Content-Length: 5\r\n\r\nhello", 200, true));
  }

  private static Arguments row(String name, String raw, int status, boolean forwarded) {
    return Arguments.of(name, raw, status, forwarded);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void forwardsOneWellFormedRequestOrNothing(String name, String raw, int status, boolean forwarded) throws Exception {
    int before = upstream.connections().size();

    int got = statusOf(host.port(), raw);

    Await.until("the upstream connections closed", () -> upstream.openConnections() == 0);
    // A connection that carried nothing forwarded nothing (the gateway may open one before the body fails).
    List<String> arrived = upstream.connections().subList(before, upstream.connections().size()).stream()
        .filter(bytes -> !bytes.isEmpty()).toList();
    assertThat(got).as(name).isEqualTo(status);
    if (forwarded) {
      assertThat(arrived).hasSize(1);
      assertWellFormedSingleRequest(arrived.get(0));
      assertThat(arrived.get(0)).doesNotContain("/api/smuggled").contains("hello");
    } else {
      assertThat(arrived).as(name).isEmpty();
    }
  }

  @Test
  void theCheckRejectsASecondRequest() {
    String two = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n" + SMUGGLED;
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> assertWellFormedSingleRequest(two)).isInstanceOf(AssertionError.class);
  }

  /** One request line, CRLF only, no folding, at most one framing header, and nothing after the body it frames. */
  static void assertWellFormedSingleRequest(String bytes) {
    int end = bytes.indexOf("\r\n\r\n");
    assertThat(end).as("end of head in %s", bytes).isPositive();
    String head = bytes.substring(0, end + 2);
    String rest = bytes.substring(end + 4);
    assertThat(head.replace("\r\n", "")).as("bare CR or LF in head").doesNotContain("\n").doesNotContain("\r");
    String[] lines = head.split("\r\n");
    assertThat(lines[0]).matches("[A-Z]+ /\\S* HTTP/1\\.1");
    long contentLengths = 0;
    long transferEncodings = 0;
    long length = -1;
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      assertThat(line).as("header line").doesNotStartWith(" ").doesNotStartWith("\t").matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+:.*");
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        contentLengths++;
        length = Long.parseLong(line.substring(15).trim());
      } else if (lower.startsWith("transfer-encoding:")) {
        transferEncodings++;
        assertThat(lower.substring(18).trim()).isEqualTo("chunked");
      }
    }
    assertThat(contentLengths + transferEncodings).as("framing headers").isLessThanOrEqualTo(1);
    if (contentLengths == 1) {
      assertThat(rest.length()).as("bytes after the head").isEqualTo(length);
    } else if (transferEncodings == 1) {
      int at = 0;
      while (true) {
        int lineEnd = rest.indexOf("\r\n", at);
        assertThat(lineEnd).as("chunk size line").isPositive();
        int size = Integer.parseInt(rest.substring(at, lineEnd).split(";")[0].trim(), 16);
        at = lineEnd + 2 + size;
        if (size == 0) {
          assertThat(rest.substring(at)).as("after the last chunk").isEqualTo("\r\n");
          break;
        }
        assertThat(rest.startsWith("\r\n", at)).isTrue();
        at += 2;
      }
    } else {
      assertThat(rest).as("bytes after a head without framing").isEmpty();
    }
  }

  /** Sends {@code raw} and returns the status of the first response (-1 when the connection closes without one). */
  static int statusOf(int port, String raw) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[4096];
      int n;
      try {
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException e) {
        // what arrived is enough for a status
      }
      String text = out.toString(StandardCharsets.ISO_8859_1);
      return text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
    }
  }
}
