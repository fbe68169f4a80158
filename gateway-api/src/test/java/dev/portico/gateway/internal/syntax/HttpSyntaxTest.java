package dev.portico.gateway.internal.syntax;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The one home of HTTP syntax, byte by byte against the RFCs' own wording: RFC 9110 section 5.6.2
 * ("any VCHAR, except delimiters"), RFC 3986 sections 2.1 and 2.3.
 */
class HttpSyntaxTest {
  /** RFC 9110 section 5.6.2: the delimiters a token never holds. */
  private static final String DELIMITERS = "\"(),/:;<=>?@[\\]{}";

  @Test
  void tcharIsEveryVisibleAsciiCharacterButTheDelimiters() {
    for (int c = 0; c < 256; c++) {
      boolean vchar = c >= 0x21 && c <= 0x7E;
      boolean expected = vchar && DELIMITERS.indexOf(c) < 0;
      assertThat(HttpSyntax.isTchar(c)).as("byte 0x%02X", c).isEqualTo(expected);
    }
    assertThat(HttpSyntax.isTchar(-1)).isFalse();
    assertThat(HttpSyntax.isTchar('\u0100')).isFalse();
    assertThat(HttpSyntax.isTchar('\uFF21')).as("fullwidth A").isFalse();
  }

  @Test
  void tokenIsOneOrMoreTcharsAndNothingElse() {
    assertThat(HttpSyntax.isToken("GET")).isTrue();
    assertThat(HttpSyntax.isToken("X-Custom_Header.v2")).isTrue();
    assertThat(HttpSyntax.isToken("!#$%&'*+-.^_`|~09azAZ")).isTrue();
    assertThat(HttpSyntax.isToken("")).isFalse();
    assertThat(HttpSyntax.isToken("GET ")).isFalse();
    assertThat(HttpSyntax.isToken("a:b")).isFalse();
    assertThat(HttpSyntax.isToken("caf\u00e9")).isFalse();
    assertThat(HttpSyntax.isToken("a\r\nb")).isFalse();
  }

  @Test
  void hexDigitIsAsciiHexInEitherCaseOnly() {
    for (int c = 0; c < 256; c++) {
      int expected = c >= '0' && c <= '9' ? c - '0'
          : c >= 'a' && c <= 'f' ? c - 'a' + 10
          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      assertThat(HttpSyntax.hexDigit(c)).as("byte 0x%02X", c).isEqualTo(expected);
    }
    // Digits of other scripts, which Character.digit would take.
    assertThat(HttpSyntax.hexDigit('\u0660')).as("Arabic-Indic zero").isEqualTo(-1);
    assertThat(HttpSyntax.hexDigit('\uFF10')).as("fullwidth zero").isEqualTo(-1);
    assertThat(HttpSyntax.hexDigit('\uFF41')).as("fullwidth a").isEqualTo(-1);
  }

  @Test
  void percentDecodedReadsEveryOctetItsEncodingsSpell() {
    for (int octet = 0; octet < 256; octet++) {
      String upper = HttpSyntax.appendPercentEncoded(new StringBuilder(), octet).toString();
      String lower = String.format("%%%02x", octet);
      assertThat(upper).as("octet %d", octet).isEqualTo(String.format("%%%02X", octet));
      assertThat(HttpSyntax.percentDecoded(upper, 0, upper.length())).isEqualTo(octet);
      assertThat(HttpSyntax.percentDecoded(lower, 0, lower.length())).isEqualTo(octet);
    }
  }

  @Test
  void percentDecodedRefusesWhatIsNotPercentAndTwoHexDigits() {
    assertThat(HttpSyntax.percentDecoded("a%2Fb", 1, 5)).isEqualTo('/');
    assertThat(HttpSyntax.percentDecoded("a%2Fb", 0, 5)).as("no '%' there").isEqualTo(-1);
    assertThat(HttpSyntax.percentDecoded("%2", 0, 2)).as("truncated").isEqualTo(-1);
    assertThat(HttpSyntax.percentDecoded("%2F", 0, 2)).as("past the end given").isEqualTo(-1);
    assertThat(HttpSyntax.percentDecoded("%G0", 0, 3)).isEqualTo(-1);
    assertThat(HttpSyntax.percentDecoded("%0G", 0, 3)).isEqualTo(-1);
    assertThat(HttpSyntax.percentDecoded("%\uFF10\uFF10", 0, 3)).as("non-ASCII digits").isEqualTo(-1);
    assertThat(HttpSyntax.percentDecoded("%+1", 0, 3)).isEqualTo(-1);
  }

  @Test
  void unreservedIsLettersDigitsAndFourMarks() {
    for (int c = 0; c < 256; c++) {
      boolean expected = c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0);
      assertThat(HttpSyntax.isUnreserved(c)).as("byte 0x%02X", c).isEqualTo(expected);
    }
  }

  @Test
  void fieldValueHoldsNoCrLfOrNul() {
    for (int c = 0; c < 256; c++) {
      boolean expected = c != '\r' && c != '\n' && c != 0;
      assertThat(HttpSyntax.isFieldValue("a" + (char) c + "b")).as("byte 0x%02X", c).isEqualTo(expected);
    }
    assertThat(HttpSyntax.isFieldValue("")).isTrue();
  }

  @Test
  void percentEncodedUtf8EndTakesOnlyWellFormedSequences() {
    assertThat(end("%C3%A9")).as("e acute").isEqualTo(6);
    assertThat(end("%E2%82%AC/")).as("euro sign").isEqualTo(9);
    assertThat(end("%F0%9F%98%80")).as("an emoji").isEqualTo(12);
    assertThat(end("%C0%AE")).as("overlong '.'").isEqualTo(-1);
    assertThat(end("%E0%80%AE")).as("overlong, three bytes").isEqualTo(-1);
    assertThat(end("%ED%A0%80")).as("a surrogate").isEqualTo(-1);
    assertThat(end("%F4%90%80%80")).as("above U+10FFFF").isEqualTo(-1);
    assertThat(end("%80")).as("a lone continuation byte").isEqualTo(-1);
    assertThat(end("%C3")).as("cut short").isEqualTo(-1);
    assertThat(end("%C3A")).as("a raw continuation").isEqualTo(-1);
  }

  private static int end(String s) {
    return HttpSyntax.percentEncodedUtf8End(s, 0, HttpSyntax.percentDecoded(s, 0, s.length()));
  }
}
