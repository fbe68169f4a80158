package dev.portico.gateway.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.portico.gateway.routing.PathPattern;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathNormalizerTest {

  static Stream<Arguments> ambiguousPaths() {
    return Stream.of(
        // traversal and path confusion
        arguments("/../x", "climbs above the root"),
        arguments("/..", "climbs above the root"),
        arguments("/a/../../x", "climbs above the root"),
        arguments("/%2e%2e/admin", "encoded dot-segment"),
        arguments("/public/%2E%2E/admin", "encoded dot-segment"),
        arguments("/public/.%2e/admin", "encoded dot-segment"),
        arguments("/public/%2E./admin", "encoded dot-segment"),
        arguments("/public/%2e/admin", "encoded dot-segment"),
        arguments("/public/%2e", "encoded dot-segment"),
        arguments("/public/..%2Fadmin", "encoded slash (%2F)"),
        arguments("/a%2fb", "encoded slash (%2F)"),
        arguments("/a%5cb", "encoded backslash (%5C)"),
        arguments("/a\\b", "backslash"),
        arguments("/a%00", "encoded NUL (%00)"),
        // encoded control characters, which a decoding server may trim or split on
        arguments("/public/..%09/admin", "encoded control character (%09)"),
        arguments("/a%0a", "encoded control character (%0A)"),
        arguments("/a%0D%0AX:%20y", "encoded control character (%0D)"),
        arguments("/a%1f", "encoded control character (%1F)"),
        arguments("/a%7f", "encoded control character (%7F)"),
        // double encoding, which a server that decodes twice reads as something else
        arguments("/public/%252e%252e/admin", "double encoding"),
        arguments("/public/%252E%252E/admin", "double encoding"),
        arguments("/public/..%252f..%252fadmin", "double encoding"),
        arguments("/public/..%255cadmin", "double encoding"),
        arguments("/%2561dmin", "double encoding"),
        arguments("/a%2500", "double encoding"),
        arguments("/a%25%32%65", "double encoding"),
        arguments("/a%252%65", "double encoding"),
        arguments("/a%25u002e", "double encoding"),
        arguments("/a%25U002E", "double encoding"),
        // path parameters, which servers such as Tomcat strip
        arguments("/..;/admin", "';'"),
        arguments("/public/..;/admin", "';'"),
        arguments("/admin;x=1/", "';'"),
        arguments("/admin;", "';'"),
        // overlong and otherwise invalid UTF-8
        arguments("/%C0%AE%C0%AE/admin", "not valid UTF-8"),
        arguments("/%c0%af", "not valid UTF-8"),
        arguments("/%E0%80%AE", "not valid UTF-8"),
        arguments("/%80", "not valid UTF-8"),
        arguments("/%C3", "not valid UTF-8"),
        arguments("/%C3x", "not valid UTF-8"),
        arguments("/%C3%41", "not valid UTF-8"),
        arguments("/%ED%A0%80", "not valid UTF-8"),
        arguments("/%F4%90%80%80", "not valid UTF-8"),
        arguments("/%FF", "not valid UTF-8"),
        // invalid percent-encoding
        arguments("/%G1", "invalid percent-encoding at index 1"),
        arguments("/a%4", "invalid percent-encoding at index 2"),
        arguments("/a%", "invalid percent-encoding at index 2"),
        arguments("/%%41", "invalid percent-encoding at index 1"),
        // characters that must be encoded, or never appear in a path
        arguments("/a b", "U+0020 at index 2 must be percent-encoded"),
        arguments("/a\tb", "U+0009"),
        arguments("/é", "U+00E9 at index 1 must be percent-encoded"),
        arguments("/a?b", "unencoded '?'"),
        arguments("/a#b", "unencoded '#'"),
        // not an origin-form path
        arguments("*", "does not start with '/'"),
        arguments("http://host/a", "does not start with '/'"),
        arguments("a/b", "does not start with '/'"),
        arguments("", "empty path")
    );
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("ambiguousPaths")
  void rejectsAmbiguousPathWithSpecificReason(String rawPath, String reason) {
    PathNormalizer.Result result = PathNormalizer.normalize(rawPath);

    assertThat(result.isOk()).as("accepted as %s", result).isFalse();
    assertThat(result.reason()).contains(reason);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a\u0000", "/a\u007f", "/a\r\nX-Injected: 1", "/\u2028"})
  void rejectsRawControlCharactersAndNonAscii(String rawPath) {
    assertThat(PathNormalizer.normalize(rawPath).isOk()).isFalse();
  }

  static Stream<Arguments> normalizations() {
    return Stream.of(
        // dot-segments and empty segments
        arguments("/a/../b", "/b"),
        arguments("/a/./b", "/a/b"),
        arguments("/a/./b/", "/a/b/"),
        arguments("/a/b/..", "/a/"),
        arguments("/a/.", "/a/"),
        arguments("/a/..", "/"),
        arguments("/.", "/"),
        arguments("/./", "/"),
        arguments("//admin", "/admin"),
        arguments("/a//b", "/a/b"),
        arguments("/a///b//", "/a/b/"),
        arguments("//", "/"),
        arguments("/a//../b", "/b"),
        // dots that are not dot-segments
        arguments("/...", "/..."),
        arguments("/a/.b/c.", "/a/.b/c."),
        arguments("/..a/b..", "/..a/b.."),
        // unreserved characters decoded
        arguments("/%7Euser", "/~user"),
        arguments("/a%2db", "/a-b"),
        arguments("/%41%62%5F%30", "/Ab_0"),
        arguments("/a%2e", "/a."),
        arguments("/v1%2E0/admin", "/v1.0/admin"),
        arguments("/%2e%2e%2e", "/..."),
        // everything else upper-cased and kept encoded
        arguments("/caf%c3%a9", "/caf%C3%A9"),
        arguments("/a%2bb", "/a%2Bb"),
        arguments("/a%3bb", "/a%3Bb"),
        arguments("/100%25", "/100%25"),
        arguments("/100%25/x", "/100%25/x"),
        arguments("/a%25zz", "/a%25zz"),
        arguments("/a%252", "/a%252"),
        arguments("/a%25u00", "/a%25u00"),
        arguments("/a%25%20", "/a%25%20"),
        arguments("/%f0%9f%98%80", "/%F0%9F%98%80"),
        arguments("/a%20b", "/a%20b"),
        // characters a path may not hold unencoded, encoded
        arguments("/a{b}", "/a%7Bb%7D"),
        arguments("/a\"b<c>", "/a%22b%3Cc%3E"),
        arguments("/a|b^c`[d]", "/a%7Cb%5Ec%60%5Bd%5D"),
        // left alone
        arguments("/", "/"),
        arguments("/a/b/", "/a/b/"),
        arguments("/a!$&'()*+,=:@b", "/a!$&'()*+,=:@b")
    );
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("normalizations")
  void normalizes(String rawPath, String normalized) {
    PathNormalizer.Result result = PathNormalizer.normalize(rawPath);

    assertThat(result.isOk()).as("rejected: %s", result).isTrue();
    assertThat(result.path()).isEqualTo(normalized);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/api/orders/7", "/a/b/", "/static/css/site.min.css", "/a-b_c~d/.x/x./...",
      "/a!$&'()*+,=:@"})
  void returnsTheSameInstanceWhenNothingNeedsNormalizing(String rawPath) {
    String path = new String(rawPath.toCharArray()); // not an interned constant

    assertThat(PathNormalizer.normalize(path).path()).isSameAs(path);
  }

  @Test
  void returnsTheSameInstanceWhenThePercentEncodingIsAlreadyCanonical() {
    String path = new String("/caf%C3%A9".toCharArray());

    assertThat(PathNormalizer.normalize(path).path()).isSameAs(path);
  }

  @Test
  void reportsTheFirstProblemInThePath() {
    assertThat(PathNormalizer.normalize("/%2F/a\\b").reason()).contains("encoded slash");
    assertThat(PathNormalizer.normalize("/a\\b/%2F").reason()).contains("backslash");
  }

  @Test
  void resultRefusesTheAccessorThatDoesNotApply() {
    assertThatThrownBy(() -> PathNormalizer.normalize("/a;b").path()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> PathNormalizer.normalize("/a").reason()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void normalizingIsIdempotent() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int i = 0; i < 20_000; i++) {
      String raw = randomPath(random);
      PathNormalizer.Result once = PathNormalizer.normalize(raw);
      if (!once.isOk()) {
        continue;
      }
      assertThat(PathNormalizer.normalize(once.path()))
          .as("seed %d: %s -> %s", seed, raw, once.path())
          .isEqualTo(PathNormalizer.Result.ok(once.path()));
      assertThat(once.path()).as("seed %d: %s", seed, raw).doesNotContain("//").startsWith("/");
    }
  }

  @Test
  void aLiteralPatternMatchesTheNormalizedFormOfItsOwnText() {
    // The route table compares canonical forms; PathPattern and PathNormalizer must agree on them.
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    int compared = 0;
    for (int i = 0; i < 20_000; i++) {
      String raw = randomPath(random);
      PathNormalizer.Result normalized = PathNormalizer.normalize(raw);
      PathPattern pattern;
      try {
        pattern = PathPattern.parse(normalized.isOk() ? normalized.path() : raw);
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (!normalized.isOk() || !pattern.isLiteral()) {
        continue;
      }
      compared++;
      assertThat(pattern.matches(normalized.path())).as("seed %d: pattern %s, path %s", seed, pattern, normalized.path())
          .isTrue();
      PathPattern fromRaw;
      try {
        fromRaw = PathPattern.parse(raw);
      } catch (IllegalArgumentException e) {
        continue; // the raw text had dot-segments or '//', which a pattern refuses
      }
      assertThat(fromRaw.matches(normalized.path())).as("seed %d: pattern %s, path %s", seed, raw, normalized.path())
          .isTrue();
    }
    assertThat(compared).isGreaterThan(1000);
  }

  private static final String[] PIECES = {"a", "B", "0", ".", "..", "/", "/", "/", "%2e", "%2E", "%41", "%7e", "%2d",
      "%c3%a9", "%C3", "%A9", "%20", "%25", "%2b", "~", "-", "_", "!", "{", "|", "%7B", "\"", "%2f", "%5c", ";", "é", " "};

  private static String randomPath(Random random) {
    StringBuilder sb = new StringBuilder("/");
    int pieces = random.nextInt(8);
    for (int i = 0; i < pieces; i++) {
      sb.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return sb.toString();
  }
}
