package dev.portico.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * An upstream on a plain server socket that keeps the exact bytes of each request line it
 * receives (no HTTP library parses them first) and answers {@code 200 ok}, closing the connection.
 */
public final class ByteRecordingUpstream implements AutoCloseable {
  private final ServerSocket server;
  private final BlockingQueue<byte[]> requestLines = new LinkedBlockingQueue<>();
  private final Thread acceptor;

  private ByteRecordingUpstream() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::accept, "byte-recording-upstream");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public static ByteRecordingUpstream start() throws IOException {
    return new ByteRecordingUpstream();
  }

  public String uri() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Returns the next request line received (without CRLF), waiting up to {@code millis}; null if none came. */
  public byte @Nullable [] nextRequestLine(long millis) throws InterruptedException {
    return requestLines.poll(millis, TimeUnit.MILLISECONDS);
  }

  /** Returns whether no request line is waiting to be taken. */
  public boolean isIdle() {
    return requestLines.isEmpty();
  }

  /** Shows bytes outside visible ASCII as {@code \xNN}. */
  public static String show(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes) {
      int c = b & 0xFF;
      if (c > 0x20 && c < 0x7F || c == ' ') {
        out.append((char) c);
      } else {
        out.append(String.format("\\x%02X", c));
      }
    }
    return out.toString();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread exchange = new Thread(() -> answer(socket), "byte-recording-upstream-exchange");
        exchange.setDaemon(true);
        exchange.start();
      } catch (IOException e) {
        if (server.isClosed()) {
          return;
        }
      }
    }
  }

  /** Reads one request head off {@code socket}, keeps its request line and answers; a connection opened and left idle holds only its own thread. */
  private void answer(Socket socket) {
    try (socket) {
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        line.write(b);
      }
      if (b < 0) {
        return;
      }
      byte[] bytes = line.toByteArray();
      int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
      requestLines.add(Arrays.copyOf(bytes, length));
      int newlines = 0;   // the rest of the head: up to the empty line
      while (newlines < 2 && (b = in.read()) >= 0) {
        newlines = b == '\n' ? newlines + 1 : b == '\r' ? newlines : 0;
      }
      socket.getOutputStream().write(
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      // a broken or idle connection: nothing to record
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
