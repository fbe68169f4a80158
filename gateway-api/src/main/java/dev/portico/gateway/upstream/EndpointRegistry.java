package dev.portico.gateway.upstream;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * An {@link EndpointSource} the host pushes to: call {@link #update(List)} whenever the endpoints
 * change (from a discovery watch, an admin API, a test). Thread-safe; one registry may feed any
 * number of groups and gateways.
 *
 * <pre>{@code
 * EndpointRegistry orders = EndpointRegistry.of(Endpoint.of("http://10.0.0.5:8080"));
 * Gateway gateway = Gateway.builder()
 *     .upstreamGroup(UpstreamGroup.builder("orders").endpoints(orders).build())
 *     .route("orders", r -> r.path("/api/orders/**").upstreamGroup("orders"))
 *     .build();
 * // later, without restarting anything:
 * orders.update(List.of(Endpoint.of("http://10.0.0.5:8080"), Endpoint.of("http://10.0.0.6:8080", 2)));
 * }</pre>
 */
public final class EndpointRegistry implements EndpointSource {
  private final List<Consumer<List<Endpoint>>> listeners = new CopyOnWriteArrayList<>();
  private volatile List<Endpoint> endpoints;

  private EndpointRegistry(List<Endpoint> endpoints) {
    this.endpoints = checked(endpoints);
  }

  /** Returns a registry that starts with {@code endpoints}. */
  public static EndpointRegistry of(Endpoint... endpoints) {
    return new EndpointRegistry(List.of(endpoints));
  }

  /** Returns a registry that starts with {@code endpoints}. */
  public static EndpointRegistry of(List<Endpoint> endpoints) {
    return new EndpointRegistry(endpoints);
  }

  /** Returns the current endpoints. */
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  /**
   * Replaces the endpoints and tells every subscribed group, on the calling thread, before
   * returning.
   *
   * @throws IllegalArgumentException if two endpoints have the same address
   */
  public synchronized void update(List<Endpoint> endpoints) {
    List<Endpoint> copy = checked(endpoints);
    this.endpoints = copy;
    for (Consumer<List<Endpoint>> listener : listeners) {
      listener.accept(copy);
    }
  }

  @Override
  public synchronized AutoCloseable subscribe(Consumer<List<Endpoint>> listener, ScheduledExecutorService scheduler) {
    requireNonNull(listener, "listener");
    listeners.add(listener);
    listener.accept(endpoints);
    return () -> listeners.remove(listener);
  }

  static List<Endpoint> checked(List<Endpoint> endpoints) {
    List<Endpoint> copy = List.copyOf(requireNonNull(endpoints, "endpoints"));
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Endpoint e : copy) {
      if (!seen.add(e.address())) {
        throw new IllegalArgumentException("endpoints: " + e.address() + " is listed twice");
      }
    }
    return copy;
  }

  @Override
  public String toString() {
    return "EndpointRegistry" + endpoints;
  }
}
