package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.routing.PathPattern;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathRewriteTest {

  @Test
  void keepSendsThePathAsItIs() {
    String path = "/api/orders/7";

    assertThat(PathRewrite.keep().apply(path, Map.of())).isSameAs(path);
    assertThat(PathRewrite.keep().variables()).isEmpty();
  }

  @ParameterizedTest(name = "strip {1} of {0}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      /api/orders/7   | 1 | /orders/7
      /api/orders/7   | 2 | /7
      /api/orders/7   | 3 | /
      /api/orders/7   | 9 | /
      /api/orders/    | 1 | /orders/
      /api/orders/    | 2 | /
      /api            | 1 | /
      /               | 1 | /
      """)
  void stripPrefixRemovesLeadingSegmentsAndLeavesAtLeastTheRoot(String path, int segments, String expected) {
    assertThat(PathRewrite.stripPrefix(segments).apply(path, Map.of())).isEqualTo(expected);
  }

  @Test
  void stripZeroIsKeep() {
    assertThat(PathRewrite.stripPrefix(0)).isSameAs(PathRewrite.keep());
  }

  @Test
  void stripRefusesANegativeCount() {
    assertThatThrownBy(() -> PathRewrite.stripPrefix(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("segments: -1 (expected: >= 0)");
  }

  @Test
  void templateFillsInTheRoutesVariables() {
    PathPattern path = PathPattern.parse("/api/users/{user}/orders/{id}");
    PathRewrite rewrite = PathRewrite.template("/v2/orders/{id}/by/{user}");

    assertThat(rewrite.variables()).containsExactly("id", "user");
    assertThat(rewrite.apply("/api/users/ann/orders/7", path.match("/api/users/ann/orders/7").orElseThrow()))
        .isEqualTo("/v2/orders/7/by/ann");
  }

  @Test
  void templateCanPlaceTheRestOfACatchAll() {
    PathPattern path = PathPattern.parse("/api/{*rest}");
    PathRewrite rewrite = PathRewrite.template("/internal/{rest}");

    assertThat(rewrite.apply("/api/a/b/c", path.match("/api/a/b/c").orElseThrow())).isEqualTo("/internal/a/b/c");
    assertThat(rewrite.apply("/api", path.match("/api").orElseThrow())).isEqualTo("/internal/");
  }

  @Test
  void templateWithoutVariablesIsAFixedPath() {
    assertThat(PathRewrite.template("/health").apply("/anything", Map.of())).isEqualTo("/health");
  }

  @ParameterizedTest
  @ValueSource(strings = {"v2/{id}", "/v2?x=1", "/v2#top", "/v2/{id", "/v2/{}", "/v2/{a-b}", "/v2/{*rest}"})
  void templateRefusesWhatIsNotAPathOverVariables(String template) {
    assertThatThrownBy(() -> PathRewrite.template(template)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("template: '" + template + "'");
  }
}
