package dev.portico.gateway.examples.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every Java block that authentication.md marks with {@code <!-- snippet: AuthSnippets#tag -->} must
 * be the compiled region between {@code // tag::tag[]} and {@code // end::tag[]}, dedented.
 */
class AuthSnippetsDocTest {
  private static final Path DOC = Path.of("..", "src", "site", "markdown", "authentication.md");
  private static final Path SOURCE = Path.of("src", "main", "java", "dev", "portico", "gateway", "examples", "snippets",
      "AuthSnippets.java");
  private static final Pattern MARKED_BLOCK =
      Pattern.compile("<!-- snippet: AuthSnippets#([\\w-]+) -->\\n```java\\n(.*?)\\n```", Pattern.DOTALL);

  @Test
  void docQuotesTheCompiledSnippetsExactly() throws Exception {
    String doc = Files.readString(DOC);
    String source = Files.readString(SOURCE);
    Matcher block = MARKED_BLOCK.matcher(doc);
    List<String> tags = new ArrayList<>();
    while (block.find()) {
      tags.add(block.group(1));
      assertThat(block.group(2)).as("snippet '%s' in %s", block.group(1), DOC).isEqualTo(region(source, block.group(1)));
    }
    assertThat(tags).as("marked snippets").hasSizeGreaterThanOrEqualTo(10).doesNotHaveDuplicates();
  }

  private static String region(String source, String tag) {
    Matcher m = Pattern.compile("^[ \\t]*// tag::" + Pattern.quote(tag) + "\\[\\]\\n(.*?)^[ \\t]*// end::" + Pattern.quote(tag)
        + "\\[\\]", Pattern.DOTALL | Pattern.MULTILINE).matcher(source);
    assertThat(m.find()).as("region '%s' in AuthSnippets.java", tag).isTrue();
    List<String> lines = List.of(m.group(1).stripTrailing().split("\n"));
    int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    return String.join("\n", lines.stream().map(l -> l.length() >= indent ? l.substring(indent) : l.strip()).toList());
  }
}
