package dev.portico.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The encoding of identity values in header fields: plain when safe, else RFC 8187 with a marker, never ambiguous. */
class IdentityValueEncodingTest {

  @Test
  void plainVisibleAsciiWithInnerSpacesIsSentAsItIs() {
    assertThat(IdentityValueEncoding.encode("alice")).isEqualTo("alice");
    assertThat(IdentityValueEncoding.encode("orders:read orders:write")).isEqualTo("orders:read orders:write");
    assertThat(IdentityValueEncoding.encode("https://idp.example.com/realms/a?b=c")).isEqualTo("https://idp.example.com/realms/a?b=c");
    assertThat(IdentityValueEncoding.encode("O'Brien")).isEqualTo("O'Brien");
    assertThat(IdentityValueEncoding.encode("")).isEmpty();
  }

  @Test
  void everythingElseIsUtf8PercentEncodedBehindTheMarker() {
    assertThat(IdentityValueEncoding.encode("admin日")).isEqualTo("UTF-8''admin%E6%97%A5");
    assertThat(IdentityValueEncoding.encode("é")).isEqualTo("UTF-8''%C3%A9");
    assertThat(IdentityValueEncoding.encode("a\r\nb\u0000")).isEqualTo("UTF-8''a%0D%0Ab%00");
    assertThat(IdentityValueEncoding.encode("a\tb")).isEqualTo("UTF-8''a%09b");
    assertThat(IdentityValueEncoding.encode("100%")).isEqualTo("UTF-8''100%25");
    assertThat(IdentityValueEncoding.encode(" admin")).isEqualTo("UTF-8''%20admin");
    assertThat(IdentityValueEncoding.encode("utf-8''x")).isEqualTo("UTF-8''utf-8%27%27x");
    assertThat(IdentityValueEncoding.encode("\uD83D\uDE00")).isEqualTo("UTF-8''%F0%9F%98%80");
    assertThat(IdentityValueEncoding.encode("\u007F")).isEqualTo("UTF-8''%7F");
  }

  @Test
  void loneSurrogatesStayDistinct() {
    assertThat(IdentityValueEncoding.encode("a\uD800")).isEqualTo("UTF-8''a%ED%A0%80");
    assertThat(IdentityValueEncoding.encode("a\uDC00")).isEqualTo("UTF-8''a%ED%B0%80");
  }

  @Test
  void distinctValuesNeverEncodeAlikeAndEveryEncodingDecodesBack() {
    Random random = new Random(17);
    String alphabet = "aZ0 %'-.~\r\n\t\u0000\u007F\u00E9\u65E5";
    Map<String, String> byEncoding = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      StringBuilder value = new StringBuilder(i % 3 == 0 ? "UTF-8''" : "");
      for (int n = random.nextInt(6); n > 0; n--) {
        value.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String v = value.toString();
      String encoded = IdentityValueEncoding.encode(v);
      String earlier = byEncoding.putIfAbsent(encoded, v);
      assertThat(earlier == null || earlier.equals(v)).as("%s and %s both encode as %s", earlier, v, encoded).isTrue();
      assertThat(decode(encoded)).isEqualTo(v);
      for (int c = 0; c < encoded.length(); c++) {
        assertThat(encoded.charAt(c)).isBetween(' ', '~');
      }
    }
  }

  /**
   * How a backend reads the value (authentication.md): after {@code UTF-8''}, percent-decoded UTF-8
   * (the JDK's decoder, with {@code +} kept as it is); any other value as it is.
   */
  private static String decode(String value) {
    return value.startsWith("UTF-8''")
        ? URLDecoder.decode(value.substring(7).replace("+", "%2B"), StandardCharsets.UTF_8)
        : value;
  }
}
