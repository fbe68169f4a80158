package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.testing.GatewayHost;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.StringRequestContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An upstream that closes a kept-alive connection just as the gateway sends the next request on
 * it: the race every pooled client meets when an upstream's keep-alive timeout ends. The upstream
 * here answers the first request of each connection and closes the connection on the second one
 * without answering, which is that race made certain.
 */
class ClosedConnectionRetryTest {
  private final AtomicInteger heads = new AtomicInteger();
  private ServerSocket upstream;
  private Thread acceptor;
  private GatewayHost host;

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    if (upstream != null) {
      upstream.close();
      acceptor.join(5_000);
    }
  }

  private void start() throws Exception {
    upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(() -> {
      while (!upstream.isClosed()) {
        try {
          Socket socket = upstream.accept();
          Thread connection = new Thread(() -> serveOnceThenClose(socket), "closing-upstream-connection");
          connection.setDaemon(true);
          connection.start();
        } catch (IOException closed) {
          return;
        }
      }
    }, "closing-upstream");
    acceptor.setDaemon(true);
    acceptor.start();
    host = GatewayHost.start(Gateway.builder()
        .route("api", r -> r.path("/api/**").upstream("http://127.0.0.1:" + upstream.getLocalPort()))
        .build());
  }

  /** Answers the first request (keep-alive, a body only on GET), reads the second one's head, closes. */
  private void serveOnceThenClose(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      String first = readHead(in);
      heads.incrementAndGet();
      int length = contentLength(first);
      in.readNBytes(length);
      out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      if (!readHead(in).isEmpty()) {
        heads.incrementAndGet();
      }
    } catch (IOException e) {
      // the gateway closed first: nothing to do
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    while (matched < 4 && (b = in.read()) >= 0) {
      head.write(b);
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        return Integer.parseInt(line.substring(15).trim());
      }
    }
    return 0;
  }

  private ContentResponse send(String method) throws Exception {
    var request = host.client().newRequest(host.uri("/api/x")).method(method).timeout(10, TimeUnit.SECONDS);
    if (method.equals("POST")) {
      request.body(new StringRequestContent("text/plain", "order"));
    }
    return request.send();
  }

  @Test
  void anIdempotentRequestOnAConnectionTheUpstreamClosedIsSentAgainOnANewOne() throws Exception {
    start();

    ContentResponse first = send("GET");
    ContentResponse second = send("GET");

    assertThat(first.getStatus()).isEqualTo(200);
    assertThat(second.getStatus()).isEqualTo(200);
    assertThat(second.getContentAsString()).isEqualTo("ok");
    // first request; the second on the reused connection, closed unanswered; the second again, on a new one
    assertThat(heads.get()).isEqualTo(3);
  }

  @Test
  void aPostOnAConnectionTheUpstreamClosedIsNotSentAgain() throws Exception {
    start();

    ContentResponse first = send("GET");
    ContentResponse second = send("POST");

    assertThat(first.getStatus()).isEqualTo(200);
    assertThat(second.getStatus()).isEqualTo(502);
    assertThat(heads.get()).isEqualTo(2);
  }
}
