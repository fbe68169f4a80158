package dev.portico.gateway.routing;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * A route's host predicate: an exact host name ({@code api.example.com}) or a wildcard
 * ({@code *.example.com}, which matches any host with at least one more label in front of
 * {@code .example.com}, but not {@code example.com} itself). Matching ignores case and the port.
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
   * @throws IllegalArgumentException if it is empty, has a port, or has {@code *} anywhere but as
   *     the whole first label
   */
  public static HostPattern parse(String pattern) {
    requireNonNull(pattern, "pattern");
    String p = pattern.toLowerCase(Locale.ROOT);
    boolean wildcard = p.startsWith("*.");
    String rest = wildcard ? p.substring(1) : p;
    if (rest.isEmpty() || rest.equals(".") || rest.indexOf('*') >= 0 || rest.indexOf(':') >= 0 && !rest.startsWith("[")
        || rest.indexOf('/') >= 0) {
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
  public boolean equals(Object o) {
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

  static String stripPort(String host) {
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      return close < 0 ? host : host.substring(0, close + 1);
    }
    int colon = host.lastIndexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }
}
