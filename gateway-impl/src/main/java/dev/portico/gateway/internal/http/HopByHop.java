package dev.portico.gateway.internal.http;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.jspecify.annotations.Nullable;

/**
 * Hop-by-hop headers (RFC 9110 7.6.1): they describe one connection and are never forwarded in
 * either direction. Not public API.
 */
public final class HopByHop {
  private static final Set<String> NAMES = Set.of(
      "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
      "transfer-encoding", "upgrade", "proxy-connection");

  private HopByHop() {}

  /** Returns the lower-case header names listed in {@code Connection}, or null when there are none. */
  public static @Nullable Set<String> connectionTokens(HttpFields fields) {
    Set<String> tokens = null;
    for (HttpField field : fields) {
      if (field.getHeader() == HttpHeader.CONNECTION) {
        for (String token : field.getValue().split(",")) {
          String t = token.trim().toLowerCase(Locale.ROOT);
          if (!t.isEmpty()) {
            if (tokens == null) {
              tokens = new HashSet<>(4);
            }
            tokens.add(t);
          }
        }
      }
    }
    return tokens;
  }

  /** Returns whether {@code field} is hop-by-hop, given the {@code Connection} tokens. */
  public static boolean isHopByHop(HttpField field, @Nullable Set<String> connectionTokens) {
    HttpHeader header = field.getHeader();
    if (header != null) {
      switch (header) {
        case CONNECTION, KEEP_ALIVE, PROXY_AUTHENTICATE, PROXY_AUTHORIZATION, TE, TRAILER,
            TRANSFER_ENCODING, UPGRADE, PROXY_CONNECTION -> {
          return true;
        }
        default -> {
          // fall through to the Connection tokens
        }
      }
    } else if (NAMES.contains(field.getLowerCaseName())) {
      return true;
    }
    return connectionTokens != null && connectionTokens.contains(field.getLowerCaseName());
  }
}
