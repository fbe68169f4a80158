package dev.portico.gateway.config.internal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Resolves the references a string value may hold, and nothing else (no expression language, by
 * construction): {@code ${env:NAME}}, {@code ${env:NAME:-default}} and {@code ${file:/path}}
 * (the file's content, one trailing line break removed; a relative path is resolved against the
 * configuration file's directory). {@code $${} writes a literal {@code ${}. Not public API.
 */
public final class References {
  private final Function<String, @Nullable String> environment;
  private final Path baseDirectory;

  /** Resolves {@code env:} from {@code environment} and relative {@code file:} paths against {@code baseDirectory}. */
  public References(Function<String, @Nullable String> environment, Path baseDirectory) {
    this.environment = requireNonNull(environment, "environment");
    this.baseDirectory = requireNonNull(baseDirectory, "baseDirectory");
  }

  /** Whether {@code text} holds a reference or an escape, so that {@link #resolve} would change it. */
  public static boolean mentions(String text) {
    return text.contains("${");
  }

  /**
   * Returns {@code text} with its references replaced.
   *
   * @throws IllegalArgumentException naming the reference that cannot be resolved, and why
   */
  public String resolve(String text) {
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith("$${", i)) {
        out.append("${");
        i += 3;
      } else if (text.startsWith("${", i)) {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          throw new IllegalArgumentException("'" + text.substring(i) + "' has no closing '}'"
              + " (write $${ for a literal ${)");
        }
        out.append(lookUp(text.substring(i + 2, end)));
        i = end + 1;
      } else {
        out.append(text.charAt(i++));
      }
    }
    return out.toString();
  }

  private String lookUp(String reference) {
    if (reference.startsWith("env:")) {
      String name = reference.substring(4);
      String fallback = null;
      int dash = name.indexOf(":-");
      if (dash >= 0) {
        fallback = name.substring(dash + 2);
        name = name.substring(0, dash);
      }
      if (name.isEmpty()) {
        throw new IllegalArgumentException("${" + reference + "} names no environment variable");
      }
      String value = environment.apply(name);
      if (value != null) {
        return value;
      }
      if (fallback != null) {
        return fallback;
      }
      throw new IllegalArgumentException("environment variable " + name + " is not set (write ${env:" + name
          + ":-default} for a default)");
    }
    if (reference.startsWith("file:")) {
      String name = reference.substring(5);
      if (name.isEmpty()) {
        throw new IllegalArgumentException("${" + reference + "} names no file");
      }
      Path file = baseDirectory.resolve(name);
      try {
        String content = Files.readString(file, StandardCharsets.UTF_8);
        if (content.endsWith("\r\n")) {
          return content.substring(0, content.length() - 2);
        }
        return content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("cannot read file " + file + " (" + describe(e) + ")");
      }
    }
    throw new IllegalArgumentException("${" + reference + "} is not a reference this reader knows (expected:"
        + " ${env:NAME}, ${env:NAME:-default} or ${file:/path}; write $${ for a literal ${)");
  }

  /** Says what went wrong reading a file, in a few words. */
  public static String describe(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.charset.CharacterCodingException || e instanceof java.io.UncheckedIOException u
        && u.getCause() instanceof java.nio.charset.CharacterCodingException) {
      return "not UTF-8 text";
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
