package dev.portico.gateway.routing;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A route's host predicate: an exact host name ({@code api.example.com}) or a wildcard
 * ({@code *.example.com}, which matches any host with at least one more label in front of
 * {@code .example.com}, but not {@code example.com} itself). Matching ignores case and the port.
 * A pattern is a name of letters, digits, {@code -}, {@code _} and dots, an IPv4 address, or a
 * bracketed IPv6 address ({@code [::1]}).
 */
public final class HostPattern {
  private final String pattern;
  private final boolean wildcard;
  private final String suffix;

  private HostPattern(String pattern, boolean wildcard, String suffix) {
    this.pattern = pattern;
    this.wildcard = wildcard;
    this.suffix = suffix;
  }

  /**
   * Parses {@code pattern}.
   *
   * @throws IllegalArgumentException if it is empty, has a port, an empty label or a character
   *     that cannot be in a host name, or has {@code *} anywhere but as the whole first label
   */
  public static HostPattern parse(String pattern) {
    requireNonNull(pattern, "pattern");
    String p = pattern.toLowerCase(Locale.ROOT);
    boolean wildcard = p.startsWith("*.");
    String rest = wildcard ? p.substring(1) : p;
    if (!(wildcard ? isDomain(rest.substring(1)) : isDomain(rest) || isIpv6Literal(rest))) {
      throw new IllegalArgumentException("invalid host pattern '" + pattern + "' (expected: host or *.domain, no port)");
    }
    return new HostPattern(pattern, wildcard, rest);
  }

  /** Returns whether {@code host} (a {@code Host} value, with or without port) matches. */
  public boolean matches(String host) {
    String h = stripPort(host);
    if (wildcard) {
      return h.length() > suffix.length() && h.regionMatches(true, h.length() - suffix.length(), suffix, 0, suffix.length());
    }
    return h.equalsIgnoreCase(suffix);
  }

  /** Returns whether this is a {@code *.} wildcard. */
  public boolean isWildcard() {
    return wildcard;
  }

  /** Returns the pattern as written. */
  public String pattern() {
    return pattern;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof HostPattern other && wildcard == other.wildcard && suffix.equals(other.suffix);
  }

  @Override
  public int hashCode() {
    return suffix.hashCode() * 31 + (wildcard ? 1 : 0);
  }

  @Override
  public String toString() {
    return pattern;
  }

  /** A name or IPv4 address: dot-separated non-empty labels of letters, digits, '-' and '_'. */
  private static boolean isDomain(String s) {
    if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.')) {
        return false;
      }
    }
    return true;
  }

  /** A bracketed IPv6 literal such as {@code [::1]}, without a port. */
  private static boolean isIpv6Literal(String s) {
    if (s.length() < 4 || !s.startsWith("[") || !s.endsWith("]")) {
      return false;
    }
    for (int i = 1; i < s.length() - 1; i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'f' || c >= '0' && c <= '9' || c == ':' || c == '.')) {
        return false;
      }
    }
    return true;
  }

  static String stripPort(String host) {
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      return close < 0 ? host : host.substring(0, close + 1);
    }
    int colon = host.lastIndexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }
}
