package dev.portico.gateway.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A configuration file that cannot become a gateway: every problem found, each with the file, line,
 * column and key path of the value at fault. The message has one problem a line, in the form
 * {@code gateway.yaml:14:7 routes[2].upstream: 'htp://x' (expected: an http or https URI)}.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The problems, in file order where the reader could keep it; never empty. */
  private final transient List<Problem> problems;

  /** Creates the exception for {@code problems} (at least one). */
  public ConfigException(List<Problem> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem found; never empty. */
  public List<Problem> problems() {
    return problems;
  }

  private static String message(List<Problem> problems) {
    if (requireNonNull(problems, "problems").isEmpty()) {
      throw new IllegalArgumentException("problems: empty (expected: at least one)");
    }
    if (problems.size() == 1) {
      return problems.get(0).toString();
    }
    StringBuilder text = new StringBuilder(problems.size() + " configuration errors:");
    for (Problem problem : problems) {
      text.append("\n  ").append(problem);
    }
    return text.toString();
  }

  /**
   * One problem: where it is and what is wrong.
   *
   * @param source the file name or the source name given to the reader
   * @param line the line, from 1; 0 when the problem concerns the whole source (an unreadable file)
   * @param column the column, from 1; 0 with line 0
   * @param path the key path of the value at fault ({@code routes[2].upstream}); empty for the whole file
   * @param message what is wrong, and what was expected
   */
  public record Problem(String source, int line, int column, String path, String message) {

    /** Checks that no component is null. */
    public Problem {
      requireNonNull(source, "source");
      requireNonNull(path, "path");
      requireNonNull(message, "message");
    }

    /** {@code source:line:column path: message}, leaving out what is unknown. */
    @Override
    public String toString() {
      String where = line > 0 ? source + ":" + line + ":" + column : source;
      return where + " " + (path.isEmpty() ? "" : path + ": ") + message;
    }
  }
}
