package dev.portico.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathPatternTest {

  @ParameterizedTest(name = "{0} on {1}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      /                 | /                 | true
      /                 | /a                | false
      /api/orders       | /api/orders       | true
      /api/orders       | /api/orders/      | false
      /api/orders/      | /api/orders/      | true
      /api/orders/      | /api/orders       | false
      /api/orders       | /api/order        | false
      /api/orders       | /api/ordersx      | false
      /users/*          | /users/7          | true
      /users/*          | /users/           | false
      /users/*          | /users            | false
      /users/*          | /users/7/x        | false
      /users/{id}/x     | /users/7/x        | true
      /users/{id}/x     | /users//x         | false
      /static/**        | /static           | true
      /static/**        | /static/          | true
      /static/**        | /static/a/b/c     | true
      /static/**        | /staticx          | false
      /**               | /                 | true
      /**               | /anything/at/all  | true
      /files/{*rest}    | /files/a/b        | true
      /*/x/**           | /a/x              | true
      /*/x/**           | /a/y              | false
      /v1.0             | /v1.0             | true
      /v1%2e0           | /v1.0             | true
      /%7Euser          | /~user            | true
      /caf%c3%a9        | /caf%C3%A9        | true
      /a%20b            | /a%20b            | true
      /a^b              | /a%5Eb            | true
      """)
  void matchesSegmentPatterns(String pattern, String path, boolean matches) {
    PathPattern p = PathPattern.parse(pattern);

    assertThat(p.matches(path)).isEqualTo(matches);
    assertThat(p.match(path).isPresent()).isEqualTo(matches);
  }

  @Test
  void capturesVariables() {
    assertThat(PathPattern.parse("/users/{user}/orders/{id}").match("/users/ann/orders/7"))
        .contains(Map.of("user", "ann", "id", "7"));
    assertThat(PathPattern.parse("/files/{*rest}").match("/files/a/b.txt")).contains(Map.of("rest", "a/b.txt"));
    assertThat(PathPattern.parse("/files/{*rest}").match("/files")).contains(Map.of("rest", ""));
    assertThat(PathPattern.parse("/users/*").match("/users/7")).contains(Map.of());
  }

  @Test
  void listsVariableNamesInOrder() {
    assertThat(PathPattern.parse("/{b}/{a}/{*c}").variableNames()).containsExactly("b", "a", "c");
    assertThat(PathPattern.regex("/(?<x>[a-z]+)/(?<y>[0-9]+)").variableNames()).containsExactly("x", "y");
  }

  @Test
  void regexMatchesTheWholePathAndCapturesNamedGroups() {
    PathPattern p = PathPattern.regex("/v(?<version>[0-9]+)(/.*)?");

    assertThat(p.match("/v2/orders")).contains(Map.of("version", "2"));
    assertThat(p.matches("/api/v2/orders")).isFalse();
    assertThat(p.isRegex()).isTrue();
    assertThat(p.isLiteral()).isFalse();
  }

  @Test
  void regexGroupThatDidNotParticipateIsEmpty() {
    assertThat(PathPattern.regex("/a(?<opt>/b)?").match("/a")).contains(Map.of("opt", ""));
  }

  @Test
  void regexGroupNamesSkipEscapesQuotesClassesAndLookbehinds() {
    PathPattern p = PathPattern.regex("/x\\(?<b>[(?<c>)]\\Q(?<d>)\\E(?<=\\))(?<!y)(?<real>z)");

    assertThat(p.variableNames()).containsExactly("real");
    assertThat(p.match("/x<b>c(?<d>)z")).contains(Map.of("real", "z"));
  }

  @Test
  void isLiteralOnlyWithoutWildcardsOrVariables() {
    assertThat(PathPattern.parse("/api/health").isLiteral()).isTrue();
    assertThat(PathPattern.parse("/").isLiteral()).isTrue();
    assertThat(PathPattern.parse("/api/*").isLiteral()).isFalse();
    assertThat(PathPattern.parse("/api/**").isLiteral()).isFalse();
  }

  @Test
  void literalBeatsVariableAndWildcard() {
    assertMoreSpecific("/users/me", "/users/{id}");
    assertMoreSpecific("/users/me", "/users/*");
  }

  @Test
  void variableAndWildcardAreEquallySpecific() {
    assertThat(PathPattern.parse("/users/{id}").compareSpecificity(PathPattern.parse("/users/*"))).isZero();
  }

  @Test
  void variableAndWildcardBeatCatchAll() {
    assertMoreSpecific("/users/{id}", "/users/**");
    assertMoreSpecific("/users/*", "/users/{*rest}");
  }

  @Test
  void patternEndBeatsCatchAll() {
    assertMoreSpecific("/users", "/users/**");
    assertMoreSpecific("/users/{id}", "/users/{id}/**");
  }

  @Test
  void leftmostDifferenceDecides() {
    assertMoreSpecific("/a/**", "/{x}/b/c");
    assertMoreSpecific("/a/*/c", "/a/*/*");
    assertMoreSpecific("/a/b/**", "/a/*/c");
  }

  @Test
  void regexIsAsSpecificAsRootCatchAll() {
    PathPattern regex = PathPattern.regex("/a/.*");

    assertThat(regex.compareSpecificity(PathPattern.parse("/**"))).isZero();
    assertThat(PathPattern.parse("/**").compareSpecificity(regex)).isZero();
    assertThat(regex.compareSpecificity(PathPattern.regex(".*"))).isZero();
    assertMoreSpecific(PathPattern.parse("/{x}/**"), regex);
    assertMoreSpecific(PathPattern.parse("/a"), regex);
  }

  @Test
  void patternsThatMatchTheSamePathsAreEqual() {
    assertThat(PathPattern.parse("/users/{id}")).isEqualTo(PathPattern.parse("/users/*"))
        .hasSameHashCodeAs(PathPattern.parse("/users/*"));
    assertThat(PathPattern.parse("/a/**")).isEqualTo(PathPattern.parse("/a/{*rest}"));
    assertThat(PathPattern.parse("/v1.0")).isEqualTo(PathPattern.parse("/v1%2E0"));
    assertThat(PathPattern.parse("/users/{id}").shape()).isEqualTo("/users/*");
  }

  @Test
  void patternsThatMatchDifferentPathsAreNotEqual() {
    assertThat(PathPattern.parse("/a")).isNotEqualTo(PathPattern.parse("/a/"));
    assertThat(PathPattern.parse("/a/*")).isNotEqualTo(PathPattern.parse("/a/**"));
    assertThat(PathPattern.parse("/**")).isNotEqualTo(PathPattern.regex("/.*"));
    assertThat(PathPattern.regex("/a")).isEqualTo(PathPattern.regex("/a"));
  }

  @Test
  void keepsThePatternAsWritten() {
    assertThat(PathPattern.parse("/v1%2e0/{id}").pattern()).isEqualTo("/v1%2e0/{id}");
    assertThat(PathPattern.parse("/v1%2e0/{id}").segments()).containsExactly(
        new PathPattern.Segment(PathPattern.SegmentKind.LITERAL, "v1.0"),
        new PathPattern.Segment(PathPattern.SegmentKind.VARIABLE, "id"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      a/b          | must start with '/'
      /a?b         | must not contain '?' or '#'
      /a#b         | must not contain '?' or '#'
      /a/**/b      | '**' must be the last segment
      /{*rest}/b   | '{*rest}' must be the last segment
      /a*          | must make up a whole segment
      /a{b}        | must make up a whole segment
      /{1x}        | bad variable name '1x'
      /{}          | bad variable name ''
      /{a-b}       | bad variable name 'a-b'
      /{id}/{id}   | variable 'id' appears twice
      /{id}/{*id}  | variable 'id' appears twice
      //a          | empty segment
      /./a         | dot-segments
      /a/..        | dot-segments
      /%2e%2e      | dot-segments
      /a%2fb       | encoded '/'
      /a%5Cb       | encoded '/'
      /a%00        | encoded '/'
      /a%zz        | bad percent-encoding
      /a%2         | bad percent-encoding
      /a;b         | ';' is never accepted
      /a\\b        | ';' is never accepted
      /%C0%AE      | not valid UTF-8
      /caf%C3      | not valid UTF-8
      """)
  void refusesPatternsThatCanNeverMatchANormalizedPath(String pattern, String reason) {
    assertThatThrownBy(() -> PathPattern.parse(pattern.replace("\\\\", "\\")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid path pattern '")
        .hasMessageContaining(reason);
  }

  @Test
  void refusesRawNonAsciiEvenNextToAPercentEncoding() {
    assertThatThrownBy(() -> PathPattern.parse("/café%20x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("percent-encode it");
    assertThatThrownBy(() -> PathPattern.parse("/a%20\u0663\u0663")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PathPattern.parse("/a%\u0663\u0663")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad percent-encoding");
  }

  @Test
  void refusesRegexThatDoesNotCompile() {
    assertThatThrownBy(() -> PathPattern.regex("/a(b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("path regex '/a(b': ");
  }

  private static void assertMoreSpecific(String more, String less) {
    assertMoreSpecific(PathPattern.parse(more), PathPattern.parse(less));
  }

  private static void assertMoreSpecific(PathPattern more, PathPattern less) {
    assertThat(more.compareSpecificity(less)).as("%s vs %s", more, less).isPositive();
    assertThat(less.compareSpecificity(more)).as("%s vs %s", less, more).isNegative();
  }

  @Test
  void matchOfANonMatchingPathIsEmpty() {
    assertThat(PathPattern.parse("/a/{x}").match("/b/c")).isEqualTo(Optional.empty());
  }
}
