package dev.portico.gateway.internal.chain;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.internal.body.BodyBuffer;
import dev.portico.gateway.internal.body.UpstreamBody;
import dev.portico.gateway.observe.ExchangeObserver;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * What an engine policy step may learn of, and tell, the exchange it runs in, beyond the
 * {@link dev.portico.gateway.Exchange} a filter sees: the client's body, what the access log and
 * the observer record, and the exchange's end. The chain hands it to each {@link ChainStep}; the
 * engine's per-exchange state implements it. Not public API.
 *
 * <p>Called from any thread, never concurrently for one exchange.
 */
public interface StepContext {

  /** Returns the client's declared {@code Content-Length}, or -1 when it declared none. */
  long contentLength();

  /** Returns whether the client's request has a body, or a policy gave it one. */
  boolean hasRequestBody();

  /** Returns the body a policy holds in memory (sent upstream instead of the client's), or null. */
  byte @Nullable [] requestBody();

  /**
   * Reads the client's body whole, up to {@code cap} bytes (and the route's own limit), once per
   * exchange: later calls see the same bytes, or what {@link #replaceRequestBody} put in their
   * place. A body declared larger than the cap is not read at all. Fails when the client's body
   * fails (the client went away, or the body's deadline passed).
   */
  CompletionStage<BodyBuffer.Result> bufferRequestBody(long cap);

  /** Sends {@code body} upstream instead of the client's (already buffered) body. */
  void replaceRequestBody(byte[] body);

  /** Records the caller the authentication step found, for the exchange and its access log. */
  void authenticated(Identity identity);

  /** Records what the rate limits decided, for the access log. */
  void rateLimited(AccessLogEntry.RateLimitOutcome outcome);

  /** Returns the observer of this exchange (metrics, spans). */
  ExchangeObserver observer();

  /**
   * Runs {@code listener} once when the exchange ends, however it ends, before the adapter is
   * told; at once if it has already ended. This is how a step that holds something for the whole
   * exchange (a concurrency permit) gives it back. Listeners must be quick and must not throw.
   */
  void whenFinished(Runnable listener);

  /** The upstream's body the response now carries, after a step replaced the one it came with. */
  void upstreamResponded(UpstreamBody body);
}
