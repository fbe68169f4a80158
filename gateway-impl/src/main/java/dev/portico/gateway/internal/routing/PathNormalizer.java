package dev.portico.gateway.internal.routing;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.internal.syntax.HttpSyntax;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Turns the raw path of a request target into the one path the gateway works with, or refuses it
 * when it could mean different things to different servers. The path it returns is what routes
 * are matched against, what filters see and what is sent upstream, so no later hop can read the
 * request differently from the route that took it. Not public API.
 *
 * <pre>{@code
 * PathNormalizer.normalize("/api//orders/./7");   // ok: /api/orders/7
 * PathNormalizer.normalize("/public/%2e%2e/admin"); // rejected: encoded dot-segment
 * }</pre>
 *
 * <p><b>Refused</b> (the {@linkplain Result#reason() reason} says which rule, and is safe to show
 * to the client):
 * <ul>
 *   <li>a path that is empty or does not start with {@code /} ({@code *}, absolute-form leftovers);
 *   <li>NUL, raw or as {@code %00}; backslash, raw or as {@code %5C}; an encoded slash
 *       ({@code %2F});
 *   <li>an encoded control character ({@code %01} to {@code %1F}, {@code %7F}): a server that
 *       decodes the path could read {@code ..%09} as {@code ..} once it trims the tab, or split
 *       a line on {@code %0A};
 *   <li>a double encoding: {@code %25} (an encoded {@code %}) followed by two hex digits, raw or
 *       encoded ({@code %252e}, {@code %252F}, {@code %25%32%65}), or by {@code u} and four hex
 *       digits ({@code %25u002e}). A server that decodes twice would read {@code %252e%252e} as
 *       {@code ..} and {@code %2561dmin} as {@code admin}, so the upstream would see another path
 *       than the one routed. A {@code %25} followed by anything else ({@code /100%25},
 *       {@code %25zz}) cannot decode twice and is kept;
 *   <li>any raw character outside {@code 0x21..0x7E} (controls, space, DEL, non-ASCII must be
 *       percent-encoded), and a raw {@code ?} or {@code #}, which can only have reached the path
 *       by mistake and would cut it short at the next hop;
 *   <li>{@code ;} anywhere: servers such as Tomcat strip path parameters
 *       ({@code /public/..;/admin}), so the upstream would see another path than the one routed;
 *   <li>invalid percent-encoding ({@code %G1}, {@code %4}), and percent-encoded bytes that are not
 *       valid UTF-8 (overlong forms such as {@code %C0%AE}, stray continuation bytes);
 *   <li>a dot-segment written with an encoded dot ({@code %2e%2e}, {@code .%2E}, {@code %2e});
 *   <li>a {@code ..} that climbs above the root ({@code /../x}, {@code /a/../../x}).
 * </ul>
 *
 * <p><b>Normalized</b>: percent-encodings of unreserved characters ({@code A-Z a-z 0-9 - . _ ~},
 * which RFC 3986 section 2.3 makes equivalent to their encodings) are decoded; the hex digits of
 * every other percent-encoding are upper-cased; the visible ASCII characters that may not appear
 * unencoded in a path ({@code " < > [ ] ^ ` { | }}) are percent-encoded; runs of {@code /} are folded
 * into one; and raw {@code .} and {@code ..} segments are removed as RFC 3986 section 5.2.4 says. A
 * trailing slash is kept. Equivalent spellings of a path thus become one string, so a route's
 * literal {@code /api/v1.0/admin} also takes {@code /api/v1%2E0/admin}, which every upstream reads
 * as the same path. (An encoded dot can be decoded safely because a dot-segment written with one
 * was refused first.) Encoded reserved characters such as {@code %2B} stay encoded: RFC 3986 does
 * not make them equivalent to the raw character, and some servers tell them apart.
 *
 * <p>A path that needs none of this ({@code /api/orders/7}) is checked in a single scan and
 * returned as the same {@code String} instance; only its {@code Result} is allocated. Thread-safe:
 * the class has no state.
 */
public final class PathNormalizer {

  /** A raw character refused wherever it appears: controls, space, DEL, backslash, ';', '?', '#'. */
  private static final byte REJECT = 0;
  /** A raw character kept as it is: unreserved, sub-delimiters except ';', ':', '@', and '/'. */
  private static final byte KEEP = 1;
  /** A visible character a path may not hold unencoded: kept, but percent-encoded. */
  private static final byte ENCODE = 2;
  /** '%', which starts a percent-encoding. */
  private static final byte PERCENT = 3;
  /** The class of each ASCII character; anything from 0x80 up is refused. */
  private static final byte[] CLASS = new byte[128];

  static {
    for (char c = 0x21; c < 0x7F; c++) {
      CLASS[c] = KEEP;
    }
    for (char c : "\"<>[]^`{|}".toCharArray()) {
      CLASS[c] = ENCODE;
    }
    for (char c : "\\;?#".toCharArray()) {
      CLASS[c] = REJECT;
    }
    CLASS['%'] = PERCENT;
  }

  private PathNormalizer() {}

  /**
   * Normalizes {@code rawPath}, the path of a request target exactly as received: still
   * percent-encoded, without the query.
   *
   * @return the normalized path, or the reason the path is refused
   */
  public static Result normalize(String rawPath) {
    requireNonNull(rawPath, "rawPath");
    int n = rawPath.length();
    if (n == 0) {
      return Result.rejected("empty path");
    }
    if (rawPath.charAt(0) != '/') {
      return Result.rejected("path does not start with '/'");
    }
    for (int i = 0; i < n; i++) {
      char c = rawPath.charAt(i);
      if (c == '/') {
        int next = i + 1;
        if (next < n && (rawPath.charAt(next) == '/' || isRawDotSegment(rawPath, next))) {
          return normalizeSlowly(rawPath);
        }
      } else if (c >= CLASS.length) {
        return Result.rejected(rawCharacterReason(c, i));
      } else {
        byte k = CLASS[c];
        if (k == REJECT) {
          return Result.rejected(rawCharacterReason(c, i));
        }
        if (k != KEEP) {
          return normalizeSlowly(rawPath); // '%', or a character to encode
        }
      }
    }
    return Result.ok(rawPath);
  }

  /** Checks every rule in order of position, then rebuilds the path. */
  private static Result normalizeSlowly(String p) {
    int n = p.length();
    // Per segment: how many dots, whether one of them was encoded, whether anything else appeared.
    int dots = 0;
    boolean encodedDot = false;
    boolean other = false;
    int i = 1;
    while (i <= n) {
      if (i == n || p.charAt(i) == '/') {
        if (encodedDot && !other && dots <= 2) {
          return Result.rejected("encoded dot-segment (%2E) in path");
        }
        dots = 0;
        encodedDot = false;
        other = false;
        i++;
        continue;
      }
      char c = p.charAt(i);
      if (c == '%') {
        int b = HttpSyntax.percentDecoded(p, i, p.length());
        if (b < 0) {
          return Result.rejected("invalid percent-encoding at index " + i);
        }
        if (b == 0) {
          return Result.rejected("encoded NUL (%00) in path");
        }
        if (b == '/') {
          return Result.rejected("encoded slash (%2F) in path");
        }
        if (b == '\\') {
          return Result.rejected("encoded backslash (%5C) in path");
        }
        if (b < 0x20 || b == 0x7F) {
          return Result.rejected(String.format("encoded control character (%%%02X) in path", b));
        }
        if (b == '%' && isDoubleEncoding(p, i + 3)) {
          return Result.rejected("double encoding (%25 followed by an encoded character) in path");
        }
        if (b == '.') {
          dots++;
          encodedDot = true;
          i += 3;
        } else if (b >= 0x80) {
          int end = HttpSyntax.percentEncodedUtf8End(p, i, b);
          if (end < 0) {
            return Result.rejected("percent-encoded bytes at index " + i + " are not valid UTF-8");
          }
          other = true;
          i = end;
        } else {
          other = true;
          i += 3;
        }
      } else if (c == '.') {
        dots++;
        i++;
      } else if (c < CLASS.length && (CLASS[c] == KEEP || CLASS[c] == ENCODE)) {
        other = true;
        i++;
      } else {
        return Result.rejected(rawCharacterReason(c, i));
      }
    }
    return CanonicalPath.rebuild(p);
  }

  /** Whether {@code c}, a visible ASCII character a path may hold, must be percent-encoded in it. */
  static boolean mustEncode(char c) {
    return CLASS[c] == ENCODE;
  }

  /**
   * Whether what follows an encoded {@code %} at {@code start} makes it a second encoding: two hex
   * digits, or {@code u} and four (the {@code %uXXXX} form some servers decode), each digit raw
   * or itself percent-encoded.
   */
  private static boolean isDoubleEncoding(String p, int start) {
    int at = start;
    int digits = 2;
    if (at < p.length() && (p.charAt(at) == 'u' || p.charAt(at) == 'U')) {
      at++;
      digits = 4;
    }
    for (int k = 0; k < digits; k++) {
      at = afterHexDigit(p, at);
      if (at < 0) {
        return false;
      }
    }
    return true;
  }

  /** Returns the index after a hex digit at {@code i}, raw or percent-encoded, or -1 if there is none. */
  private static int afterHexDigit(String p, int i) {
    if (i >= p.length()) {
      return -1;
    }
    if (HttpSyntax.hexDigit(p.charAt(i)) >= 0) {
      return i + 1;
    }
    if (p.charAt(i) == '%') {
      int b = HttpSyntax.percentDecoded(p, i, p.length());
      if (b >= 0 && b < 0x80 && HttpSyntax.hexDigit(b) >= 0) {
        return i + 3;
      }
    }
    return -1;
  }

  /** Whether a '.' or '..' segment (raw dots only) starts at {@code start}. */
  private static boolean isRawDotSegment(String p, int start) {
    int n = p.length();
    if (p.charAt(start) != '.') {
      return false;
    }
    int next = start + 1;
    if (next == n || p.charAt(next) == '/') {
      return true;
    }
    return p.charAt(next) == '.' && (next + 1 == n || p.charAt(next + 1) == '/');
  }

  private static String rawCharacterReason(char c, int index) {
    return switch (c) {
      case 0 -> "NUL character in path";
      case '\\' -> "backslash in path";
      case ';' -> "';' in path (path parameters are not accepted)";
      case '?', '#' -> "unencoded '" + c + "' in path";
      default -> String.format("character U+%04X at index %d must be percent-encoded", (int) c, index);
    };
  }

  /**
   * The outcome of {@link #normalize(String)}: the normalized path, or the reason it was refused.
   */
  public static final class Result {
    private final @Nullable String path;
    private final @Nullable String reason;

    private Result(@Nullable String path, @Nullable String reason) {
      this.path = path;
      this.reason = reason;
    }

    /** Returns an accepted result carrying the normalized {@code path}. */
    public static Result ok(String path) {
      return new Result(requireNonNull(path, "path"), null);
    }

    /** Returns a refusal; {@code reason} goes into a 400 problem's detail, so it must be client-safe. */
    public static Result rejected(String reason) {
      return new Result(null, requireNonNull(reason, "reason"));
    }

    /** Returns whether the path was accepted. */
    public boolean isOk() {
      return path != null;
    }

    /**
     * Returns the normalized path.
     *
     * @throws IllegalStateException if the path was refused
     */
    public String path() {
      if (path == null) {
        throw new IllegalStateException("path was rejected: " + reason);
      }
      return path;
    }

    /**
     * Returns why the path was refused, in words safe to send to the client.
     *
     * @throws IllegalStateException if the path was accepted
     */
    public String reason() {
      if (reason == null) {
        throw new IllegalStateException("path was accepted: " + path);
      }
      return reason;
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Result other && Objects.equals(path, other.path) && Objects.equals(reason, other.reason);
    }

    @Override
    public int hashCode() {
      return Objects.hash(path, reason);
    }

    @Override
    public String toString() {
      return path != null ? "ok(" + path + ")" : "rejected(" + reason + ")";
    }
  }
}
