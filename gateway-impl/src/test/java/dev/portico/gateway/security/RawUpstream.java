package dev.portico.gateway.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An upstream on a plain {@link ServerSocket} that records the exact bytes each connection carries
 * (no HTTP parser in between that could hide a second request) and answers each connection once
 * with {@code 200 ok} and {@code Connection: close}, after the request's headers and its
 * Content-Length body (or a chunked body up to its last chunk) arrived.
 */
final class RawUpstream implements AutoCloseable {
  private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^content-length:\\s*(\\d+)\\s*$");
  private static final Pattern REQUEST_LINE = Pattern.compile("(?m)^[A-Z]+ \\S+ HTTP/1\\.[01]\r$");

  private final ServerSocket server;
  private final List<String> connections = new CopyOnWriteArrayList<>();
  private final AtomicInteger open = new AtomicInteger();
  private final Thread acceptor;

  RawUpstream() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "raw-upstream-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  String uri() {
    return "http://127.0.0.1:" + port();
  }

  /** What each finished connection carried, in order of completion. */
  List<String> connections() {
    return List.copyOf(connections);
  }

  /** Connections accepted and not yet closed by the peer. */
  int openConnections() {
    return open.get();
  }

  /** Every byte received on every connection, concatenated. */
  String received() {
    return String.join("", connections);
  }

  /** The request lines in everything received: one per request the upstream was sent. */
  static int requestLines(String bytes) {
    Matcher m = REQUEST_LINE.matcher(bytes);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        open.incrementAndGet();
        Thread t = new Thread(() -> serve(socket), "raw-upstream-conn");
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
      int n;
      while (true) {
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
          // Keep reading until the gateway closes: anything it sends after this is recorded too.
        }
      }
    } catch (IOException e) {
      // recorded what arrived
    } finally {
      connections.add(bytes.toString(StandardCharsets.ISO_8859_1));
      open.decrementAndGet();
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
    if (head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
      return body.endsWith("0\r\n\r\n");
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
