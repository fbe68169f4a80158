package dev.portico.gateway;

import dev.portico.gateway.cache.CacheStatus;
import dev.portico.gateway.upstream.EndpointStatus;
import java.time.Duration;
import java.util.List;

/**
 * The running side of a gateway, as an adapter from {@code gateway-impl} exposes it: what it runs
 * now, how to swap that for a new definition while requests flow, how it would handle a request,
 * and how to stop it without losing one. {@link Gateway} stays an immutable definition; this is
 * where it changes.
 *
 * <pre>{@code
 * JettyGatewayHandler handler = JettyGatewayHandler.create(gateway);   // a RunningGateway
 * ...
 * handler.reconfigure(gateway.toBuilder()
 *     .route("orders-v2", r -> r.path("/api/v2/orders/**").upstream("http://orders-v2:8080"))
 *     .build());                               // atomic; requests in flight finish on the old routes
 * }</pre>
 *
 * <p>Thread-safe: every method may be called from any thread while requests are handled.
 */
public interface RunningGateway {

  /** Returns the definition the gateway runs now. */
  Gateway gateway();

  /**
   * Swaps the whole definition for {@code next}, atomically: each request is handled entirely by
   * the old definition or entirely by the new one. {@code next} is compiled first (JSON Schemas,
   * transforms, upstream clients); if that fails nothing changes and the exception says why,
   * naming the route.
   *
   * <p>State carries over by identity: a rate limiter, authenticator or filter instance that the
   * new definition reuses keeps its state (buckets, caches); a route whose id and
   * {@code ConcurrencyLimit} are unchanged keeps its permits and queue; upstream clients with the
   * same settings are reused, not restarted.
   *
   * @throws IllegalStateException when {@code next} cannot be compiled, or the gateway is stopping
   */
  void reconfigure(Gateway next);

  /**
   * Returns what the gateway would do with a request: the route, the normalized path or why it is
   * refused, the upstream URI and the policies that would run, in order. Runs no filter and sends
   * nothing.
   *
   * @param uri a path with an optional query ({@code /api/orders?x=1}), or an absolute URI whose
   *     authority is then matched against the routes' hosts
   */
  Explanation explain(String method, String uri, HttpHeaders headers);

  /**
   * Returns the names of the steps route {@code routeId} runs, in order, as {@link #explain} lists
   * them (global filters, the engine's policy steps, validation, the route's filters, the
   * transforms, {@code proxy}); empty when there is no such route.
   */
  List<String> policies(String routeId);

  /**
   * Returns whether the gateway is ready for traffic: started, not shutting down, and its upstream
   * health checks (if any) have run once.
   */
  boolean isReady();

  /**
   * Returns the live state of every endpoint of the current configuration's upstream groups, in
   * order: health, ejection and the group's circuit. Empty before the gateway starts.
   */
  default List<EndpointStatus> upstreamStatus() {
    return List.of();
  }

  /**
   * Returns the live state of the response cache of every route of the current configuration that
   * caches, in route order. Empty before the gateway starts, and when no route caches.
   */
  default List<CacheStatus> cacheStatus() {
    return List.of();
  }

  /**
   * Shuts down gracefully: takes no new exchange (new requests are answered 503
   * {@link ProblemType#SHUTTING_DOWN}), waits up to {@code grace} for those in flight, then aborts
   * the rest: 503 when their response has not started, a broken response when it has. Returns when
   * every exchange has ended. The host stops its server afterwards, which closes the upstream
   * clients, timers and closeable rate limiters.
   */
  void shutdown(Duration grace) throws InterruptedException;
}
