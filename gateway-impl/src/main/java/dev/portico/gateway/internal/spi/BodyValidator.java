package dev.portico.gateway.internal.spi;

import java.util.List;

/**
 * A compiled check of a request body (a route's JSON Schema), as the validation step runs it:
 * parse, check, and say what is wrong. Compiled once per route by {@link BodyValidators};
 * immutable and thread-safe. Not public API.
 */
public interface BodyValidator {

  /** Parses {@code body} and checks it; never throws for what a client sent. */
  Result validate(byte[] body);

  /** The outcome of {@link #validate}. */
  sealed interface Result permits Valid, Invalid, Malformed {}

  /** The body passes. */
  record Valid() implements Result {}

  /** @param violations what is wrong, in document order, bounded by the validator */
  record Invalid(List<Violation> violations) implements Result {
    public Invalid {
      violations = List.copyOf(violations);
    }
  }

  /** @param reason why the body cannot be read at all, safe to show a client */
  record Malformed(String reason) implements Result {}

  /**
   * One violation.
   *
   * @param pointer the JSON Pointer of the offending value ({@code ""} for the whole body)
   * @param message what is wrong, in English, safe to show a client
   */
  record Violation(String pointer, String message) {}
}
