package dev.portico.gateway.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Java snippets of the README and the site pages, made from compiled sources: what each
 * snippet's block must hold, and a {@link #main} that writes it into the pages.
 *
 * <p>In a page, a snippet is a {@code ```java} block right after a marker line
 * {@code <!-- snippet: snippets/RoutingSnippets.java#patterns -->}. The file is relative to the
 * examples' {@code dev/portico/gateway/examples} folder in the main sources or, for the test kit's
 * snippets (a host's tests), in the test sources. The block holds the {@code import} lines of that
 * file that the region uses, a blank line, then the lines between {@code // tag::patterns[]} and
 * {@code // end::patterns[]}, less their common indentation. {@code DocSnippetsTest} fails when a
 * page differs; regenerate the pages from the repository root with
 * {@code mvn -B -q -pl examples -am test-compile exec:java@doc-snippets}.
 */
public final class DocSnippets {
  static final Pattern MARKER = Pattern.compile("<!-- snippet: (\\S+)#(\\S+) -->");
  private static final Pattern IMPORT = Pattern.compile("import (static )?([\\w.]+)\\.(\\w+);");

  private DocSnippets() {}

  /** A snippet marker in a page: its line (0-based), the file and the region's tag. */
  record Marker(int line, String file, String tag) {}

  /** Returns the repository root: the first folder at or above the working directory with {@code src/site/markdown}. */
  static Path root() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("src/site/markdown")) && Files.isDirectory(dir.resolve("examples"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no repository root (with src/site/markdown and examples/) at or above "
        + Path.of("").toAbsolutePath());
  }

  /** Returns the README and every page of the site. */
  static List<Path> pages(Path root) throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(root.resolve("README.md"));
    try (Stream<Path> site = Files.list(root.resolve("src/site/markdown"))) {
      site.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  /** Returns the snippet markers in {@code lines}, in order. */
  static List<Marker> markers(List<String> lines) {
    List<Marker> markers = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher marker = MARKER.matcher(lines.get(i).trim());
      if (marker.matches()) {
        markers.add(new Marker(i, marker.group(1), marker.group(2)));
      }
    }
    return markers;
  }

  /** Returns {@code file} in the examples' main sources, or in their test sources if it is not there. */
  static Path source(Path root, String file) {
    Path main = root.resolve("examples/src/main/java/dev/portico/gateway/examples").resolve(file);
    return Files.exists(main) ? main : root.resolve("examples/src/test/java/dev/portico/gateway/examples").resolve(file);
  }

  /** Returns what the block of the snippet {@code tag} of {@code file} must hold: the imports it uses, then the region. */
  static String snippet(Path file, String tag) throws IOException {
    List<String> lines = Files.readAllLines(file);
    String region = region(lines, tag, file);
    String imports = imports(lines, region);
    return imports.isEmpty() ? region : imports + "\n\n" + region;
  }

  /**
   * Returns the import lines of {@code lines} whose simple name (or static member) {@code region}'s
   * code names, outside comments and literals, in the file's order, with a blank line between the
   * static and the other imports.
   */
  static String imports(List<String> lines, String region) {
    String code = codeOnly(region);
    List<String> statics = new ArrayList<>();
    List<String> types = new ArrayList<>();
    for (String line : lines) {
      Matcher imported = IMPORT.matcher(line.trim());
      if (imported.matches() && Pattern.compile("\\b" + imported.group(3) + "\\b").matcher(code).find()) {
        (imported.group(1) != null ? statics : types).add(line.trim());
      }
    }
    List<String> groups = new ArrayList<>();
    if (!statics.isEmpty()) {
      groups.add(String.join("\n", statics));
    }
    if (!types.isEmpty()) {
      groups.add(String.join("\n", types));
    }
    return String.join("\n\n", groups);
  }

  /** Returns the lines between the tag's markers, without their common indentation. */
  static String region(List<String> lines, String tag, Path file) {
    int start = -1;
    int end = -1;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.equals("// tag::" + tag + "[]")) {
        start = i + 1;
      } else if (line.equals("// end::" + tag + "[]") && start >= 0) {
        end = i;
        break;
      }
    }
    if (start < 0 || end < 0) {
      throw new IllegalStateException("no region '" + tag + "' in " + file);
    }
    List<String> region = lines.subList(start, end);
    int indent = region.stream().filter(l -> !l.isBlank())
        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    List<String> out = new ArrayList<>();
    for (String line : region) {
      out.add(line.isBlank() ? "" : line.substring(indent).stripTrailing());
    }
    return String.join("\n", out);
  }

  /** Returns {@code source} with comments and string, text block and character literals replaced by a space. */
  static String codeOnly(String source) {
    StringBuilder code = new StringBuilder(source.length());
    int i = 0;
    while (i < source.length()) {
      if (source.startsWith("//", i)) {
        int lineEnd = source.indexOf('\n', i);
        i = lineEnd < 0 ? source.length() : lineEnd;   // the line break stays
      } else if (source.startsWith("/*", i)) {
        i = after(source, "*/", i + 2);
      } else if (source.startsWith("\"\"\"", i)) {
        i = afterLiteral(source, "\"\"\"", i + 3);
      } else if (source.charAt(i) == '"' || source.charAt(i) == '\'') {
        i = afterLiteral(source, String.valueOf(source.charAt(i)), i + 1);
      } else {
        code.append(source.charAt(i++));
        continue;
      }
      code.append(' ');
    }
    return code.toString();
  }

  /** Returns the index just after the first {@code end} at or after {@code from}, or the text's length. */
  private static int after(String source, String end, int from) {
    int at = source.indexOf(end, from);
    return at < 0 ? source.length() : at + end.length();
  }

  /** Returns the index just after the literal that {@code quote} closes, skipping escapes. */
  private static int afterLiteral(String source, String quote, int from) {
    int i = from;
    while (i < source.length() && !source.startsWith(quote, i)) {
      i += source.charAt(i) == '\\' ? 2 : 1;
    }
    return Math.min(i + quote.length(), source.length());
  }

  /**
   * Returns {@code lines} with the block after every snippet marker replaced by the snippet;
   * a marker without a {@code ```java} block after it gets one.
   */
  static List<String> rewrite(Path root, List<String> lines) throws IOException {
    List<String> out = new ArrayList<>();
    int next = 0;
    for (Marker marker : markers(lines)) {
      out.addAll(lines.subList(next, marker.line() + 1));
      int start = marker.line() + 1;
      while (start < lines.size() && lines.get(start).isBlank()) {
        start++;
      }
      int end = start;
      if (start < lines.size() && lines.get(start).trim().equals("```java")) {
        end = start + 1;
        while (end < lines.size() && !lines.get(end).trim().equals("```")) {
          end++;
        }
        end = Math.min(end + 1, lines.size());
      } else {
        start = marker.line() + 1;
        end = start;
      }
      out.add("```java");
      out.addAll(List.of(snippet(source(root, marker.file()), marker.tag()).split("\n", -1)));
      out.add("```");
      next = end;
    }
    out.addAll(lines.subList(next, lines.size()));
    return out;
  }

  /** Rewrites the snippets of the README and every site page from their sources, and names the pages it changed. */
  public static void main(String[] args) throws IOException {
    Path root = root();
    int changed = 0;
    for (Path page : pages(root)) {
      List<String> lines = Files.readAllLines(page);
      List<String> rewritten = rewrite(root, lines);
      if (!rewritten.equals(lines)) {
        Files.writeString(page, String.join("\n", rewritten) + "\n");
        System.out.println("updated " + root.relativize(page));
        changed++;
      }
    }
    System.out.println(changed == 0 ? "every snippet is up to date" : changed + " page(s) updated");
  }
}
