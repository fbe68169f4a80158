package dev.portico.gateway.upstream;

import dev.portico.gateway.Exchange;
import java.util.List;

/**
 * Picks the endpoint of an {@link UpstreamGroup} that takes a request. The built-ins are in
 * {@link LoadBalancing}; a host can write its own.
 *
 * <pre>{@code
 * // Always the first candidate (the endpoints in the order the group lists them): active-passive.
 * LoadBalancer firstAvailable = () -> (candidates, exchange) -> candidates.get(0);
 * }</pre>
 *
 * <p>A load balancer is a factory: the engine calls {@link #newSelector()} once per group it runs,
 * so that state (a round-robin position, a hash ring) belongs to one group.
 */
@FunctionalInterface
public interface LoadBalancer {

  /** Returns a new selector for one group. */
  Selector newSelector();

  /**
   * Picks one of a group's endpoints for one request.
   *
   * <p>Contract: called from many threads at once; return quickly without blocking; return one of
   * {@code candidates}, never null. The engine calls it for the first try and for each retry.
   */
  @FunctionalInterface
  interface Selector {

    /**
     * Returns one of {@code candidates}: never empty, in the order the group lists them, and only
     * the endpoints that may take the request now (healthy, not ejected, not already tried by this
     * request when there is another).
     */
    Candidate select(List<Candidate> candidates, Exchange exchange);
  }

  /** An endpoint the selector may pick, with its live load. */
  interface Candidate {

    /** Returns the endpoint. */
    Endpoint endpoint();

    /** Returns how many requests the gateway has in flight to this endpoint right now. */
    int inFlight();
  }
}
