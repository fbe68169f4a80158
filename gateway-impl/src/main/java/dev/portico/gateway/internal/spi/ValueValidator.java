package dev.portico.gateway.internal.spi;

import java.util.List;

/**
 * A compiled check of a parameter's values (a {@code ParameterRule}'s JSON Schema), as the
 * validation step runs it: the values arrive as decoded text and are read as the schema's type
 * says. Compiled once per route by {@link BodyValidators#compileValue}; immutable and thread-safe.
 * Not public API.
 */
public interface ValueValidator {

  /** Returns whether the schema's type is {@code array}: then {@link #validate} gets all its items at once. */
  boolean isArray();

  /**
   * Checks {@code values}: the items of one array when {@link #isArray()}, else each value on its
   * own (every one must pass). Never throws for what a client sent; violations never repeat a value.
   */
  BodyValidator.Result validate(List<String> values);
}
