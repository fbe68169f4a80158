package dev.portico.gateway.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Locale;

/**
 * {@link PathNormalizer} on arbitrary input: it never throws, and a path it accepts is canonical
 * (normalizing it again gives the same path) and holds nothing an upstream could read differently.
 *
 * <p>In the normal test run this replays the seeds under {@code PathNormalizerFuzzTestInputs}. To
 * fuzz (for the annotation's 60 s): {@code JAZZER_FUZZ=1 mvn -B -pl gateway-impl -am test
 * -Dsurefire.failIfNoSpecifiedTests=false -Dtest=PathNormalizerFuzzTest}. Findings are written
 * next to the seeds as {@code crash-*} and replay from then on.
 */
class PathNormalizerFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void acceptedPathsAreCanonicalAndUnambiguous(FuzzedDataProvider data) {
    String raw = data.consumeRemainingAsString();
    PathNormalizer.Result result = PathNormalizer.normalize(raw);
    if (!result.isOk()) {
      assertThat(result.reason()).isNotBlank();
      return;
    }
    String path = result.path();
    assertThat(path).startsWith("/").doesNotContain("//").doesNotContain("/./").doesNotContain("/../")
        .doesNotContain("\\").doesNotEndWith("/.").doesNotEndWith("/..");
    assertThat(path.toUpperCase(Locale.ROOT)).doesNotContain("%2F").doesNotContain("%00").doesNotContain("%5C");
    assertThat(path.chars().allMatch(c -> c > 0x20 && c < 0x7f)).as("visible ASCII only: %s", path).isTrue();
    assertThat(path).as("no encoded control character, no double encoding")
        .doesNotContainPattern("%(?i:[01][0-9A-F]|7F)").doesNotContainPattern("%25(?i:[0-9A-F]{2}|u[0-9A-F]{4})");
    PathNormalizer.Result again = PathNormalizer.normalize(path);
    assertThat(again.isOk()).as("normalizing %s again", path).isTrue();
    assertThat(again.path()).isEqualTo(path);
  }
}
