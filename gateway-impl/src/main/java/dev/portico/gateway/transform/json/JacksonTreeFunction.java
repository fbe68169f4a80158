package dev.portico.gateway.transform.json;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.transform.JsonTransform;
import tools.jackson.databind.JsonNode;

/**
 * A function over a JSON body's Jackson 3 tree, for {@link JsonTransform.Builder#function}: it may
 * change the tree in place and return it, or return another tree.
 *
 * <pre>{@code
 * JsonTransform.builder()
 *     .function(JacksonTreeFunction.of((body, exchange) -> {
 *       if (body instanceof ObjectNode order) {
 *         order.put("total", order.path("net").asLong() + order.path("tax").asLong());
 *       }
 *       return body;
 *     }))
 *     .build();
 * }</pre>
 *
 * <p>Runs on the thread that delivered the body's last bytes, once per body: it must be fast, must
 * not block, and must return a non-null tree. An exception is a bug: the client gets 500
 * {@code internal} and the log names the route.
 */
@FunctionalInterface
public interface JacksonTreeFunction extends JsonTransform.TreeFunction {

  /** Returns the transformed tree; {@code body} may be changed and returned. */
  JsonNode apply(JsonNode body, Exchange exchange);

  /** Returns {@code function}: gives a lambda its target type in {@code JsonTransform.Builder.function(...)}. */
  static JacksonTreeFunction of(JacksonTreeFunction function) {
    return function;
  }
}
