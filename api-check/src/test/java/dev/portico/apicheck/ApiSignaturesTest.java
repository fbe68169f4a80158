package dev.portico.apicheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checker itself, on small class sets compiled here: what it sees as API, what a changed
 * signature looks like in its failure, and that it catches an internal type in a public signature.
 */
class ApiSignaturesTest {
  @TempDir
  Path dir;

  @Test
  void aChangedParameterTypeFailsWithTheDiffAndTheAcceptCommand() throws IOException {
    List<String> before = api("v1", Map.of("fixture/Widget.java", """
        package fixture;
        public final class Widget {
          public void resize(int width) { }
          public String name() { return "w"; }
        }
        """));
    List<String> after = api("v2", Map.of("fixture/Widget.java", """
        package fixture;
        public final class Widget {
          public void resize(long width) { }
          public String name() { return "w"; }
        }
        """));

    ApiDiff diff = ApiDiff.between(before, after);

    assertThat(diff.removed()).containsExactly("fixture.Widget: public void resize(int)");
    assertThat(diff.added()).containsExactly("fixture.Widget: public void resize(long)");
    String failure = PublicApiTest.failure("widgets", PublicApiTest.root().resolve("api/widgets.api"), diff);
    assertThat(failure)
        .startsWith("The public API of widgets differs from the committed dump api/widgets.api (1 removed, 1 added):\n")
        .contains("- fixture.Widget: public void resize(int)\n+ fixture.Widget: public void resize(long)\n")
        .contains(PublicApiTest.ACCEPT_COMMAND);
  }

  @Test
  void unchangedClassesGiveNoDiff() throws IOException {
    Map<String, String> sources = Map.of("fixture/Widget.java", """
        package fixture;
        public interface Widget { String name(); }
        """);
    assertThat(ApiDiff.between(api("a", sources), api("b", sources)).isEmpty()).isTrue();
  }

  @Test
  void anInternalTypeInAPublicSignatureIsCaught() throws IOException {
    List<String> api = api("leak", Map.of(
        "fixture/internal/Secret.java", """
            package fixture.internal;
            public final class Secret { public void reveal() { } }
            """,
        "fixture/Api.java", """
            package fixture;
            import java.util.List;
            public class Api {
              public List<fixture.internal.Secret> secrets() { return List.of(); }
              protected void take(fixture.internal.Secret secret) { }
              public String fine() { return ""; }
            }
            """));

    assertThat(api).noneMatch(line -> line.startsWith("fixture.internal."));   // not API itself
    assertThat(ApiSignatures.internalLeaks(api)).containsExactly(
        "fixture.Api: protected void take(fixture.internal.Secret)",
        "fixture.Api: public java.util.List<fixture.internal.Secret> secrets()");
  }

  @Test
  void onlyWhatAUserCanReachIsApi() throws IOException {
    List<String> api = api("reach", Map.of(
        "fixture/Open.java", """
            package fixture;
            public class Open {
              protected Open() { }
              protected void hook() { }
              void packagePrivate() { }
              private void hidden() { }
              public static class Nested { }
              protected static class ForSubclasses { }
              static class Hidden { public void notApi() { } }
            }
            """,
        "fixture/Closed.java", """
            package fixture;
            public final class Closed {
              protected void cannotBeCalledFromOutside() { }
              public void visible() { }
            }
            """,
        "fixture/PackagePrivate.java", """
            package fixture;
            class PackagePrivate { public void notApi() { } }
            """));

    assertThat(api).containsExactly(
        "fixture.Closed: public final class Closed",
        "fixture.Closed: public Closed()",
        "fixture.Closed: public void visible()",
        "fixture.Open: public class Open",
        "fixture.Open: protected Open()",
        "fixture.Open: protected void hook()",
        "fixture.Open.ForSubclasses: protected static class Open.ForSubclasses",
        "fixture.Open.ForSubclasses: protected Open.ForSubclasses()",
        "fixture.Open.Nested: public static class Open.Nested",
        "fixture.Open.Nested: public Open.Nested()");
  }

  @Test
  void linesKeepGenericsNullnessExceptionsConstantsAndSealing() throws IOException {
    List<String> api = api("shape", Map.of(
        "fixture/Nullable.java", """
            package fixture;
            import java.lang.annotation.*;
            @Retention(RetentionPolicy.RUNTIME) @Target(ElementType.TYPE_USE)
            public @interface Nullable { }
            """,
        "fixture/Shape.java", """
            package fixture;
            import java.util.*;
            public sealed interface Shape permits Shape.Circle, Shape.Square {
              String UNIT = "mm";
              <T extends Comparable<? super T>> List<@Nullable T> sort(Collection<? extends T> items, String... more)
                  throws java.io.IOException;
              default @Nullable String label() { return null; }
              record Circle(double radius) implements Shape {
                public <T extends Comparable<? super T>> List<@Nullable T> sort(Collection<? extends T> items, String... more) {
                  return List.of();
                }
              }
              enum Square implements Shape {
                SMALL;
                public <T extends Comparable<? super T>> List<@Nullable T> sort(Collection<? extends T> items, String... more) {
                  return List.of();
                }
              }
            }
            """));

    assertThat(api).contains(
        "fixture.Shape: public sealed interface Shape permits fixture.Shape.Circle, fixture.Shape.Square",
        "fixture.Shape: public static final java.lang.String UNIT = \"mm\"",
        "fixture.Shape: abstract <T extends java.lang.Comparable<? super T>> java.util.List<@Nullable T>"
            + " sort(java.util.Collection<? extends T>, java.lang.String...) throws java.io.IOException",
        "fixture.Shape: default @Nullable java.lang.String label()",
        "fixture.Shape.Circle: public record Shape.Circle implements fixture.Shape",
        "fixture.Shape.Circle: public Shape.Circle(double)",
        "fixture.Shape.Circle: public double radius()",
        "fixture.Shape.Square: public enum Shape.Square implements fixture.Shape",
        "fixture.Shape.Square: enum constant SMALL",
        "fixture.Nullable: @Retention @Target public @interface Nullable");
  }

  /** The API lines of the given sources, compiled into a directory of their own. */
  private List<String> api(String name, Map<String, String> sources) throws IOException {
    Path src = dir.resolve(name).resolve("src");
    Path classes = dir.resolve(name).resolve("classes");
    Files.createDirectories(classes);
    for (Map.Entry<String, String> source : sources.entrySet()) {
      Path file = src.resolve(source.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, source.getValue(), StandardCharsets.UTF_8);
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> args = new java.util.ArrayList<>(List.of("-d", classes.toString(), "-proc:none"));
    sources.keySet().forEach(file -> args.add(src.resolve(file).toString()));
    assertThat(javac.run(null, null, null, args.toArray(String[]::new))).as("javac exit code").isZero();
    try (URLClassLoader loader = new URLClassLoader(new java.net.URL[] {classes.toUri().toURL()},
        ApiSignaturesTest.class.getClassLoader())) {
      return ApiSignatures.of(classes, loader, packageName -> !ApiSignatures.isInternal(packageName));
    }
  }
}
