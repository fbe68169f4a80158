package dev.portico.gateway.test;

import java.util.ArrayList;
import java.util.List;

/**
 * The WebSocket handshake table: upgrade requests that are not a valid opening handshake (RFC 6455
 * section 4.2.1), each sent without a token and with a valid one. Not public API.
 */
final class WebSocketHandshakes {
  private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

  /** One row: its name, the raw request, and whether it carries a valid token. */
  record Handshake(String name, String raw, boolean withToken) {
    @Override
    public String toString() {
      return name + (withToken ? ", valid token" : ", no token");
    }
  }

  private WebSocketHandshakes() {}

  /** Rows for {@code path} on {@code host}; the ones with a token carry {@code token}. */
  static List<Handshake> rows(String path, String host, String token) {
    String upgrade = "Upgrade: websocket\r\nConnection: Upgrade, close\r\n";
    String version = "Sec-WebSocket-Version: 13\r\n";
    String key = "Sec-WebSocket-Key: " + KEY + "\r\n";
    String[][] variants = {
        {"no Sec-WebSocket-Key", "HTTP/1.1", upgrade + version},
        {"an empty Sec-WebSocket-Key", "HTTP/1.1", upgrade + version + "Sec-WebSocket-Key: \r\n"},
        {"a short Sec-WebSocket-Key", "HTTP/1.1", upgrade + version + "Sec-WebSocket-Key: abc\r\n"},
        {"a Sec-WebSocket-Key that is not base64", "HTTP/1.1", upgrade + version + "Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!==\r\n"},
        {"two Sec-WebSocket-Keys", "HTTP/1.1", upgrade + version + key + key},
        {"Sec-WebSocket-Version: 8", "HTTP/1.1", upgrade + "Sec-WebSocket-Version: 8\r\n" + key},
        {"an upgrade over HTTP/1.0", "HTTP/1.0", upgrade + version + key},
    };
    List<Handshake> rows = new ArrayList<>();
    for (boolean withToken : new boolean[] {false, true}) {
      for (String[] v : variants) {
        String authorization = withToken ? "Authorization: Bearer " + token + "\r\n" : "";
        rows.add(new Handshake(v[0], "GET " + path + " " + v[1] + "\r\nHost: " + host + "\r\n" + authorization + v[2] + "\r\n",
            withToken));
      }
    }
    return List.copyOf(rows);
  }
}
