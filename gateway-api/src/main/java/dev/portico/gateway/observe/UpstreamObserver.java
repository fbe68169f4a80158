package dev.portico.gateway.observe;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Watches one upstream request of an exchange. Obtained from
 * {@link ExchangeObserver#upstreamStarted(UpstreamStart)}; each method is called at most once, in
 * this order, from any thread: {@link #connected()} when the request head could be written (a
 * pooled or new connection, TLS included, was ready), {@link #responded(int)} when the response
 * headers arrived, {@link #finished(Throwable)} always, last. Methods must be quick, must not block
 * and should not throw (the engine logs and ignores what they throw).
 */
public interface UpstreamObserver {
  /** Watches nothing. */
  UpstreamObserver NONE = new UpstreamObserver() {};

  /**
   * Returns the trace context to send upstream in {@code traceparent}: a tracer returns its client
   * span's, so the upstream's spans become its children. Empty keeps the engine's proposal.
   */
  default Optional<TraceContext> traceContext() {
    return Optional.empty();
  }

  /** The request head is being written: a connection was ready. */
  default void connected() {}

  /** The response headers arrived with {@code status}. */
  default void responded(int status) {}

  /**
   * The upstream request ended: its response was received whole, or it failed ({@code failure} is
   * not null: refused, timed out, aborted).
   */
  default void finished(@Nullable Throwable failure) {}
}
