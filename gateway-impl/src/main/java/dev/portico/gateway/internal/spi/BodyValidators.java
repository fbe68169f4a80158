package dev.portico.gateway.internal.spi;

import dev.portico.gateway.validation.JsonSchema;

/**
 * Compiles a route's {@link JsonSchema}s into the {@link BodyValidator} and {@link ValueValidator}s
 * its validation step runs.
 * The JSON Schema integration implements it; the engine gets it from
 * {@link Integrations#jsonSchema()}. Not public API.
 */
public interface BodyValidators {

  /**
   * Reads and compiles {@code schema}.
   *
   * @throws IllegalArgumentException when the schema cannot be read or is not a valid schema
   */
  BodyValidator compile(JsonSchema schema);

  /**
   * Reads and compiles {@code schema} as the schema of a parameter's value.
   *
   * @throws IllegalArgumentException when the schema cannot be read or is not a valid schema
   */
  ValueValidator compileValue(JsonSchema schema);
}
