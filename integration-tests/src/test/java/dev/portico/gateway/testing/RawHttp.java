package dev.portico.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Sends a request exactly as written over a plain socket (no client that would normalize it) and
 * reads the whole response until the server closes the connection.
 */
public final class RawHttp {
  private RawHttp() {}

  /** A raw response: the status code and the full text. */
  public record RawResponse(int status, String text) {
    public String body() {
      int i = text.indexOf("\r\n\r\n");
      return i < 0 ? "" : text.substring(i + 4);
    }
  }

  public static RawResponse send(int port, String requestTarget) throws IOException {
    return exchange(port, "GET " + requestTarget + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  }

  public static RawResponse exchange(int port, String rawRequest) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(rawRequest.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      byte[] chunk = new byte[8192];
      int n;
      while ((n = in.read(chunk)) >= 0) {
        buffer.write(chunk, 0, n);
      }
      String text = buffer.toString(StandardCharsets.ISO_8859_1);
      int status = text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
      return new RawResponse(status, text);
    }
  }
}
