package dev.portico.gateway.upstream;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Upstream;
import java.net.URI;

/**
 * One instance of a backend in an {@link UpstreamGroup}: its base URI and its weight, the share of
 * traffic it gets relative to the group's other endpoints.
 *
 * <pre>{@code
 * Endpoint.of("http://orders-1:8080")          // weight 1
 * Endpoint.of("http://orders-2:8080", 3)       // three times the traffic of a weight-1 endpoint
 * }</pre>
 *
 * <p>An endpoint is identified by its {@link #address()} (scheme, authority and base path): when
 * a group's endpoint list is updated, an endpoint with the same address keeps its run-time state
 * (in-flight count, health, ejection), whatever its new weight.
 */
public final class Endpoint {
  /** The largest weight an endpoint may have. */
  public static final int MAX_WEIGHT = 10_000;

  private final Upstream target;
  private final int weight;

  private Endpoint(Upstream target, int weight) {
    if (weight < 1 || weight > MAX_WEIGHT) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: 1-" + MAX_WEIGHT + ")");
    }
    this.target = target;
    this.weight = weight;
  }

  /**
   * Returns an endpoint at {@code uri} with weight 1.
   *
   * @throws IllegalArgumentException if {@code uri} is not an absolute {@code http} or
   *     {@code https} URI with a host and without user info, query or fragment
   */
  public static Endpoint of(String uri) {
    return of(uri, 1);
  }

  /**
   * Returns an endpoint at {@code uri} with {@code weight} (1 to {@value #MAX_WEIGHT}).
   *
   * @throws IllegalArgumentException if {@code uri} is not a valid upstream URI (see
   *     {@link #of(String)}) or the weight is out of range
   */
  public static Endpoint of(String uri, int weight) {
    return new Endpoint(Upstream.of(requireNonNull(uri, "uri")), weight);
  }

  /** Returns an endpoint at {@code upstream}'s address with weight 1; its TLS settings are not kept. */
  public static Endpoint of(Upstream upstream) {
    return new Endpoint(requireNonNull(upstream, "upstream"), 1);
  }

  /** Returns a copy with {@code weight}. */
  public Endpoint withWeight(int weight) {
    return new Endpoint(target, weight);
  }

  /** Returns the base URI as given. */
  public URI uri() {
    return target.uri();
  }

  /** Returns {@code http} or {@code https}. */
  public String scheme() {
    return target.scheme();
  }

  /** Returns the host (an IPv6 literal keeps its brackets). */
  public String host() {
    return target.host();
  }

  /** Returns the port, defaulted from the scheme. */
  public int port() {
    return target.port();
  }

  /** Returns the base path without a trailing slash; empty for none. */
  public String basePath() {
    return target.basePath();
  }

  /** Returns the authority ({@code host:port}, the port left out when it is the scheme's default). */
  public String authority() {
    return target.authority();
  }

  /** Returns the weight, 1 to {@value #MAX_WEIGHT}. */
  public int weight() {
    return weight;
  }

  /** Returns what identifies the endpoint: {@code scheme://authority/basePath}. */
  public String address() {
    return target.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Endpoint e && e.weight == weight && e.address().equals(address());
  }

  @Override
  public int hashCode() {
    return address().hashCode() * 31 + weight;
  }

  @Override
  public String toString() {
    return weight == 1 ? address() : address() + " (weight " + weight + ")";
  }
}
