package dev.portico.gateway.internal.routing;

import dev.portico.gateway.internal.syntax.HttpSyntax;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether the query of a request target can be forwarded byte for byte, as the gateway
 * promises. Not public API.
 *
 * <p>The query is never normalized: what the client sent is what the upstream gets, {@code +},
 * {@code ;}, {@code %00}, {@code %FF}, an empty query ({@code ?}) and a {@code ?} inside it
 * included. What cannot be forwarded exactly is refused instead:
 * <ul>
 *   <li>any raw character outside visible ASCII: non-ASCII bytes (Jetty decodes the request line
 *       as UTF-8 before anyone sees it, so a byte such as {@code 0xFF} is already lost, and
 *       Tomcat refuses them itself), controls, space (possible over HTTP/2) and DEL;
 *   <li>a {@code #}, which a server drops with the rest of the query as a fragment;
 *   <li>a {@code %} not followed by two hex digits ({@code %zz}, {@code %2}, a trailing
 *       {@code %}): servers read it differently (kept, dropped, refused), so the gateway's query
 *       conditions and the upstream could disagree, and the upstream client cannot send it.
 * </ul>
 *
 * <p>Visible ASCII that RFC 3986 wants encoded ({@code " < > [ ] \ ^ ` { | }}) is left as it is:
 * Jetty accepts it and forwards it unchanged (Tomcat refuses most of it on its own). Thread-safe:
 * the class has no state.
 */
public final class RawQuery {

  private RawQuery() {}

  /**
   * Returns why {@code rawQuery} (without the {@code ?}, still percent-encoded; null for none) cannot
   * be forwarded exactly, in words safe to show the client; null when it can.
   */
  public static @Nullable String refusal(@Nullable String rawQuery) {
    if (rawQuery == null) {
      return null;
    }
    int n = rawQuery.length();
    for (int i = 0; i < n; i++) {
      char c = rawQuery.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return String.format("character U+%04X at index %d of the query must be percent-encoded", (int) c, i);
      }
      if (c == '#') {
        return "unencoded '#' in the query";
      }
      if (c == '%' && HttpSyntax.percentDecoded(rawQuery, i, n) < 0) {
        return "invalid percent-encoding at index " + i + " of the query";
      }
    }
    return null;
  }

}
