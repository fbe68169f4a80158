package dev.portico.gateway.transform.json;

import dev.portico.gateway.internal.spi.BodyTransformer;
import dev.portico.gateway.internal.spi.BodyTransformers;
import dev.portico.gateway.transform.JsonTransform;

/**
 * Plugs {@link JsonBodyTransformer} into the engine's JSON body steps: the engine loads it by name
 * ({@code Integrations.jsonTransforms()}).
 */
final class JsonTransformIntegration implements BodyTransformers {

  @Override
  public BodyTransformer compile(JsonTransform transform) {
    JsonBodyTransformer transformer = JsonBodyTransformer.compile(transform);
    return (body, exchange) -> {
      JsonBodyTransformer.Result result = transformer.transform(body, exchange);
      if (result instanceof JsonBodyTransformer.Malformed malformed) {
        return new BodyTransformer.Malformed(malformed.reason());
      }
      return new BodyTransformer.Transformed(((JsonBodyTransformer.Transformed) result).json());
    };
  }
}
