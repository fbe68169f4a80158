package dev.portico.gateway.ratelimit;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Exchange;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How many tokens a request costs: one by default, more for expensive routes or large bodies.
 *
 * <pre>{@code
 * RequestCost.byRoute(Map.of("search", 5L), 1)     // a search costs 5, anything else 1
 * RequestCost.byBodySize(64 * 1024)                // one token per started 64 KiB of body
 * }</pre>
 *
 * <p>Contract: return quickly, without blocking, a cost of 0 or more; 0 lets the request pass
 * without spending or reporting anything.
 */
@FunctionalInterface
public interface RequestCost {

  /** Returns what {@code exchange} costs. */
  long cost(Exchange exchange);

  /** Every request costs one token. */
  static RequestCost one() {
    return exchange -> 1;
  }

  /**
   * A request costs one token per started {@code bytesPerToken} bytes of its declared body
   * ({@code Content-Length}), and at least one. A body of unknown length (chunked) costs as much
   * as the route's {@link dev.portico.gateway.Route#maxRequestBodySize() maximum body size}, or one
   * token when the route sets none: pair this cost with a maximum to charge streamed uploads fully.
   */
  static RequestCost byBodySize(long bytesPerToken) {
    if (bytesPerToken <= 0) {
      throw new IllegalArgumentException("bytesPerToken: " + bytesPerToken + " (expected: > 0)");
    }
    return exchange -> {
      long length = declaredLength(exchange);
      if (length < 0) {
        OptionalLong max = exchange.route().maxRequestBodySize();
        length = max.isPresent() ? max.getAsLong() : 0;
      }
      return Math.max(1, length / bytesPerToken + (length % bytesPerToken == 0 ? 0 : 1));
    };
  }

  /** A request on a route in {@code costs} costs that much; any other costs {@code otherwise}. */
  static RequestCost byRoute(Map<String, Long> costs, long otherwise) {
    Map<String, Long> copy = Map.copyOf(requireNonNull(costs, "costs"));
    copy.forEach((route, cost) -> {
      if (cost < 0) {
        throw new IllegalArgumentException("cost of route '" + route + "': " + cost + " (expected: >= 0)");
      }
    });
    if (otherwise < 0) {
      throw new IllegalArgumentException("otherwise: " + otherwise + " (expected: >= 0)");
    }
    return exchange -> copy.getOrDefault(exchange.route().id(), otherwise);
  }

  /** Returns the declared body length: {@code Content-Length}, 0 without a body, -1 when chunked. */
  private static long declaredLength(Exchange exchange) {
    Optional<String> length = exchange.request().headers().first("Content-Length");
    if (length.isPresent()) {
      try {
        return Long.parseLong(length.get().trim());
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return exchange.request().headers().contains("Transfer-Encoding") ? -1 : 0;
  }
}
