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

  /**
   * Fields that may not travel as trailers (RFC 9110 section 6.5.1): framing, routing, request
   * modifiers, authentication, response control and content processing. The gateway drops them from
   * the trailers it relays, as it drops hop-by-hop fields.
   */
  private static final Set<String> NOT_TRAILERS = Set.of(
      "content-length", "content-encoding", "content-type", "content-range", "host", "authorization",
      "proxy-authorization", "www-authenticate", "proxy-authenticate", "cookie", "set-cookie", "expect",
      "max-forwards", "range", "cache-control", "age", "expires", "location", "retry-after", "vary");

  private HopByHop() {}

  /**
   * Returns the trailers to relay of {@code trailers} (a request's or a response's): without
   * hop-by-hop fields and fields that may not be trailers; null when none is left.
   */
  public static @Nullable HttpFields relayedTrailers(@Nullable HttpFields trailers) {
    if (trailers == null || trailers.size() == 0) {
      return null;
    }
    Set<String> tokens = connectionTokens(trailers);
    HttpFields.Mutable out = HttpFields.build(trailers.size());
    for (HttpField field : trailers) {
      if (!isHopByHop(field, tokens) && !NOT_TRAILERS.contains(field.getLowerCaseName())) {
        out.add(field);
      }
    }
    return out.size() == 0 ? null : out.asImmutable();
  }

  /**
   * Returns whether {@code fields} carry {@code te: trailers} and nothing else under that name: the
   * only {@code te} that HTTP/2 allows (RFC 9113 section 8.2.2), with which a gRPC client says it
   * reads trailers. Any other value, or a list, is not {@code trailers}.
   */
  public static boolean acceptsTrailersOnly(HttpFields fields) {
    boolean found = false;
    for (HttpField field : fields) {
      if (field.getHeader() == HttpHeader.TE) {
        if (!"trailers".equalsIgnoreCase(field.getValue().trim())) {
          return false;
        }
        found = true;
      }
    }
    return found;
  }

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
