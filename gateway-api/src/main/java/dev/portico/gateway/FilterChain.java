package dev.portico.gateway;

import java.util.concurrent.CompletionStage;

/**
 * The rest of an exchange's chain, handed to each {@link Filter}: the later filters, then the
 * proxy step that calls the upstream.
 */
@FunctionalInterface
public interface FilterChain {

  /**
   * Runs the rest of the chain with {@code exchange} (the one given to the filter, or a copy from
   * {@link Exchange#withRequest(GatewayRequest)}). Call it at most once.
   */
  CompletionStage<GatewayResponse> proceed(Exchange exchange);
}
