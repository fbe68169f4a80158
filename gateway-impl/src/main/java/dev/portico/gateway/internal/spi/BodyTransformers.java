package dev.portico.gateway.internal.spi;

import dev.portico.gateway.transform.JsonTransform;

/**
 * Compiles a route's {@link JsonTransform} into the {@link BodyTransformer} the engine applies.
 * The Jackson integration implements it; the engine gets it from
 * {@link Integrations#jsonTransforms()}. Not public API.
 */
public interface BodyTransformers {

  /**
   * Compiles {@code transform}.
   *
   * @throws IllegalArgumentException naming the operation that cannot be compiled
   */
  BodyTransformer compile(JsonTransform transform);
}
