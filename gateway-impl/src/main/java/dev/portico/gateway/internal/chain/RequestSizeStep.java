package dev.portico.gateway.internal.chain;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.FilterChain;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.ProblemType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The engine's request size step, the first after the global filters: a declared
 * {@code Content-Length} over the route's maximum is answered 413 before anything else is spent
 * on the request, and before any upstream call. Chunked bodies are cut off while they stream, by
 * {@link ClientBodyContent}. Not public API.
 */
public final class RequestSizeStep implements ChainStep {
  private final long maxBytes;

  public RequestSizeStep(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public String name() {
    return "request-size";
  }

  @Override
  public CompletionStage<GatewayResponse> run(StepContext context, Exchange exchange, FilterChain chain) {
    long declared = context.contentLength();
    if (declared > maxBytes) {
      return CompletableFuture.completedFuture(GatewayResponse.problem(ProblemType.PAYLOAD_TOO_LARGE.withDetail(
          "The request body is larger than this route accepts (" + maxBytes + " bytes).")));
    }
    return chain.proceed(exchange);
  }
}
