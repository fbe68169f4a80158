package dev.portico.gateway.internal.chain;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.Filter;
import dev.portico.gateway.FilterChain;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.internal.ExchangeRun;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One link of an exchange's filter chain: runs filter {@code index}, or the proxy step after the
 * last one, and enforces the chain contract (proceed at most once, non-null stage and response),
 * naming the filter that broke it. Not public API.
 */
public final class FilterChainLink implements FilterChain {
  private final ExchangeRun run;
  private final int index;
  private final AtomicBoolean proceeded = new AtomicBoolean();

  public FilterChainLink(ExchangeRun run, int index) {
    this.run = run;
    this.index = index;
  }

  @Override
  public CompletionStage<GatewayResponse> proceed(Exchange exchange) {
    if (exchange == null) {
      return CompletableFuture.failedFuture(broken("called proceed(null)"));
    }
    if (!proceeded.compareAndSet(false, true)) {
      return CompletableFuture.failedFuture(broken("called proceed() more than once"));
    }
    Filter[] filters = run.route().filters();
    if (index == filters.length) {
      return run.proxy(exchange);
    }
    Filter filter = filters[index];
    CompletionStage<GatewayResponse> stage;
    try {
      stage = filter.filter(exchange, new FilterChainLink(run, index + 1));
    } catch (RuntimeException | Error e) {
      return CompletableFuture.failedFuture(new FilterFailure(describe(index), e));
    }
    if (stage == null) {
      return CompletableFuture.failedFuture(new FilterFailure(describe(index) + " returned a null stage", null));
    }
    return stage.handle((response, failure) -> {
      if (failure != null) {
        if (failure instanceof FilterFailure ff) {
          throw ff;
        }
        throw new FilterFailure(describe(index), failure);
      }
      if (response == null) {
        throw new FilterFailure(describe(index) + " completed with a null response", null);
      }
      return response;
    });
  }

  private FilterFailure broken(String what) {
    return new FilterFailure(index == 0 ? "the engine " + what : describe(index - 1) + " " + what, null);
  }

  private String describe(int i) {
    Filter filter = run.route().filters()[i];
    return "filter #" + (i + 1) + " '" + filter.name() + "' of route '" + run.route().id() + "'";
  }

  /** A filter broke the chain contract or failed: a bug, answered 500. */
  static final class FilterFailure extends RuntimeException {
    FilterFailure(String message, @org.jspecify.annotations.Nullable Throwable cause) {
      super(cause == null ? message : message + " failed: " + cause, cause, false, false);
    }
  }
}
