package dev.portico.gateway.internal.http;

import dev.portico.gateway.internal.syntax.HttpSyntax;

/**
 * How identity values travel in header fields (the rule {@code IdentityForwarding} documents): a
 * value of visible ASCII and inner spaces, without {@code %} and not starting with {@code UTF-8''},
 * as it is; any other as an RFC 8187 {@code ext-value}, {@code UTF-8''} and its percent-encoded
 * UTF-8 bytes. Reversible, and an encoded value never equals a plain one. Not public API.
 */
public final class IdentityValueEncoding {
  static final String MARKER = "UTF-8''";

  private IdentityValueEncoding() {}

  /** Returns {@code value} as it goes in a header field. */
  public static String encode(String value) {
    return isPlain(value) ? value : MARKER + percentEncoded(value);
  }

  private static boolean isPlain(String value) {
    int n = value.length();
    if (n == 0) {
      return true;
    }
    if (value.charAt(0) == ' ' || value.charAt(n - 1) == ' ' || value.regionMatches(true, 0, MARKER, 0, MARKER.length())) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7E || c == '%') {
        return false;
      }
    }
    return true;
  }

  private static String percentEncoded(String value) {
    StringBuilder out = new StringBuilder(value.length() * 3);
    for (int i = 0; i < value.length(); ) {
      // A lone surrogate is taken as its own code point: three bytes, so two of them never collide.
      int cp = value.codePointAt(i);
      i += Character.charCount(cp);
      if (cp < 0x80) {
        if (isAttrChar(cp)) {
          out.append((char) cp);
        } else {
          byteOut(out, cp);
        }
      } else if (cp < 0x800) {
        byteOut(out, 0xC0 | cp >> 6);
        byteOut(out, 0x80 | cp & 0x3F);
      } else if (cp < 0x10000) {
        byteOut(out, 0xE0 | cp >> 12);
        byteOut(out, 0x80 | cp >> 6 & 0x3F);
        byteOut(out, 0x80 | cp & 0x3F);
      } else {
        byteOut(out, 0xF0 | cp >> 18);
        byteOut(out, 0x80 | cp >> 12 & 0x3F);
        byteOut(out, 0x80 | cp >> 6 & 0x3F);
        byteOut(out, 0x80 | cp & 0x3F);
      }
    }
    return out.toString();
  }

  /** RFC 8187 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~". */
  private static boolean isAttrChar(int c) {
    return HttpSyntax.isTchar(c) && c != '%' && c != '\'' && c != '*';   // tchar but the three RFC 8187 reserves
  }

  private static void byteOut(StringBuilder out, int b) {
    HttpSyntax.appendPercentEncoded(out, b);
  }
}
