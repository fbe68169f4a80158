package dev.portico.gateway.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RawQueryTest {

  @ParameterizedTest
  @ValueSource(strings = {"", "?", "a=1&b=2", "c=%FF", "c=%ff%00", "a+b=c+d", "a;b", "%00", "q=100%25",
      "a[]=1&b[x]=2", "f={\"a\":1}", "x=<y>|`^\\", "a=/../..", "?a?"})
  void acceptsEveryVisibleAsciiQueryWithValidPercentEncoding(String query) {
    assertThat(RawQuery.refusal(query)).isNull();
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        arguments("c=%zz", "invalid percent-encoding at index 2"),
        arguments("c=%2", "invalid percent-encoding at index 2"),
        arguments("c=50%", "invalid percent-encoding at index 4"),
        arguments("%%41", "invalid percent-encoding at index 0"),
        arguments("c=\u00ff", "U+00FF at index 2"),
        arguments("c=\ufffd", "U+FFFD at index 2"),
        arguments("c=caf\u00e9", "U+00E9"),
        arguments("a b", "U+0020"),
        arguments("a=\t", "U+0009"),
        arguments("a=\u007f", "U+007F"),
        arguments("a=\r\nX: y", "U+000D"),
        arguments("a#b", "'#'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusesWhatCannotBeForwardedExactly(String query, String reason) {
    assertThat(RawQuery.refusal(query)).contains(reason);
  }

  @Test
  void acceptsNoQuery() {
    assertThat(RawQuery.refusal(null)).isNull();
  }
}
