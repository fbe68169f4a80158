package dev.portico.gateway.internal.syntax;

/**
 * Not public API. The HTTP syntax every check of Portico uses, the API's builders and the engine
 * alike, in one place: tokens (RFC 9110 section 5.6.2), hex digits, percent-encoded octets and
 * unreserved characters (RFC 3986 sections 2.1 and 2.3), well-formed percent-encoded UTF-8 (RFC
 * 3629), and what a field value must not carry (RFC 9110 section 5.5). ASCII only:
 * {@link Character#digit(char, int)} and {@link Character#isLetterOrDigit(char)} would also take
 * non-ASCII letters and digits.
 */
public final class HttpSyntax {
  /** The delimiters and specials a token may hold besides letters and digits. */
  private static final String TOKEN_SPECIALS = "!#$%&'*+-.^_`|~";
  private static final boolean[] TCHAR = new boolean[128];
  private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();

  static {
    for (char c = '0'; c <= '9'; c++) {
      TCHAR[c] = true;
    }
    for (char c = 'A'; c <= 'Z'; c++) {
      TCHAR[c] = true;
      TCHAR[c + ('a' - 'A')] = true;
    }
    for (char c : TOKEN_SPECIALS.toCharArray()) {
      TCHAR[c] = true;
    }
  }

  private HttpSyntax() {}

  /**
   * Returns whether {@code c} is a {@code tchar}: {@code ALPHA / DIGIT} or one of
   * {@code ! # $ % & ' * + - . ^ _ ` | ~}.
   */
  public static boolean isTchar(int c) {
    return c >= 0 && c < 128 && TCHAR[c];
  }

  /** Returns whether {@code s} is a {@code token}: one or more {@code tchar}s. */
  public static boolean isToken(CharSequence s) {
    int n = s.length();
    if (n == 0) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (!isTchar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Returns the value of the ASCII hex digit {@code c} (either case), or -1 if it is none. */
  public static int hexDigit(int c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }

  /**
   * Returns the octet that the {@code %XX} at {@code i} of {@code s} encodes, or -1 if there is no
   * {@code %} followed by two hex digits there before {@code end}.
   */
  public static int percentDecoded(CharSequence s, int i, int end) {
    if (i + 2 >= end || s.charAt(i) != '%') {
      return -1;
    }
    int hi = hexDigit(s.charAt(i + 1));
    int lo = hexDigit(s.charAt(i + 2));
    return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
  }

  /**
   * Returns whether {@code c} is {@code unreserved} (RFC 3986 section 2.3): a character whose
   * percent-encoding means the same as the character itself.
   */
  public static boolean isUnreserved(int c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
        || c == '~';
  }

  /**
   * Checks the percent-encoded UTF-8 sequence whose lead byte {@code lead} is encoded at {@code i}
   * of {@code p}, following RFC 3629's table of well-formed sequences (no overlong forms, no
   * surrogates, nothing above U+10FFFF). Every continuation byte must be percent-encoded too: a
   * raw character is ASCII and so never a continuation byte.
   *
   * @return the index after the sequence, or -1 if it is not well-formed
   */
  public static int percentEncodedUtf8End(CharSequence p, int i, int lead) {
    int continuations;
    int secondMin = 0x80;
    int secondMax = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      continuations = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      continuations = 2;
      if (lead == 0xE0) {
        secondMin = 0xA0;
      } else if (lead == 0xED) {
        secondMax = 0x9F;
      }
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      continuations = 3;
      if (lead == 0xF0) {
        secondMin = 0x90;
      } else if (lead == 0xF4) {
        secondMax = 0x8F;
      }
    } else {
      return -1;
    }
    int j = i + 3;
    for (int k = 0; k < continuations; k++) {
      if (j >= p.length() || p.charAt(j) != '%') {
        return -1;
      }
      int b = percentDecoded(p, j, p.length());
      int min = k == 0 ? secondMin : 0x80;
      int max = k == 0 ? secondMax : 0xBF;
      if (b < min || b > max) {
        return -1;
      }
      j += 3;
    }
    return j;
  }

  /** Appends {@code octet} percent-encoded, with upper-case hex digits, as RFC 3986 recommends. */
  public static StringBuilder appendPercentEncoded(StringBuilder out, int octet) {
    return out.append('%').append(UPPER_HEX[octet >> 4 & 0xF]).append(UPPER_HEX[octet & 0xF]);
  }

  /**
   * Returns whether {@code value} can be sent as a field value as it is: it holds no CR, LF or NUL,
   * which would end the field (or the head) early, or which a recipient must refuse.
   */
  public static boolean isFieldValue(CharSequence value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        return false;
      }
    }
    return true;
  }
}
