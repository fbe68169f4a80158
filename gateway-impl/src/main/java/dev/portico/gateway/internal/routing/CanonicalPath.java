package dev.portico.gateway.internal.routing;

import dev.portico.gateway.internal.syntax.HttpSyntax;

/**
 * The second half of {@link PathNormalizer}: the one spelling of a path that passed every check.
 * Empty segments fold, raw dot-segments go (RFC 3986 section 5.2.4), encodings of unreserved
 * characters are decoded, the other encodings get upper-case hex digits, and the visible
 * characters a path may not hold unencoded are encoded. Not public API.
 */
final class CanonicalPath {
  private CanonicalPath() {}

  /**
   * Rebuilds a path that passed every check: folds empty segments, removes raw dot-segments and
   * canonicalizes percent-encodings. Segments never contain '/', so popping one is cutting the
   * output at its last '/'.
   */
  static PathNormalizer.Result rebuild(String p) {
    int n = p.length();
    StringBuilder out = new StringBuilder(n);
    int depth = 0;
    boolean trailingSlash = false;
    int i = 1;
    while (i <= n) {
      int end = p.indexOf('/', i);
      if (end < 0) {
        end = n;
      }
      boolean last = end == n;
      int length = end - i;
      if (length == 0 || length == 1 && p.charAt(i) == '.') {
        trailingSlash = last;
      } else if (length == 2 && p.charAt(i) == '.' && p.charAt(i + 1) == '.') {
        if (depth == 0) {
          return PathNormalizer.Result.rejected("'..' in path climbs above the root");
        }
        out.setLength(out.lastIndexOf("/"));
        depth--;
        trailingSlash = last;
      } else {
        out.append('/');
        appendCanonicalSegment(out, p, i, end);
        depth++;
      }
      i = end + 1;
    }
    if (depth == 0) {
      return PathNormalizer.Result.ok("/");
    }
    if (trailingSlash) {
      out.append('/');
    }
    return PathNormalizer.Result.ok(out.length() == n && p.contentEquals(out) ? p : out.toString());
  }

  private static void appendCanonicalSegment(StringBuilder out, String p, int start, int end) {
    int i = start;
    while (i < end) {
      char c = p.charAt(i);
      if (c == '%') {
        int b = HttpSyntax.percentDecoded(p, i, p.length());
        if (HttpSyntax.isUnreserved(b)) {
          out.append((char) b);
        } else {
          HttpSyntax.appendPercentEncoded(out, b);
        }
        i += 3;
      } else {
        if (PathNormalizer.mustEncode(c)) {
          HttpSyntax.appendPercentEncoded(out, c);
        } else {
          out.append(c);
        }
        i++;
      }
    }
  }
}
