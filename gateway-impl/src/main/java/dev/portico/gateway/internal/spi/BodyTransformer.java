package dev.portico.gateway.internal.spi;

import dev.portico.gateway.Exchange;

/**
 * A compiled body transform (a route's {@code JsonTransform}), as the engine's JSON body step
 * applies it to a request or response body it read under the transform's cap. Compiled once per
 * route and direction by {@link BodyTransformers}; immutable and thread-safe. Not public API.
 */
public interface BodyTransformer {

  /** Parses {@code body}, transforms it for {@code exchange} and returns the written result. */
  Result transform(byte[] body, Exchange exchange);

  /** The outcome of {@link #transform}. */
  sealed interface Result permits Transformed, Malformed {}

  /** @param json the transformed body, UTF-8 */
  record Transformed(byte[] json) implements Result {}

  /** @param reason why the body cannot be read, safe to show a client */
  record Malformed(String reason) implements Result {}
}
