package dev.portico.gateway.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PathInContextTest {

  /** Raw target path, what a servlet container dispatched below the context {@code /c3}, the raw part found. */
  static Stream<Arguments> spellingsOfTheContext() {
    return Stream.of(
        arguments("/c3/admin/x", "/admin/x", "/admin/x"),
        arguments("//c3/admin/x", "/admin/x", "/admin/x"),
        arguments("///c3/admin/x", "/admin/x", "/admin/x"),
        arguments("/./c3/admin/x", "/admin/x", "/admin/x"),
        arguments("/x/../c3/admin/x", "/admin/x", "/admin/x"),
        arguments("/c3/../c3/admin/x", "/admin/x", "/admin/x"),
        arguments("/%63%33/admin/x", "/admin/x", "/admin/x"),
        arguments("/c3;x=y/admin/x", "/admin/x", "/admin/x"),
        arguments("/c3/", "/", "/"),
        arguments("/c3", "", "/"),
        // what follows the context keeps its raw spelling, for the normalizer to judge
        arguments("/c3//admin/x", "/admin/x", "//admin/x"),
        arguments("/c3/p/../admin/x", "/admin/x", "/p/../admin/x"),
        arguments("/c3/p/%2e%2e/admin/x", "/admin/x", "/p/%2e%2e/admin/x"),
        arguments("/c3/p/%252e%252e/admin/x", "/p/%2e%2e/admin/x", "/p/%252e%252e/admin/x"),
        arguments("/c3/a%20b/caf%C3%A9", "/a b/café", "/a%20b/caf%C3%A9"),
        arguments("/c3/admin/x;jsessionid=1", "/admin/x", "/admin/x;jsessionid=1"),
        arguments("/c3/admin/", "/admin/", "/admin/"),
        // a context path of two segments, the same segment inside
        arguments("/a/c3/c3/x", "/c3/x", "/c3/x"),
        // the root context: the whole path
        arguments("/public/../admin/x", "/admin/x", "/public/../admin/x"),
        arguments("/public/%2e%2e/admin/x", "/admin/x", "/public/%2e%2e/admin/x"));
  }

  @ParameterizedTest(name = "{0} dispatched as {1} -> {2}")
  @MethodSource("spellingsOfTheContext")
  void findsTheRawPathBelowTheContextHoweverTheContextIsSpelled(String raw, String dispatched, String expected) {
    assertThat(PathInContext.rawPath(raw, dispatched, false)).isEqualTo(expected);
  }

  @Test
  void readsAJettyCanonicalPathThatIsStillEncoded() {
    assertThat(PathInContext.rawPath("/%63%33/a/caf%c3%a9", "/a/caf%C3%A9", true)).isEqualTo("/a/caf%c3%a9");
    assertThat(PathInContext.rawPath("/c3/a/%252e/x", "/a/%252e/x", true)).isEqualTo("/a/%252e/x");
    assertThat(PathInContext.rawPath("/c3/a/%FF", "/a/%EF%BF%BD", true)).isEqualTo("/a/%FF");
  }

  @Test
  void acceptsAContainerThatDecodesPathsAsLatin1() {
    assertThat(PathInContext.rawPath("/c3/caf%E9", "/caf\u00e9", false)).isEqualTo("/caf%E9");
    assertThat(PathInContext.rawPath("/c3/caf%C3%A9", "/caf\u00c3\u00a9", false)).isEqualTo("/caf%C3%A9");
  }

  /** What the container dispatched cannot be read from the target: nothing to route on. */
  @ParameterizedTest(name = "{0} dispatched as {1}")
  @MethodSource("irreconcilable")
  void findsNothingWhenTheTargetDoesNotReadAsTheDispatchedPath(String raw, String dispatched) {
    assertThat(PathInContext.rawPath(raw, dispatched, false)).isNull();
  }

  static Stream<Arguments> irreconcilable() {
    return Stream.of(
        arguments("/c3/admin/x", "/other/x"),
        arguments("/c3/admin/x", "/admin/x/y"),
        arguments("/C3/ADMIN/x", "/admin/x"),
        arguments("/c3/a%2Fb", "/a/b"),
        arguments("*", "/"),
        arguments("", "/x"));
  }

  @Test
  void returnsThePathItselfInTheRootContext() {
    String raw = "/api/orders/7";

    assertThat(PathInContext.rawPath(raw, "/api/orders/7", false)).isSameAs(raw);
  }
}
