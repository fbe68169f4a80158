package dev.portico.gateway.internal.websocket;

import dev.portico.gateway.Problem;
import dev.portico.gateway.ProblemType;
import java.util.Base64;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.jspecify.annotations.Nullable;

/**
 * The client's WebSocket opening handshake (RFC 6455 section 4.2.1), checked in full by the
 * engine before anything is opened to the upstream, so every adapter answers a bad one the same
 * way and no upstream connection is spent on it. On a route that accepts WebSocket, a request that
 * asks for it (an {@code Upgrade} token {@code websocket}) must be a {@code GET} over HTTP/1.1
 * without a body, with {@code Upgrade: websocket}, a {@code Connection} that names
 * {@code upgrade}, exactly one {@code Sec-WebSocket-Key} that is 16 bytes in base64, and
 * {@code Sec-WebSocket-Version: 13}; anything else is 400 {@code bad-websocket-handshake}, or 426
 * {@code websocket-version-unsupported} with {@code Sec-WebSocket-Version: 13} for the version.
 *
 * <p>An HTTP/2 extended {@code CONNECT} (RFC 8441, WebSocket over an HTTP/2 stream; Jetty
 * advertises it by default) is refused on every route with 501 {@code websocket-unsupported}: the
 * gateway opens no tunnels, and would otherwise send the {@code CONNECT} upstream as a plain
 * request.
 *
 * <p>Holds no websocket-core type, so it loads on hosts without it. Not public API.
 */
public final class WebSocketHandshake {
  private static final String VERSION = "13";
  /** A key is 16 bytes in base64: 22 characters and the padding. */
  private static final int KEY_LENGTH = 24;

  private WebSocketHandshake() {}

  /** Returns whether the client asks to switch to WebSocket: an {@code Upgrade} token {@code websocket}, in any case. */
  public static boolean isRequested(HttpFields headers) {
    if (!headers.contains(HttpHeader.UPGRADE)) {
      return false;
    }
    for (HttpField field : headers) {
      if (field.getHeader() == HttpHeader.UPGRADE) {
        for (String token : field.getValues()) {
          int slash = token.indexOf('/');
          String protocol = (slash < 0 ? token : token.substring(0, slash)).trim();
          if (protocol.equalsIgnoreCase("websocket")) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * Returns why the WebSocket upgrade a client asks for ({@code method}, {@code version},
   * {@code headers}, whether it {@code hasBody}) is not a valid opening handshake, or null when it
   * is one. Call only when {@link #isRequested} is true.
   */
  public static @Nullable Problem check(String method, HttpVersion version, HttpFields headers, boolean hasBody) {
    if (version != HttpVersion.HTTP_1_1) {
      return bad("A WebSocket upgrade needs HTTP/1.1; this request is " + version + ".");
    }
    if (!"GET".equals(method)) {
      return bad("A WebSocket upgrade must be a GET.");
    }
    List<String> upgrade = headers.getValuesList(HttpHeader.UPGRADE);
    if (upgrade.size() != 1 || !upgrade.get(0).trim().equalsIgnoreCase("websocket")) {
      return bad("A WebSocket upgrade needs exactly one Upgrade: websocket.");
    }
    if (!headers.contains(HttpHeader.CONNECTION, "upgrade")) {
      return bad("A WebSocket upgrade needs Connection: Upgrade.");
    }
    List<String> versions = headers.getValuesList(HttpHeader.SEC_WEBSOCKET_VERSION);
    if (versions.size() > 1) {
      return bad("A WebSocket upgrade has one Sec-WebSocket-Version.");
    }
    if (versions.isEmpty() || !VERSION.equals(versions.get(0).trim())) {
      return ProblemType.WEBSOCKET_VERSION_UNSUPPORTED
          .withDetail("This gateway speaks WebSocket version 13 (RFC 6455) only.")
          .withHeader(HttpHeader.SEC_WEBSOCKET_VERSION.asString(), VERSION);
    }
    List<String> keys = headers.getValuesList(HttpHeader.SEC_WEBSOCKET_KEY);
    if (keys.size() != 1) {
      return bad(keys.isEmpty() ? "A WebSocket upgrade needs a Sec-WebSocket-Key."
          : "A WebSocket upgrade has one Sec-WebSocket-Key.");
    }
    if (!isKey(keys.get(0).trim())) {
      return bad("The Sec-WebSocket-Key is not 16 bytes in base64.");
    }
    if (hasBody) {
      return bad("A WebSocket upgrade has no body.");
    }
    return null;
  }

  /**
   * Returns the refusal of an HTTP/2 extended {@code CONNECT} (RFC 8441), or null for any other
   * request. A {@code CONNECT} only reaches a route with a path as an extended one; its
   * {@code :protocol} is not visible on every adapter, and no tunnel is proxied anyway.
   */
  public static @Nullable Problem tunnel(String method) {
    if (!"CONNECT".equalsIgnoreCase(method)) {
      return null;
    }
    return ProblemType.WEBSOCKET_UNSUPPORTED.withDetail(
        "WebSocket over HTTP/2 (extended CONNECT, RFC 8441) is not proxied: open the WebSocket over HTTP/1.1.");
  }

  /** RFC 6455 section 4.1: a random 16-byte value in base64, which is 24 characters ending in {@code ==}. */
  static boolean isKey(String key) {
    if (key.length() != KEY_LENGTH || !key.endsWith("==")) {
      return false;
    }
    try {
      byte[] decoded = Base64.getDecoder().decode(key);
      // Only the canonical spelling: the unused bits of the last character are zero.
      return decoded.length == 16 && Base64.getEncoder().encodeToString(decoded).equals(key);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static Problem bad(String detail) {
    return ProblemType.BAD_WEBSOCKET_HANDSHAKE.withDetail(detail);
  }
}
