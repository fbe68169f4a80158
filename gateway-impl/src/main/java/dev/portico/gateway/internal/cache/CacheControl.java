package dev.portico.gateway.internal.cache;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Cache-Control} directives a shared cache acts on (RFC 9111 section 5.2), parsed
 * leniently from every field line of a request or a response. Names are case-insensitive;
 * values are tokens or quoted strings. What cannot be trusted errs on the side of not serving
 * stale content: a delta-seconds value that is not a number, or a directive repeated with
 * different values, counts as {@code 0} (stale), as section 4.2.1 allows; a qualified
 * {@code no-cache="..."} or {@code private="..."} counts as the unqualified directive. Unknown
 * directives are ignored. Not public API.
 *
 * @param maxAge {@code max-age} in seconds, or -1 when absent
 * @param sMaxAge {@code s-maxage} in seconds, or -1 when absent
 * @param maxStale {@code max-stale} seconds (request), -1 when absent, {@link Long#MAX_VALUE} without a value
 * @param minFresh {@code min-fresh} seconds (request), or -1 when absent
 */
public record CacheControl(long maxAge, long sMaxAge, boolean noStore, boolean noCache, boolean isPrivate,
    boolean isPublic, boolean mustRevalidate, boolean proxyRevalidate, boolean onlyIfCached, long maxStale,
    long minFresh) {

  /** No directives. */
  public static final CacheControl NONE = new CacheControl(-1, -1, false, false, false, false, false, false, false,
      -1, -1);

  /** The largest delta-seconds a cache keeps: 2^31, as RFC 9111 section 1.2.2 says. */
  static final long MAX_DELTA = 2_147_483_648L;

  /** Parses the field lines {@code values} of {@code Cache-Control}; none gives {@link #NONE}. */
  public static CacheControl parse(List<String> values) {
    if (values.isEmpty()) {
      return NONE;
    }
    Parser p = new Parser();
    for (String value : values) {
      p.parse(value);
    }
    return new CacheControl(p.maxAge, p.sMaxAge, p.noStore, p.noCache, p.isPrivate, p.isPublic, p.mustRevalidate,
        p.proxyRevalidate, p.onlyIfCached, p.maxStale, p.minFresh);
  }

  private static final class Parser {
    long maxAge = -1;
    long sMaxAge = -1;
    long maxStale = -1;
    long minFresh = -1;
    boolean noStore;
    boolean noCache;
    boolean isPrivate;
    boolean isPublic;
    boolean mustRevalidate;
    boolean proxyRevalidate;
    boolean onlyIfCached;

    void parse(String s) {
      int i = 0;
      int n = s.length();
      while (i < n) {
        // skip separators and whitespace
        char c = s.charAt(i);
        if (c == ',' || c == ' ' || c == '\t') {
          i++;
          continue;
        }
        int nameStart = i;
        while (i < n && s.charAt(i) != '=' && s.charAt(i) != ',') {
          i++;
        }
        String name = s.substring(nameStart, i).trim().toLowerCase(Locale.ROOT);
        @Nullable String value = null;
        if (i < n && s.charAt(i) == '=') {
          i++;
          while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
          }
          if (i < n && s.charAt(i) == '"') {
            StringBuilder quoted = new StringBuilder();
            i++;
            while (i < n && s.charAt(i) != '"') {
              if (s.charAt(i) == '\\' && i + 1 < n) {
                i++;
              }
              quoted.append(s.charAt(i++));
            }
            i++;   // the closing quote (or past the end of an unterminated one)
            while (i < n && s.charAt(i) != ',') {
              i++;   // garbage after the quoted string
            }
            value = quoted.toString();
          } else {
            int valueStart = i;
            while (i < n && s.charAt(i) != ',') {
              i++;
            }
            value = s.substring(valueStart, i).trim();
          }
        }
        directive(name, value);
      }
    }

    private void directive(String name, @Nullable String value) {
      switch (name) {
        case "max-age" -> maxAge = seconds(maxAge, value);
        case "s-maxage" -> sMaxAge = seconds(sMaxAge, value);
        case "min-fresh" -> minFresh = seconds(minFresh, value);
        case "max-stale" -> maxStale = value == null ? Long.MAX_VALUE : seconds(maxStale, value);
        case "no-store" -> noStore = true;
        case "no-cache" -> noCache = true;
        case "private" -> isPrivate = true;
        case "public" -> isPublic = true;
        case "must-revalidate" -> mustRevalidate = true;
        case "proxy-revalidate" -> proxyRevalidate = true;
        case "only-if-cached" -> onlyIfCached = true;
        default -> { }
      }
    }

    /** A delta-seconds value; 0 when it is malformed or conflicts with an earlier one. */
    private static long seconds(long previous, @Nullable String value) {
      long parsed = parseDelta(value);
      if (previous >= 0 && previous != parsed) {
        return 0;
      }
      return parsed;
    }
  }

  /** Parses delta-seconds (digits only); a malformed value is 0, a huge one {@link #MAX_DELTA}. */
  static long parseDelta(@Nullable String value) {
    if (value == null || value.isEmpty()) {
      return 0;
    }
    long result = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return 0;
      }
      result = result * 10 + (c - '0');
      if (result >= MAX_DELTA) {
        return MAX_DELTA;
      }
    }
    return result;
  }
}
