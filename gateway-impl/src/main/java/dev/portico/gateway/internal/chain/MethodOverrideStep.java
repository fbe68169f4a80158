package dev.portico.gateway.internal.chain;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.Filter;
import dev.portico.gateway.FilterChain;
import dev.portico.gateway.GatewayResponse;
import java.util.concurrent.CompletionStage;

/** Sends a route's configured method upstream instead of the client's. Not public API. */
public final class MethodOverrideStep implements Filter {
  private final String method;

  MethodOverrideStep(String method) {
    this.method = method;
  }

  @Override
  public String name() {
    return "method-override";
  }

  @Override
  public CompletionStage<GatewayResponse> filter(Exchange exchange, FilterChain chain) {
    return chain.proceed(exchange.withRequest(exchange.request().toBuilder().method(method).build()));
  }
}
