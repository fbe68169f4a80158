package dev.portico.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPatternTest {

  @ParameterizedTest(name = "{0} on {1}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      api.example.com   | api.example.com        | true
      api.example.com   | API.Example.COM        | true
      API.example.com   | api.example.com:8443   | true
      api.example.com   | www.example.com        | false
      api.example.com   | api.example.com.evil   | false
      *.example.com     | acme.example.com       | true
      *.example.com     | a.b.example.com:80     | true
      *.example.com     | ACME.EXAMPLE.COM       | true
      *.example.com     | example.com            | false
      *.example.com     | .example.com           | false
      *.example.com     | badexample.com         | false
      *.example.com     | example.com.evil       | false
      10.0.0.1          | 10.0.0.1:8080          | true
      [::1]             | [::1]:8080             | true
      [::1]             | [::1]                  | true
      [::1]             | [::2]                  | false
      """)
  void matchesIgnoringCaseAndPort(String pattern, String host, boolean matches) {
    assertThat(HostPattern.parse(pattern).matches(host)).isEqualTo(matches);
  }

  @Test
  void knowsWhetherItIsAWildcard() {
    assertThat(HostPattern.parse("*.example.com").isWildcard()).isTrue();
    assertThat(HostPattern.parse("example.com").isWildcard()).isFalse();
  }

  @Test
  void keepsThePatternAsWrittenButComparesIgnoringCase() {
    HostPattern upper = HostPattern.parse("*.Example.com");

    assertThat(upper.pattern()).isEqualTo("*.Example.com");
    assertThat(upper).isEqualTo(HostPattern.parse("*.example.COM")).hasSameHashCodeAs(HostPattern.parse("*.example.com"));
    assertThat(upper).isNotEqualTo(HostPattern.parse("example.com"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "*", "*.", ".", "api.example.com:443", "[::1]:443", "[::1", "a/b", "a.*.com", "*.*.com",
      "a*.example.com", "a b", "a..b", ".example.com", "example.com.", "*.[::1]", "exämple.com"})
  void refusesWhatIsNotAHostOrWildcard(String pattern) {
    assertThatThrownBy(() -> HostPattern.parse(pattern)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid host pattern '" + pattern + "'");
  }
}
