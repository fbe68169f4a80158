package dev.portico.gateway.observe;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import java.util.Optional;

/**
 * Watches one exchange, from the moment the engine took it to its end. Obtained from
 * {@link GatewayObserver#exchangeStarted(ExchangeStart)}; its methods are called from any thread
 * but never concurrently for one exchange, and {@link #finished(AccessLogEntry)} exactly once,
 * last. Methods must be quick, must not block and should not throw (the engine logs and ignores
 * what they throw).
 */
public interface ExchangeObserver {
  /** Watches nothing. */
  ExchangeObserver NONE = new ExchangeObserver() {};

  /**
   * Returns the trace context this exchange runs under, when the observer makes its own (a
   * tracer's server span); the engine then logs its trace id and proposes children of it for the
   * upstream hops. Empty keeps the engine's.
   */
  default Optional<TraceContext> traceContext() {
    return Optional.empty();
  }

  /**
   * Authentication or authorization refused the request; {@code reason} is one of
   * {@code no-credentials}, {@code rejected}, {@code unavailable} or {@code forbidden}.
   */
  default void authenticationFailed(String reason) {}

  /** The rate limiter named {@code limiter} decided {@code decision} for this exchange. */
  default void rateLimitDecided(String limiter, RateLimitDecision.Kind decision) {}

  /**
   * The route's response cache answered ({@code hit}: from a fresh or revalidated entry) or did
   * not ({@code miss}: the response came from the upstream).
   */
  default void cacheLookup(String result) {}

  /** The engine is about to send an upstream request; the returned observer watches it. */
  default UpstreamObserver upstreamStarted(UpstreamStart start) {
    return UpstreamObserver.NONE;
  }

  /** The exchange ended, as the access log records it. */
  default void finished(AccessLogEntry entry) {}
}
