package dev.portico.gateway.openapi.internal;

import dev.portico.gateway.routing.PathPattern;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An OpenAPI path template as a route path: {@code /pets/{petId}} is the path pattern
 * {@code /pets/{petId}}; a parameter whose name a pattern cannot use ({@code {pet-id}}) gets a
 * variable of its own ({@code p0}); a segment that mixes text and parameters
 * ({@code /files/{name}.json}) makes the whole template a regular expression whose groups each
 * match one segment's worth of text. Not public API.
 *
 * @param pattern the path pattern, or the regular expression when {@code regex}
 * @param regex whether {@code pattern} is a regular expression
 * @param variables each path parameter's name to the variable that captures it
 */
record PathTemplate(String pattern, boolean regex, Map<String, String> variables) {
  private static final Pattern PATTERN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]*");

  /**
   * The route path of {@code template} after {@code prefix}.
   *
   * @throws IllegalArgumentException saying why a route cannot express it
   */
  static PathTemplate of(String prefix, String template) {
    if (!template.startsWith("/")) {
      throw new IllegalArgumentException("the path template '" + template + "' does not start with '/'");
    }
    String[] segments = template.substring(1).split("/", -1);
    List<List<String>> parts = new ArrayList<>(segments.length);   // literal, {name}, literal, {name}, ...
    boolean mixed = false;
    Set<String> names = new HashSet<>();
    for (String segment : segments) {
      List<String> p = new ArrayList<>();
      int i = 0;
      while (i < segment.length()) {
        int open = segment.indexOf('{', i);
        int close = segment.indexOf('}', i);
        if (open < 0) {
          if (close >= 0) {
            throw new IllegalArgumentException("the path template '" + template + "' has a '}' without a '{'");
          }
          p.add(segment.substring(i));
          break;
        }
        if (close < open) {
          throw new IllegalArgumentException("the path template '" + template + "' has a '}' without a '{'");
        }
        String name = segment.substring(open + 1, close);
        if (name.isEmpty() || name.indexOf('{') >= 0) {
          throw new IllegalArgumentException("the path template '" + template + "' has an empty or nested parameter name");
        }
        if (!names.add(name)) {
          throw new IllegalArgumentException("the path template '" + template + "' names parameter '" + name + "' twice");
        }
        p.add(segment.substring(i, open));
        p.add("{" + name + "}");
        i = close + 1;
      }
      p.removeIf(String::isEmpty);
      if (p.size() > 1 && p.stream().anyMatch(x -> x.startsWith("{"))) {
        mixed = true;
      }
      parts.add(p);
    }
    Map<String, String> variables = new LinkedHashMap<>();
    StringBuilder sb = new StringBuilder();
    int generated = 0;
    for (List<String> p : parts) {
      sb.append('/');
      for (String x : p) {
        if (x.startsWith("{")) {
          String name = x.substring(1, x.length() - 1);
          boolean usable = (mixed ? GROUP_NAME : PATTERN_NAME).matcher(name).matches();
          String variable = usable ? name : "p" + generated++;
          while (!usable && names.contains(variable)) {
            variable = "p" + generated++;
          }
          variables.put(name, variable);
          sb.append(mixed ? "(?<" + variable + ">[^/]+?)" : "{" + variable + "}");
        } else {
          sb.append(mixed ? Pattern.quote(x) : x);
        }
      }
    }
    String path = sb.toString();
    String full = mixed ? Pattern.quote(prefix) + path : prefix + path;
    if (full.isEmpty()) {
      full = "/";
    }
    try {
      if (mixed) {
        PathPattern.regex(full);
      } else {
        PathPattern.parse(full);
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the path '" + prefix + template + "' cannot be a route path: " + e.getMessage());
    }
    return new PathTemplate(full, mixed, Map.copyOf(variables));
  }
}
