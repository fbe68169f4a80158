package dev.portico.gateway.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.routing.PathPattern;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Keeps the Java snippets in the README and the site pages identical to code that compiles: each
 * block after a {@code <!-- snippet: File.java#tag -->} marker must be what {@link DocSnippets}
 * makes of the tagged region, its imports first. When one drifts, regenerate the pages from the
 * repository root with {@code mvn -B -q -pl examples -am test-compile exec:java@doc-snippets}.
 */
class DocSnippetsTest {
  private static final Pattern MARKER = DocSnippets.MARKER;
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final String REGENERATE = "mvn -B -q -pl examples -am test-compile exec:java@doc-snippets";

  @TestFactory
  Stream<DynamicTest> everyJavaSnippetInTheDocsMatchesItsCompiledSource() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path page : pages()) {
      List<String> lines = Files.readAllLines(page);
      for (DocSnippets.Marker marker : DocSnippets.markers(lines)) {
        String where = ROOT.relativize(page) + ":" + (marker.line() + 1);
        String shown = block(lines, marker.line() + 1, where);
        tests.add(DynamicTest.dynamicTest(where + " " + marker.file() + "#" + marker.tag(),
            () -> assertThat(shown)
                .as("snippet at %s, from %s#%s with its imports (regenerate the pages: %s)",
                    where, marker.file(), marker.tag(), REGENERATE)
                .isEqualTo(DocSnippets.snippet(DocSnippets.source(ROOT, marker.file()), marker.tag()))));
      }
    }
    assertThat(tests).as("snippet markers in the docs").isNotEmpty();
    return tests.stream();
  }

  @Test
  void everyJavaBlockInTheDocsNamesItsSource() throws IOException {
    List<String> unmarked = new ArrayList<>();
    for (Path page : pages()) {
      List<String> lines = Files.readAllLines(page);
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).trim().equals("```java")) {
          int previous = i - 1;
          while (previous >= 0 && lines.get(previous).isBlank()) {
            previous--;
          }
          if (previous < 0 || !MARKER.matcher(lines.get(previous).trim()).matches()) {
            unmarked.add(ROOT.relativize(page) + ":" + (i + 1));
          }
        }
      }
    }
    assertThat(unmarked).as("```java blocks without a <!-- snippet: File.java#tag --> marker").isEmpty();
  }

  @Test
  void aSnippetShowsTheImportsItsCodeNamesAndNoOthers() {
    List<String> file = List.of(
        "package x;",
        "",
        "import static java.util.Objects.requireNonNull;",
        "",
        "import dev.portico.gateway.Gateway;",
        "import java.time.Duration;",
        "import java.util.List;",
        "import java.util.Map;",
        "import java.util.Set;",
        "",
        "class X {",
        "  void x() {",
        "    // tag::t[]",
        "    Gateway g = requireNonNull(gateway);      // a List in a comment",
        "    String s = \"a Map in a string\";  /* a Set */",
        "    var d = Duration.ofSeconds(1);",
        "    // end::t[]",
        "  }",
        "}");
    String region = DocSnippets.region(file, "t", Path.of("X.java"));

    assertThat(DocSnippets.imports(file, region)).isEqualTo("""
        import static java.util.Objects.requireNonNull;

        import dev.portico.gateway.Gateway;
        import java.time.Duration;""");
  }

  @Test
  void regeneratingAPageReplacesAStaleBlockWithTheSnippetAndItsImports() throws IOException {
    List<String> page = List.of("# Page", "", "<!-- snippet: snippets/QuickStartSnippets.java#gateway -->",
        "```java", "Gateway gateway = stale();", "```", "", "after");

    List<String> rewritten = DocSnippets.rewrite(ROOT, page);

    String expected = DocSnippets.snippet(DocSnippets.source(ROOT, "snippets/QuickStartSnippets.java"), "gateway");
    assertThat(expected).startsWith("import dev.portico.gateway.Gateway;\n\nGateway gateway = Gateway.builder()");
    assertThat(String.join("\n", rewritten)).isEqualTo("# Page\n\n<!-- snippet: snippets/QuickStartSnippets.java#gateway -->\n"
        + "```java\n" + expected + "\n```\n\nafter");
  }

  @Test
  void theBuildErrorsThePagesQuoteAreTheOnesBuildThrows() throws IOException {
    String gettingStarted = Files.readString(ROOT.resolve("src/site/markdown/getting-started.md"));
    String routing = Files.readString(ROOT.resolve("src/site/markdown/routing.md"));

    assertThatThrownBy(() -> Gateway.builder()
        .route("a", r -> r.path("/a/**/b").upstream("http://users:8080"))
        .route("b", r -> r.path("/b").upstream("ftp://x"))
        .build())
        .satisfies(e -> assertThat(gettingStarted).contains(e.getMessage()));
    assertThatThrownBy(() -> Gateway.builder()
        .route("orders", r -> r.path("/api/orders/**").methods("GET", "POST").upstream("http://orders:8080"))
        .route("orders-beta", r -> r.path("/api/orders/**").methods("GET", "POST")
            .hosts("api.example.com", "*.api.example.com").header("X-Api-Version", "2").queryParam("beta")
            .upstream("http://orders-beta:8080"))
        .build())
        .satisfies(e -> assertThat(routing).contains(e.getMessage()));
    assertThatThrownBy(() -> Gateway.builder()
        .route("user", r -> r.path("/api/users/{id}").rewritePath("/v2/users/{userId}").upstream("http://users:8080"))
        .build())
        .satisfies(e -> assertThat(routing).contains(e.getMessage()));
    String transformation = Files.readString(ROOT.resolve("src/site/markdown/transformation.md"));
    assertThatThrownBy(() -> Gateway.builder()
        .route("user", r -> r.path("/users/{id}").requestHeaders(h -> h.set("X-User", "{var.userId}"))
            .upstream("http://users:8080"))
        .build())
        .satisfies(e -> assertThat(transformation).contains(e.getMessage()));
    String validation = Files.readString(ROOT.resolve("src/site/markdown/validation.md"));
    Gateway badSchema = Gateway.builder()
        .route("orders", r -> r.path("/orders")
            .validate(v -> v.jsonSchema(dev.portico.gateway.validation.JsonSchema.of("{\"type\": 12}")))
            .upstream("http://orders:8080"))
        .build();
    assertThatThrownBy(() -> dev.portico.gateway.jetty.JettyGatewayHandler.create(badSchema))
        .satisfies(e -> assertThat(validation).contains(e.getMessage()));
  }

  @Test
  void theSpecificityTableIsWhatPathPatternSays() throws IOException {
    List<String> patterns = List.of("/api/orders/export", "/api/orders/{id}", "/api/orders",
        "/api/orders/**", "/api/*/export", "/api/**", "/**");
    List<String> rows = Files.readAllLines(ROOT.resolve("src/site/markdown/routing.md")).stream()
        .dropWhile(line -> !line.startsWith("| path | matching patterns, the winner first |"))
        .skip(2)
        .takeWhile(line -> line.startsWith("|"))
        .toList();
    assertThat(rows).as("rows of the specificity table in routing.md").hasSize(5);
    for (String row : rows) {
      String[] cells = row.split("\\|");
      String path = cells[1].trim().replace("`", "");
      List<String> shown = Stream.of(cells[2].split(",")).map(c -> c.trim().replace("`", "")).toList();
      List<PathPattern> matching = new ArrayList<>();
      for (String pattern : patterns) {
        PathPattern parsed = PathPattern.parse(pattern);
        if (parsed.match(path).isPresent()) {
          matching.add(parsed);
        }
      }
      matching.sort((a, b) -> b.compareSpecificity(a));   // stable: ties keep declaration order
      assertThat(shown).as("routing.md, row for %s", path)
          .isEqualTo(matching.stream().map(PathPattern::pattern).toList());
    }
  }

  private static List<Path> pages() throws IOException {
    assertThat(ROOT.resolve("pom.xml")).as("run from the examples module").exists();
    return DocSnippets.pages(ROOT);
  }

  /** Returns the fenced block that starts at or after line {@code from}. */
  private static String block(List<String> lines, int from, String where) {
    int start = from;
    while (start < lines.size() && lines.get(start).isBlank()) {
      start++;
    }
    if (start >= lines.size() || !lines.get(start).trim().equals("```java")) {
      fail("a ```java block must follow the snippet marker at " + where);
    }
    List<String> body = new ArrayList<>();
    for (int i = start + 1; i < lines.size(); i++) {
      if (lines.get(i).trim().equals("```")) {
        return String.join("\n", body);
      }
      body.add(lines.get(i).stripTrailing());
    }
    return fail("unclosed ```java block after the snippet marker at " + where);
  }
}
