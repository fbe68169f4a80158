package dev.portico.gateway.internal.chain;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.Filter;
import dev.portico.gateway.FilterChain;
import dev.portico.gateway.GatewayResponse;
import java.util.concurrent.CompletionStage;

/**
 * One step of a route's compiled chain: a {@link Filter} (the gateway's and the route's own, and
 * the engine's policies that need nothing but the exchange), or an engine policy step that also
 * needs the exchange's {@link StepContext}. The contract is the filter contract: call
 * {@code proceed} at most once, return a non-null stage, complete it once with a non-null
 * response. Not public API.
 */
public interface ChainStep {

  /** Returns the step's name, for error messages and the route's list of policies. */
  String name();

  /** Runs the step for {@code exchange}; {@code chain} runs the rest. */
  CompletionStage<GatewayResponse> run(StepContext context, Exchange exchange, FilterChain chain);

  /** Returns {@code filter} as a step: it sees the exchange and the chain, not the context. */
  static ChainStep of(Filter filter) {
    return new FilterStep(filter);
  }

  /** A filter in the chain. */
  record FilterStep(Filter filter) implements ChainStep {
    @Override
    public String name() {
      return filter.name();
    }

    @Override
    public CompletionStage<GatewayResponse> run(StepContext context, Exchange exchange, FilterChain chain) {
      return filter.filter(exchange, chain);
    }
  }
}
