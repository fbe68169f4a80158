package dev.portico.gateway.internal.chain;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.Filter;
import dev.portico.gateway.FilterChain;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.Problem;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.internal.body.UpstreamBody;
import java.util.concurrent.CompletionStage;

/**
 * {@code upstreamErrors(REPLACE)}: turns the upstream's 5xx response into a 502
 * {@code upstream-error} problem. The upstream's body is never read: the engine aborts it when the
 * problem is written. Its {@code Retry-After} is kept. Not public API.
 */
public final class UpstreamErrorsStep implements Filter {
  @Override
  public String name() {
    return "upstream-errors";
  }

  @Override
  public CompletionStage<GatewayResponse> filter(Exchange exchange, FilterChain chain) {
    return chain.proceed(exchange).thenApply(response -> {
      if (response.status() < 500 || response.problem().isPresent() || !(response.body() instanceof UpstreamBody)) {
        return response;
      }
      Problem problem = ProblemType.UPSTREAM_ERROR.withDetail(
          "The upstream failed to handle the request (status " + response.status() + ").");
      for (String retryAfter : response.headers().all("Retry-After")) {
        problem = problem.withHeader("Retry-After", retryAfter);
      }
      return GatewayResponse.problem(problem);
    });
  }
}
