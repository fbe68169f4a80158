package dev.portico.gateway.routing;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.internal.syntax.HttpSyntax;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * A compiled route path pattern, matched against the normalized request path.
 *
 * <p>Segment patterns are written as paths whose segments are:
 * <ul>
 *   <li>a literal: {@code /api/orders} matches exactly that path;
 *   <li>{@code *}: any one segment;
 *   <li>{@code {name}}: any one segment, captured as variable {@code name};
 *   <li>{@code **}, last only: zero or more further segments ({@code /static/**} matches
 *       {@code /static} and {@code /static/css/a.css});
 *   <li>{@code {*name}}, last only: like {@code **}, capturing the rest (without its leading
 *       slash) as {@code name}.
 * </ul>
 * A trailing slash is significant: {@code /a/} and {@code /a} are different paths. Literal
 * segments are kept in the form the gateway normalizes request paths to, so spellings that mean the
 * same match the same: {@code /v1.0} and {@code /v1%2e0}, {@code /caf%c3%a9} and
 * {@code /caf%C3%A9}. A literal that no normalized path can contain ({@code ;}, an encoded slash,
 * a raw non-ASCII character) is refused.
 * {@link #regex(String)} patterns match the whole path with a Java regular expression; their
 * named groups become variables.
 *
 * <p><b>Specificity.</b> When several routes match, the most specific pattern wins: patterns are
 * compared segment by segment from the left, where a literal beats {@code *} and {@code {name}},
 * which beat {@code **}; a pattern that ends where the other continues with {@code **} wins. A
 * regex pattern is as specific as {@code /**}. Equally specific patterns are tried in the order
 * their routes were declared.
 */
public final class PathPattern {

  /** One segment of a segment pattern. */
  public enum SegmentKind {
    /** Matches one segment equal to the value. */
    LITERAL,
    /** {@code {name}}: one segment, captured. */
    VARIABLE,
    /** {@code *}: one segment. */
    WILDCARD,
    /** {@code **} or {@code {*name}}: the rest of the path; always last. */
    CATCH_ALL
  }

  /**
   * A segment of a segment pattern.
   *
   * @param kind what the segment matches
   * @param value the literal text, or the variable name ({@code ""} for anonymous wildcards)
   */
  public record Segment(SegmentKind kind, String value) {
    /** Validates the components. */
    public Segment {
      requireNonNull(kind, "kind");
      requireNonNull(value, "value");
    }
  }

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final String pattern;
  private final List<Segment> segments;
  private final @Nullable Pattern regex;
  private final List<String> variableNames;
  private final boolean literal;

  private PathPattern(String pattern, List<Segment> segments, @Nullable Pattern regex, List<String> variableNames) {
    this.pattern = pattern;
    this.segments = segments;
    this.regex = regex;
    this.variableNames = variableNames;
    this.literal = regex == null && segments.stream().allMatch(s -> s.kind() == SegmentKind.LITERAL);
  }

  /**
   * Parses a segment pattern such as {@code /users/{id}} or {@code /static/**}.
   *
   * @throws IllegalArgumentException naming the problem: not starting with {@code /}, a wildcard
   *     inside a segment, {@code **} not last, a bad or repeated variable name, a query or
   *     fragment, or a dot-segment
   */
  public static PathPattern parse(String pattern) {
    requireNonNull(pattern, "pattern");
    if (!pattern.startsWith("/")) {
      throw bad(pattern, "must start with '/'");
    }
    if (pattern.indexOf('?') >= 0 || pattern.indexOf('#') >= 0) {
      throw bad(pattern, "must not contain '?' or '#'");
    }
    if (pattern.equals("/")) {
      return new PathPattern(pattern, List.of(new Segment(SegmentKind.LITERAL, "")), null, List.of());
    }
    String[] parts = pattern.substring(1).split("/", -1);
    List<Segment> segments = new ArrayList<>(parts.length);
    List<String> names = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      boolean last = i == parts.length - 1;
      Segment segment;
      if (part.equals("**")) {
        segment = new Segment(SegmentKind.CATCH_ALL, "");
      } else if (part.equals("*")) {
        segment = new Segment(SegmentKind.WILDCARD, "");
      } else if (part.startsWith("{*") && part.endsWith("}")) {
        segment = new Segment(SegmentKind.CATCH_ALL, name(pattern, part.substring(2, part.length() - 1), seen));
        names.add(segment.value());
      } else if (part.startsWith("{") && part.endsWith("}")) {
        segment = new Segment(SegmentKind.VARIABLE, name(pattern, part.substring(1, part.length() - 1), seen));
        names.add(segment.value());
      } else {
        if (part.indexOf('*') >= 0 || part.indexOf('{') >= 0 || part.indexOf('}') >= 0) {
          throw bad(pattern, "'*', '{' and '}' must make up a whole segment ('" + part + "')");
        }
        if (part.isEmpty() && !last) {
          throw bad(pattern, "empty segment ('//') never matches a normalized path");
        }
        String literal = canonicalLiteral(pattern, part);
        if (literal.equals(".") || literal.equals("..")) {
          throw bad(pattern, "dot-segments never match a normalized path");
        }
        segment = new Segment(SegmentKind.LITERAL, literal);
      }
      if (segment.kind() == SegmentKind.CATCH_ALL && !last) {
        throw bad(pattern, "'" + part + "' must be the last segment");
      }
      segments.add(segment);
    }
    return new PathPattern(pattern, List.copyOf(segments), null, List.copyOf(names));
  }

  /**
   * Compiles a regex pattern that must match the whole normalized path; named groups such as
   * {@code (?<version>[0-9]+)} become path variables.
   *
   * @throws IllegalArgumentException if {@code regex} does not compile
   */
  public static PathPattern regex(String regex) {
    requireNonNull(regex, "regex");
    Pattern compiled;
    try {
      compiled = Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("path regex '" + regex + "': " + e.getDescription());
    }
    return new PathPattern(regex, List.of(), compiled, groupNames(regex));
  }

  /** Returns the pattern as written. */
  public String pattern() {
    return pattern;
  }

  /** Returns whether this is a {@link #regex(String)} pattern. */
  public boolean isRegex() {
    return regex != null;
  }

  /** Returns whether this pattern matches exactly one path (only literal segments). */
  public boolean isLiteral() {
    return literal;
  }

  /** Returns the segments of a segment pattern; empty for a regex. */
  public List<Segment> segments() {
    return segments;
  }

  /** Returns the names of the variables this pattern captures, in order. */
  public List<String> variableNames() {
    return variableNames;
  }

  /**
   * Returns whether this pattern matches a normalized path, without capturing variables: the
   * allocation-free test for the common case where only the yes or no matters.
   *
   * @param path a normalized path, starting with {@code /}
   */
  public boolean matches(String path) {
    if (regex != null) {
      return regex.matcher(path).matches();
    }
    return matchSegments(path, 1, 0, null);
  }

  /**
   * Matches a normalized path, returning the captured variables when it matches.
   *
   * @param path a normalized path, starting with {@code /}
   */
  public Optional<Map<String, String>> match(String path) {
    if (regex != null) {
      Matcher m = regex.matcher(path);
      if (!m.matches()) {
        return Optional.empty();
      }
      if (variableNames.isEmpty()) {
        return Optional.of(Map.of());
      }
      Map<String, String> vars = new LinkedHashMap<>();
      for (String name : variableNames) {
        String v = m.group(name);
        vars.put(name, v == null ? "" : v);
      }
      return Optional.of(Map.copyOf(vars));
    }
    Map<String, String> vars = variableNames.isEmpty() ? null : new LinkedHashMap<>();
    return matchSegments(path, 1, 0, vars) ? Optional.of(vars == null ? Map.of() : Map.copyOf(vars)) : Optional.empty();
  }

  /**
   * Matches the path from character {@code pos} (just after a '/') against segments from
   * {@code index}; the path before {@code pos} already matched the segments before {@code index}.
   * Variables are put into {@code vars} when it is non-null.
   */
  boolean matchSegments(String path, int pos, int index, @Nullable Map<String, String> vars) {
    int n = segments.size();
    for (int i = index; i < n; i++) {
      Segment s = segments.get(i);
      if (s.kind() == SegmentKind.CATCH_ALL) {
        // Matches the rest, including nothing: "/static/**" matches "/static" and "/static/x".
        String rest;
        if (pos > path.length()) {
          rest = "";
        } else {
          rest = path.substring(pos);
        }
        if (vars != null && !s.value().isEmpty()) {
          vars.put(s.value(), rest);
        }
        return true;
      }
      if (pos > path.length()) {
        return false;
      }
      int end = path.indexOf('/', pos);
      if (end < 0) {
        end = path.length();
      }
      switch (s.kind()) {
        case LITERAL -> {
          if (!path.regionMatches(pos, s.value(), 0, s.value().length()) || end - pos != s.value().length()) {
            return false;
          }
        }
        case VARIABLE -> {
          if (end == pos) {
            return false;
          }
          if (vars != null) {
            vars.put(s.value(), path.substring(pos, end));
          }
        }
        case WILDCARD -> {
          if (end == pos) {
            return false;
          }
        }
        default -> throw new AssertionError(s.kind());
      }
      pos = end + 1;
    }
    return pos == path.length() + 1;
  }

  /**
   * Compares specificity: positive when this pattern is more specific than {@code other},
   * negative when less, zero when equally specific (declaration order then decides).
   */
  public int compareSpecificity(PathPattern other) {
    int n = Math.max(rankLength(), other.rankLength());
    for (int i = 0; i < n; i++) {
      int c = Integer.compare(rank(i), other.rank(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private int rankLength() {
    return regex != null ? 1 : segments.size() + 1;
  }

  /** 4: the pattern ended; 3: literal; 2: one-segment wildcard or variable; 1: catch-all. */
  private int rank(int i) {
    if (regex != null) {
      return i == 0 ? 1 : 4;
    }
    if (i >= segments.size()) {
      return 4;
    }
    return switch (segments.get(i).kind()) {
      case LITERAL -> 3;
      case VARIABLE, WILDCARD -> 2;
      case CATCH_ALL -> 1;
    };
  }

  /**
   * Returns the pattern's shape with variable names erased ({@code /users/{}}), so two patterns
   * that match exactly the same paths compare equal.
   */
  public String shape() {
    if (regex != null) {
      return "regex:" + pattern;
    }
    StringBuilder sb = new StringBuilder();
    for (Segment s : segments) {
      sb.append('/');
      switch (s.kind()) {
        case LITERAL -> sb.append(s.value());
        case VARIABLE, WILDCARD -> sb.append('*');
        case CATCH_ALL -> sb.append("**");
      }
    }
    return sb.toString();
  }

  /** Equal when both match exactly the same paths ({@link #shape()}). */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof PathPattern other && shape().equals(other.shape());
  }

  @Override
  public int hashCode() {
    return shape().hashCode();
  }

  @Override
  public String toString() {
    return pattern;
  }

  private static String name(String pattern, String name, Set<String> seen) {
    if (!NAME.matcher(name).matches()) {
      throw bad(pattern, "bad variable name '" + name + "'");
    }
    if (!seen.add(name)) {
      throw bad(pattern, "variable '" + name + "' appears twice");
    }
    return name;
  }

  /**
   * Brings a literal segment into the form the gateway's path normalizer gives a request path:
   * percent-encodings of unreserved characters ({@code A-Z a-z 0-9 - . _ ~}) decoded, other
   * encodings with upper-case hex digits, and the visible characters a path may not hold unencoded
   * ({@code " < > [ ] ^ ` |}) encoded. Anything the normalizer refuses (controls, non-ASCII,
   * backslash, {@code ;}, an encoded slash or NUL, invalid UTF-8) is refused here too, since such a
   * literal could never match.
   */
  private static String canonicalLiteral(String pattern, String part) {
    StringBuilder sb = new StringBuilder(part.length());
    java.io.ByteArrayOutputStream encoded = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c == '%') {
        int hi = i + 1 < part.length() ? HttpSyntax.hexDigit(part.charAt(i + 1)) : -1;
        int lo = i + 2 < part.length() ? HttpSyntax.hexDigit(part.charAt(i + 2)) : -1;
        if (hi < 0 || lo < 0) {
          throw bad(pattern, "bad percent-encoding in '" + part + "'");
        }
        int v = hi << 4 | lo;
        if (v == '/' || v == '\\' || v == 0) {
          throw bad(pattern, "encoded '/', '\\' or NUL in '" + part + "' never match a normalized path");
        }
        encoded.write(v);
        if (HttpSyntax.isUnreserved(v)) {
          sb.append((char) v);
        } else {
          HttpSyntax.appendPercentEncoded(sb, v);
        }
        i += 2;
      } else if (c <= ' ' || c >= 0x7f || c == '\\' || c == ';') {
        throw bad(pattern, "segment '" + part + "' has a character that never appears unencoded in a normalized path"
            + " (percent-encode it; ';' is never accepted)");
      } else if ("\"<>[]^`|".indexOf(c) >= 0) {
        encoded.write(c);
        HttpSyntax.appendPercentEncoded(sb, c);
      } else {
        encoded.write(c);
        sb.append(c);
      }
    }
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(encoded.toByteArray()));
    } catch (CharacterCodingException e) {
      throw bad(pattern, "segment '" + part + "' is not valid UTF-8 when decoded");
    }
    return sb.toString();
  }

  /**
   * Returns the names of a regex's named groups, in order. Skips what only looks like a group:
   * escaped characters ({@code \(?<a>} is an optional literal parenthesis), {@code \Q...\E}
   * quotes and character classes. Lookbehinds ({@code (?<=}, {@code (?<!}) are not names.
   */
  private static List<String> groupNames(String regex) {
    List<String> names = new ArrayList<>();
    int classDepth = 0;
    int n = regex.length();
    for (int i = 0; i < n; i++) {
      char c = regex.charAt(i);
      if (c == '\\') {
        if (i + 1 < n && regex.charAt(i + 1) == 'Q') {
          int end = regex.indexOf("\\E", i + 2);
          i = end < 0 ? n : end + 1;
        } else {
          i++;
        }
      } else if (c == '[') {
        classDepth++;
      } else if (c == ']' && classDepth > 0) {
        classDepth--;
      } else if (c == '(' && classDepth == 0 && regex.startsWith("?<", i + 1)) {
        int start = i + 3;
        int end = start;
        while (end < n && (Character.isLetterOrDigit(regex.charAt(end)) && regex.charAt(end) < 0x80)) {
          end++;
        }
        if (end > start && end < n && regex.charAt(end) == '>' && Character.isLetter(regex.charAt(start))) {
          names.add(regex.substring(start, end));
        }
      }
    }
    return List.copyOf(names);
  }

  private static IllegalArgumentException bad(String pattern, String why) {
    return new IllegalArgumentException("invalid path pattern '" + pattern + "': " + why);
  }
}
