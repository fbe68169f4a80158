package dev.portico.gateway.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Sends bytes exactly as written over a plain socket to {@code 127.0.0.1}, so no client normalizes
 * a request (an attack, a malformed head, an odd spelling) before the gateway sees it, and reads
 * the whole response until the server closes the connection.
 *
 * <pre>{@code
 * RawClient.Response response = RawClient.exchange(server.port(),
 *     "GET /api/%2e%2e/admin HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
 * assertThat(response.status()).isEqualTo(400);
 * }</pre>
 *
 * <p>Connecting waits up to 5 seconds; reading fails with a {@link SocketTimeoutException} when the
 * server is silent for 10 seconds before closing.
 */
public final class RawClient {
  /** -1: the connection closed (or went silent) without a status line. */
  static final int NO_RESPONSE = -1;

  private RawClient() {}

  /**
   * A response as read off the socket.
   *
   * @param status the status code of the first response, or -1 when the text does not start with
   *     an HTTP/1.x status line
   * @param text everything read, as ISO-8859-1 text: the status line, headers and body
   */
  public record Response(int status, String text) {
    /** Returns the text after the first blank line: the body (and whatever followed it). */
    public String body() {
      int i = text.indexOf("\r\n\r\n");
      return i < 0 ? "" : text.substring(i + 4);
    }
  }

  /**
   * Sends {@code GET requestTarget HTTP/1.1} with {@code Host: 127.0.0.1} and
   * {@code Connection: close} to {@code port}, and reads the response until the server closes.
   */
  public static Response send(int port, String requestTarget) throws IOException {
    return exchange(port, "GET " + requestTarget + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  }

  /** Sends {@code raw} (ISO-8859-1) to {@code port} and reads the response until the server closes. */
  public static Response exchange(int port, String raw) throws IOException {
    try (Socket socket = connect(URI.create("http://127.0.0.1:" + port))) {
      socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
      }
      String text = out.toString(StandardCharsets.ISO_8859_1);
      return new Response(status(text), text);
    }
  }

  /** Sends {@code raw} and reads only the status line (a CONNECT answer may leave the connection open). */
  static int statusLine(URI base, String raw) throws IOException {
    try (Socket socket = connect(base)) {
      socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      try {
        while ((c = in.read()) >= 0 && c != '\n') {
          line.append((char) c);
        }
      } catch (SocketTimeoutException e) {
        return NO_RESPONSE;
      }
      return status(line.toString());
    }
  }

  /**
   * Sends {@code raw} and reads until the server closes the connection or is silent for 10
   * seconds; returns the status of the first response.
   */
  static int untilClosed(URI base, String raw) throws IOException {
    return status(readAll(base, raw));
  }

  /** Sends {@code raw} and returns everything read (ISO-8859-1) until the server closes or is silent for 10 s. */
  static String readAll(URI base, String raw) throws IOException {
    try (Socket socket = connect(base)) {
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
        // what arrived is the answer
      } catch (IOException e) {
        // a reset after the response: what arrived still counts
      }
      return out.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static Socket connect(URI base) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Returns the status code of the response {@code text} starts with, or {@link #NO_RESPONSE}. */
  static int status(String text) {
    if (text.length() >= 12 && text.startsWith("HTTP/1.") && text.charAt(8) == ' ') {
      try {
        return Integer.parseInt(text.substring(9, 12));
      } catch (NumberFormatException e) {
        return NO_RESPONSE;
      }
    }
    return NO_RESPONSE;
  }
}
