package dev.portico.gateway.internal.chain;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.FilterChain;
import dev.portico.gateway.GatewayResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One link of an exchange's chain: runs step {@code index}, or the proxy step after the last one,
 * and enforces the chain contract (proceed at most once, non-null stage and response), naming the
 * step that broke it. Not public API.
 */
public final class FilterChainLink implements FilterChain {
  private final Run run;
  private final int index;
  private final AtomicBoolean proceeded = new AtomicBoolean();

  /** What every link of one exchange's chain shares. */
  private record Run(ChainStep[] steps, String routeId, StepContext context,
      Function<Exchange, CompletionStage<GatewayResponse>> proxy) {}

  private FilterChainLink(Run run, int index) {
    this.run = run;
    this.index = index;
  }

  /**
   * Returns the first link of a chain of {@code steps} of route {@code routeId}, for an exchange
   * whose steps see {@code context}; after the last step, {@code proxy} answers.
   */
  public static FilterChainLink first(ChainStep[] steps, String routeId, StepContext context,
      Function<Exchange, CompletionStage<GatewayResponse>> proxy) {
    return new FilterChainLink(new Run(steps, routeId, context, proxy), 0);
  }

  @Override
  public CompletionStage<GatewayResponse> proceed(Exchange exchange) {
    if (exchange == null) {
      return CompletableFuture.failedFuture(broken("called proceed(null)"));
    }
    if (!proceeded.compareAndSet(false, true)) {
      return CompletableFuture.failedFuture(broken("called proceed() more than once"));
    }
    ChainStep[] steps = run.steps();
    if (index == steps.length) {
      return run.proxy().apply(exchange);
    }
    CompletionStage<GatewayResponse> stage;
    try {
      stage = steps[index].run(run.context(), exchange, new FilterChainLink(run, index + 1));
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
    return "filter #" + (i + 1) + " '" + run.steps()[i].name() + "' of route '" + run.routeId() + "'";
  }

  /** A filter broke the chain contract or failed: a bug, answered 500. */
  static final class FilterFailure extends RuntimeException {
    FilterFailure(String message, @Nullable Throwable cause) {
      super(cause == null ? message : message + " failed: " + cause, cause, false, false);
    }
  }
}
