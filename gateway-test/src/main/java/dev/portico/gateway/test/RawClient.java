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
 * Sends bytes exactly as written over a plain socket, so no client normalizes an attack before the
 * gateway sees it. Not public API.
 */
final class RawClient {
  /** -1: the connection closed (or went silent) without a status line. */
  static final int NO_RESPONSE = -1;

  private RawClient() {}

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
    return status(exchange(base, raw));
  }

  /** Sends {@code raw} and returns everything read (ISO-8859-1) until the server closes or is silent for 10 s. */
  static String exchange(URI base, String raw) throws IOException {
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
