package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletionStage;

/**
 * A step of an exchange's policy chain: it sees the request, may change it, may answer by itself,
 * and may change the response on its way back.
 *
 * <pre>{@code
 * Filter apiVersion = (exchange, chain) -> {
 *   if (!exchange.request().headers().contains("X-Api-Version")) {
 *     return CompletableFuture.completedFuture(GatewayResponse.problem(
 *         ProblemType.BAD_REQUEST.withDetail("X-Api-Version is required")));
 *   }
 *   return chain.proceed(exchange);
 * };
 * }</pre>
 *
 * <p>Contract, enforced by the engine, which names the filter when it is broken:
 * <ul>
 *   <li>call {@link FilterChain#proceed(Exchange)} at most once;
 *   <li>return a non-null stage and complete it exactly once, with a non-null response;
 *   <li>never block: waiting for I/O returns a stage that completes later.
 * </ul>
 * An exceptionally completed stage (or a thrown exception) is a bug or breakage, and is answered
 * 500 without details; refusals are {@link GatewayResponse#problem(Problem) problem responses}.
 *
 * <p>Filters run in a fixed order: the gateway's global filters in the order they were added,
 * then the engine's authentication and authorization step (when the route has an authenticator),
 * then the route's validation, then the route's filters, then the route's request and response
 * transforms (so filters see the request as the client sent it and the response as the client
 * gets it), then the terminal proxy step. Filters see headers and status; bodies stream past them.
 * CORS preflights are answered before any filter runs.
 */
@FunctionalInterface
public interface Filter {

  /** Handles {@code exchange}, usually by calling {@code chain.proceed(exchange)}. */
  CompletionStage<GatewayResponse> filter(Exchange exchange, FilterChain chain);

  /** Returns a name for error messages and the admin view; the class name by default. */
  default String name() {
    String simple = getClass().getSimpleName();
    int lambda = simple.indexOf("$$Lambda");
    return lambda > 0 ? simple.substring(0, lambda) + "(lambda)" : simple;
  }

  /** Returns {@code filter} under {@code name}. */
  static Filter named(String name, Filter filter) {
    requireNonNull(name, "name");
    requireNonNull(filter, "filter");
    return new Filter() {
      @Override
      public CompletionStage<GatewayResponse> filter(Exchange exchange, FilterChain chain) {
        return filter.filter(exchange, chain);
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }
}
