package dev.portico.gateway.test;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An upstream that records the exact bytes each connection carries, for checks no HTTP parser may
 * stand in the way of (request smuggling, header injection): a plain {@link ServerSocket} on an
 * ephemeral port on {@code 127.0.0.1}. It answers each connection once, with {@code 200 ok} and
 * {@code Connection: close}, after the request's head and its Content-Length body (or its chunked
 * body up to the last chunk) arrived, and records whatever else the peer sends until it closes.
 *
 * <pre>{@code
 * try (RawUpstream upstream = RawUpstream.start()) {
 *   // ... a route with upstream(upstream.uri()), a raw request through the gateway ...
 *   List<String> received = upstream.awaitIdle(Duration.ofSeconds(5));
 *   assertThat(received).singleElement().asString().doesNotContain("X-Injected");
 * }
 * }</pre>
 *
 * <p>Each connection has a thread of its own; a connection idle for 5 seconds is closed.
 */
public final class RawUpstream implements AutoCloseable {
  private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^content-length:\\s*(\\d+)\\s*$");

  private final ServerSocket server;
  private final Object lock = new Object();
  private final List<String> connections = new ArrayList<>();
  private int open;

  private RawUpstream() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "raw-upstream-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts an upstream on a free loopback port. */
  public static RawUpstream start() throws IOException {
    return new RawUpstream();
  }

  /** Returns the port the upstream listens on. */
  public int port() {
    return server.getLocalPort();
  }

  /** Returns {@code http://127.0.0.1:port}, what a route's {@code upstream(..)} takes. */
  public String uri() {
    return "http://127.0.0.1:" + port();
  }

  /**
   * Returns what each finished connection carried (ISO-8859-1, one string per connection), in order
   * of completion, empty connections included.
   */
  public List<String> connections() {
    synchronized (lock) {
      return List.copyOf(connections);
    }
  }

  /** Returns how many connections are accepted and not yet finished. */
  public int openConnections() {
    synchronized (lock) {
      return open;
    }
  }

  /**
   * Waits until no connection is open, at most {@code timeout}, then returns what the connections
   * that carried any bytes received (a client may open a connection and send nothing on it).
   *
   * @throws AssertionError if connections are still open at the deadline
   * @throws InterruptedException if interrupted while waiting
   */
  public List<String> awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + requireNonNull(timeout, "timeout").toNanos();
    synchronized (lock) {
      while (open > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(open + " upstream connections still open after " + timeout);
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return connections.stream().filter(c -> !c.isEmpty()).toList();
    }
  }

  /** Stops accepting; connections in progress finish on their own. */
  @Override
  public void close() throws IOException {
    server.close();
  }

  @Override
  public String toString() {
    return "RawUpstream{" + uri() + "}";
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        synchronized (lock) {
          open++;
        }
        Thread t = new Thread(() -> serve(socket), "raw-upstream-connection");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (socket) {
      socket.setSoTimeout(5_000);
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      boolean answered = false;
      while (true) {
        int n;
        try {
          n = in.read(buffer);
        } catch (SocketTimeoutException e) {
          break;
        }
        if (n < 0) {
          break;
        }
        bytes.write(buffer, 0, n);
        if (!answered && complete(bytes.toString(StandardCharsets.ISO_8859_1))) {
          OutputStream out = socket.getOutputStream();
          out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
              .getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          socket.shutdownOutput();
          answered = true;
          // Keep reading until the peer closes: anything it sends after this is recorded too.
        }
      }
    } catch (IOException e) {
      // what arrived is recorded below
    } finally {
      synchronized (lock) {
        connections.add(bytes.toString(StandardCharsets.ISO_8859_1));
        open--;
        lock.notifyAll();
      }
    }
  }

  private static boolean complete(String text) {
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    String head = text.substring(0, end);
    String body = text.substring(end + 4);
    Matcher cl = CONTENT_LENGTH.matcher(head);
    if (cl.find()) {
      return body.length() >= Integer.parseInt(cl.group(1));
    }
    if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
      return body.endsWith("0\r\n\r\n");
    }
    return true;
  }
}
