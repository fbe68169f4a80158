package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.GatewayServer;
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
  /** Requests the upstream answered: the first of each connection. */
  private final AtomicInteger answered = new AtomicInteger();
  /** Requests the upstream read on a kept-alive connection and closed it on, unanswered. */
  private final AtomicInteger closedUnanswered = new AtomicInteger();
  /**
   * How many requests a test sends at most until one of them goes on a kept-alive connection: the
   * gateway's client may open a new connection when the last one is not back in its pool yet.
   */
  private static final int TRIES = 20;
  private ServerSocket upstream;
  private Thread acceptor;
  private GatewayServer host;

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
    host = GatewayServer.builder().gateway(Gateway.builder()
        .route("api", r -> r.path("/api/**").upstream("http://127.0.0.1:" + upstream.getLocalPort()))
        .build()).permissiveUris(true).hostAnswer().start();
  }

  /** Answers the first request (keep-alive, a body only on GET), reads the second one's head, closes. */
  private void serveOnceThenClose(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      String first = readHead(in);
      answered.incrementAndGet();
      int length = contentLength(first);
      in.readNBytes(length);
      out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      if (!readHead(in).isEmpty()) {
        closedUnanswered.incrementAndGet();
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

    int sent = 0;
    while (sent < TRIES && closedUnanswered.get() == 0) {
      ContentResponse response = send("GET");
      sent++;
      assertThat(response.getStatus()).isEqualTo(200);
      assertThat(response.getContentAsString()).isEqualTo("ok");
    }

    assertThat(closedUnanswered.get()).as("GETs closed unanswered on a kept-alive connection, in %s", sent).isPositive();
    // Each GET answered once: those on a connection the upstream closed were sent again, on a new one.
    assertThat(answered.get()).isEqualTo(sent);
  }

  @Test
  void aPostOnAConnectionTheUpstreamClosedIsNotSentAgain() throws Exception {
    start();

    for (int i = 0; i < TRIES; i++) {
      assertThat(send("GET").getStatus()).isEqualTo(200);
      int answeredBefore = answered.get();
      int closedBefore = closedUnanswered.get();

      ContentResponse post = send("POST");

      if (closedUnanswered.get() > closedBefore) {
        // It went on the kept-alive connection, which the upstream closed on it.
        assertThat(post.getStatus()).isEqualTo(502);
        assertThat(answered.get()).as("the POST is not sent again").isEqualTo(answeredBefore);
        return;
      }
      assertThat(post.getStatus()).as("a POST on a new connection").isEqualTo(200);
    }
    throw new AssertionError("no POST went on a kept-alive connection in " + TRIES + " tries");
  }
}
