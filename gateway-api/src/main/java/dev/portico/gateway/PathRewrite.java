package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a route turns the normalized client path into the upstream path: keep it, strip leading
 * segments, or fill a template with the route's path variables. The upstream's own base path, if
 * its URI has one, is put in front afterwards. The query string is never touched.
 *
 * <pre>{@code
 * PathRewrite.keep()                    // /api/orders/7 -> /api/orders/7
 * PathRewrite.stripPrefix(1)            // /api/orders/7 -> /orders/7
 * PathRewrite.template("/v2/orders/{id}") // with path /api/orders/{id}: -> /v2/orders/7
 * }</pre>
 */
public final class PathRewrite {
  private static final PathRewrite KEEP = new PathRewrite(0, null, List.of());

  private final int strip;
  private final @org.jspecify.annotations.Nullable String template;
  private final List<String> variables;

  private PathRewrite(int strip, @org.jspecify.annotations.Nullable String template, List<String> variables) {
    this.strip = strip;
    this.template = template;
    this.variables = variables;
  }

  /** Sends the path as it is. */
  public static PathRewrite keep() {
    return KEEP;
  }

  /** Removes the first {@code segments} path segments; what remains is at least {@code /}. */
  public static PathRewrite stripPrefix(int segments) {
    if (segments < 0) {
      throw new IllegalArgumentException("segments: " + segments + " (expected: >= 0)");
    }
    return segments == 0 ? KEEP : new PathRewrite(segments, null, List.of());
  }

  /**
   * Builds the path from {@code template}, where {@code {name}} is replaced by the route's path
   * variable {@code name}. The route checks at build time that every name is one of its variables.
   */
  public static PathRewrite template(String template) {
    requireNonNull(template, "template");
    if (!template.startsWith("/") || template.indexOf('?') >= 0 || template.indexOf('#') >= 0) {
      throw new IllegalArgumentException("template: '" + template + "' (expected: starts with /, no ? or #)");
    }
    List<String> names = new ArrayList<>();
    int i = 0;
    while ((i = template.indexOf('{', i)) >= 0) {
      int end = template.indexOf('}', i);
      if (end < 0) {
        throw new IllegalArgumentException("template: '" + template + "' has an unclosed '{'");
      }
      String name = template.substring(i + 1, end);
      if (name.isEmpty() || !name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_')) {
        throw new IllegalArgumentException("template: '" + template + "' has a bad variable '{" + name + "}'");
      }
      names.add(name);
      i = end + 1;
    }
    return new PathRewrite(0, template, List.copyOf(names));
  }

  /** Returns the names the template uses; empty for keep and strip. */
  public List<String> variables() {
    return variables;
  }

  /** Returns the rewritten path for {@code path} and the route's {@code variables}. */
  public String apply(String path, Map<String, String> variables) {
    if (template != null) {
      StringBuilder out = new StringBuilder(template.length() + 16);
      int i = 0;
      int open;
      while ((open = template.indexOf('{', i)) >= 0) {
        int close = template.indexOf('}', open);
        out.append(template, i, open);
        String value = variables.get(template.substring(open + 1, close));
        out.append(value == null ? "" : value);
        i = close + 1;
      }
      out.append(template, i, template.length());
      return out.toString();
    }
    if (strip == 0) {
      return path;
    }
    int pos = 0;
    for (int n = 0; n < strip; n++) {
      int next = path.indexOf('/', pos + 1);
      if (next < 0) {
        return "/";
      }
      pos = next;
    }
    return path.substring(pos);
  }

  @Override
  public String toString() {
    return template != null ? "template(" + template + ")" : strip == 0 ? "keep" : "stripPrefix(" + strip + ")";
  }
}
