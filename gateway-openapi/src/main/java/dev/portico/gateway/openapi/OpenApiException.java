package dev.portico.gateway.openapi;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * An OpenAPI document that cannot become routes: not found, not OpenAPI 3.0 or 3.1, a parse error,
 * an unresolved {@code $ref}, duplicate {@code operationId}s, a path template a route cannot
 * express, an unknown {@code x-portico-*} key or name. The message names the document and, for
 * each problem, where it is in the document as a JSON Pointer ({@code #/paths/~1pets/get}).
 */
public final class OpenApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * One problem.
   *
   * @param pointer where it is in the document, as a JSON Pointer fragment ({@code #/paths/~1pets/get});
   *     {@code ""} for the document as a whole
   * @param message what is wrong
   */
  public record Problem(String pointer, String message) {
    /** Checks the components. */
    public Problem {
      requireNonNull(pointer, "pointer");
      requireNonNull(message, "message");
    }

    @Override
    public String toString() {
      return pointer.isEmpty() ? message : pointer + ": " + message;
    }
  }

  /** The most problems the message lists; {@link #problems()} has them all. */
  private static final int LISTED = 20;

  private final String document;
  private final List<Problem> problems;

  /** Creates the exception for {@code problems} (at least one) of {@code document}. */
  public OpenApiException(String document, List<Problem> problems) {
    super(message(document, problems));
    this.document = document;
    this.problems = List.copyOf(problems);
  }

  /** Returns the document, as given (a path, a URL, or a name for text). */
  public String document() {
    return document;
  }

  /** Returns every problem found, in document order. */
  public List<Problem> problems() {
    return problems;
  }

  private static String message(String document, List<Problem> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("problems: empty");
    }
    if (problems.size() == 1) {
      return "OpenAPI document " + document + ": " + problems.get(0);
    }
    StringBuilder sb = new StringBuilder("OpenAPI document " + document + ": " + problems.size() + " problems");
    for (int i = 0; i < Math.min(LISTED, problems.size()); i++) {
      sb.append("\n  ").append(problems.get(i));
    }
    if (problems.size() > LISTED) {
      sb.append("\n  ... and ").append(problems.size() - LISTED).append(" more");
    }
    return sb.toString();
  }
}
