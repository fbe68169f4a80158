package dev.portico.gateway.upstream;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.UpstreamTls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A named group of endpoints that routes share: the gateway balances requests across them, watches
 * their health, and shields clients from one bad instance or a failing backend. Defined once on
 * {@link dev.portico.gateway.Gateway.Builder#upstreamGroup(UpstreamGroup)} and used by any number
 * of routes through {@link dev.portico.gateway.Route.Builder#upstreamGroup(String)}.
 *
 * <pre>{@code
 * UpstreamGroup orders = UpstreamGroup.builder("orders")
 *     .endpoint("http://orders-1:8080")
 *     .endpoint("http://orders-2:8080", 2)               // twice the traffic
 *     .loadBalancer(LoadBalancing.leastRequests())
 *     .healthCheck(HealthCheck.http("/health"))
 *     .circuitBreaker(CircuitBreakerSettings.defaults())
 *     .build();
 * }</pre>
 *
 * <p>Defaults: round robin, no active health check, {@link OutlierDetection#defaults()}, no
 * circuit breaker, no panic mode, HTTP/1.1, up to 64 connections per endpoint kept 30 s idle. A
 * route with a plain {@code upstream("http://...")} gets a group of one with outlier detection off.
 */
public final class UpstreamGroup {
  private final String name;
  private final List<Endpoint> endpoints;
  private final @Nullable EndpointSource source;
  private final LoadBalancer loadBalancer;
  private final @Nullable HealthCheck healthCheck;
  private final OutlierDetection outlierDetection;
  private final boolean panicMode;
  private final @Nullable CircuitBreakerSettings circuitBreaker;
  private final @Nullable UpstreamTls tls;
  private final UpstreamProtocol protocol;
  private final int maxConnectionsPerEndpoint;
  private final Duration connectionIdleTimeout;

  private UpstreamGroup(Builder b) {
    this.name = b.name;
    this.endpoints = List.copyOf(b.endpoints);
    this.source = b.source;
    this.loadBalancer = b.loadBalancer;
    this.healthCheck = b.healthCheck;
    this.outlierDetection = b.outlierDetection;
    this.panicMode = b.panicMode;
    this.circuitBreaker = b.circuitBreaker;
    this.tls = b.tls;
    this.protocol = b.protocol;
    this.maxConnectionsPerEndpoint = b.maxConnectionsPerEndpoint;
    this.connectionIdleTimeout = b.connectionIdleTimeout;
  }

  /** Returns a round-robin group named {@code name} over {@code uris}, each of weight 1. */
  public static UpstreamGroup of(String name, String... uris) {
    Builder b = builder(name);
    for (String uri : uris) {
      b.endpoint(uri);
    }
    return b.build();
  }

  /** Returns a builder for a group named {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Returns the group's name, unique within its gateway. */
  public String name() {
    return name;
  }

  /** Returns the endpoints given to the builder; empty when they come from {@link #source()}. */
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  /** Returns where the endpoints come from at run time, if not a fixed list. */
  public Optional<EndpointSource> source() {
    return Optional.ofNullable(source);
  }

  /** Returns the load balancer. */
  public LoadBalancer loadBalancer() {
    return loadBalancer;
  }

  /** Returns the active health check, if any. */
  public Optional<HealthCheck> healthCheck() {
    return Optional.ofNullable(healthCheck);
  }

  /** Returns the passive health settings. */
  public OutlierDetection outlierDetection() {
    return outlierDetection;
  }

  /**
   * Returns whether, when no endpoint is healthy, requests are sent to all of them anyway (panic
   * mode) instead of being answered 503
   * ({@link dev.portico.gateway.ProblemType#NO_HEALTHY_UPSTREAM}).
   */
  public boolean panicMode() {
    return panicMode;
  }

  /** Returns the circuit breaker settings, if the group has a circuit breaker. */
  public Optional<CircuitBreakerSettings> circuitBreaker() {
    return Optional.ofNullable(circuitBreaker);
  }

  /** Returns the TLS settings for {@code https} endpoints, if not the JVM's defaults. */
  public Optional<UpstreamTls> tls() {
    return Optional.ofNullable(tls);
  }

  /** Returns the HTTP version spoken to the endpoints. */
  public UpstreamProtocol protocol() {
    return protocol;
  }

  /** Returns the most connections open to one endpoint; requests beyond them queue. */
  public int maxConnectionsPerEndpoint() {
    return maxConnectionsPerEndpoint;
  }

  /** Returns how long an unused pooled connection is kept open. */
  public Duration connectionIdleTimeout() {
    return connectionIdleTimeout;
  }

  /** Returns a builder that starts from this group. */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.endpoints.addAll(endpoints);
    b.source = source;
    b.loadBalancer = loadBalancer;
    b.healthCheck = healthCheck;
    b.outlierDetection = outlierDetection;
    b.panicMode = panicMode;
    b.circuitBreaker = circuitBreaker;
    b.tls = tls;
    b.protocol = protocol;
    b.maxConnectionsPerEndpoint = maxConnectionsPerEndpoint;
    b.connectionIdleTimeout = connectionIdleTimeout;
    return b;
  }

  @Override
  public String toString() {
    return "UpstreamGroup{" + name + " " + (source != null ? source : endpoints) + "}";
  }

  /** Builds an {@link UpstreamGroup}; {@link #build()} checks it and names the group and field. */
  public static final class Builder {
    private final String name;
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private @Nullable EndpointSource source;
    private LoadBalancer loadBalancer = LoadBalancing.roundRobin();
    private @Nullable HealthCheck healthCheck;
    private OutlierDetection outlierDetection = OutlierDetection.defaults();
    private boolean panicMode;
    private @Nullable CircuitBreakerSettings circuitBreaker;
    private @Nullable UpstreamTls tls;
    private UpstreamProtocol protocol = UpstreamProtocol.HTTP_1_1;
    private int maxConnectionsPerEndpoint = 64;
    private Duration connectionIdleTimeout = Duration.ofSeconds(30);

    Builder(String name) {
      requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("upstream group name: blank");
      }
      this.name = name;
    }

    /** Adds an endpoint at {@code uri} with weight 1. */
    public Builder endpoint(String uri) {
      return endpoint(uri, 1);
    }

    /** Adds an endpoint at {@code uri} with {@code weight}. */
    public Builder endpoint(String uri, int weight) {
      try {
        endpoints.add(Endpoint.of(uri, weight));
      } catch (IllegalArgumentException e) {
        errors.add("endpoint: " + e.getMessage());
      }
      return this;
    }

    /** Adds {@code endpoint}. */
    public Builder endpoint(Endpoint endpoint) {
      endpoints.add(requireNonNull(endpoint, "endpoint"));
      return this;
    }

    /** Takes the endpoints from {@code source} at run time, instead of a fixed list. */
    public Builder endpoints(EndpointSource source) {
      this.source = requireNonNull(source, "source");
      return this;
    }

    /** Sets the load balancer (default {@link LoadBalancing#roundRobin()}). */
    public Builder loadBalancer(LoadBalancer loadBalancer) {
      this.loadBalancer = requireNonNull(loadBalancer, "loadBalancer");
      return this;
    }

    /** Probes each endpoint actively. */
    public Builder healthCheck(HealthCheck healthCheck) {
      this.healthCheck = requireNonNull(healthCheck, "healthCheck");
      return this;
    }

    /** Sets the passive health settings (default {@link OutlierDetection#defaults()}). */
    public Builder outlierDetection(OutlierDetection outlierDetection) {
      this.outlierDetection = requireNonNull(outlierDetection, "outlierDetection");
      return this;
    }

    /** When no endpoint is healthy, sends requests to all of them anyway instead of answering 503. */
    public Builder panicMode(boolean panicMode) {
      this.panicMode = panicMode;
      return this;
    }

    /** Guards the group with a circuit breaker. */
    public Builder circuitBreaker(CircuitBreakerSettings settings) {
      this.circuitBreaker = requireNonNull(settings, "settings");
      return this;
    }

    /** Sets the TLS settings for the group's {@code https} endpoints. */
    public Builder tls(UpstreamTls tls) {
      this.tls = requireNonNull(tls, "tls");
      return this;
    }

    /** Sets the HTTP version spoken to the endpoints (default {@link UpstreamProtocol#HTTP_1_1}). */
    public Builder protocol(UpstreamProtocol protocol) {
      this.protocol = requireNonNull(protocol, "protocol");
      return this;
    }

    /** Sets the most connections open to one endpoint (default 64). */
    public Builder maxConnectionsPerEndpoint(int connections) {
      if (connections < 1) {
        errors.add("maxConnectionsPerEndpoint: " + connections + " (expected: >= 1)");
      } else {
        this.maxConnectionsPerEndpoint = connections;
      }
      return this;
    }

    /** Sets how long an unused pooled connection is kept open (default 30 s). */
    public Builder connectionIdleTimeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        errors.add("connectionIdleTimeout: " + timeout + " (expected: > 0)");
      } else {
        this.connectionIdleTimeout = timeout;
      }
      return this;
    }

    /**
     * Returns the immutable group.
     *
     * @throws IllegalStateException naming the group and the field: an invalid endpoint, no
     *     endpoints and no source, both, an address listed twice, or TLS settings with an
     *     {@code http} endpoint
     */
    public UpstreamGroup build() {
      String where = "upstream group '" + name + "': ";
      if (!errors.isEmpty()) {
        throw new IllegalStateException(where + errors.get(0));
      }
      if (endpoints.isEmpty() && source == null) {
        throw new IllegalStateException(where + "no endpoints (add endpoint(...) or endpoints(source))");
      }
      if (!endpoints.isEmpty() && source != null) {
        throw new IllegalStateException(where + "both endpoint(...) and endpoints(source): use one");
      }
      Set<String> seen = new HashSet<>();
      for (Endpoint e : endpoints) {
        if (!seen.add(e.address())) {
          throw new IllegalStateException(where + "endpoint " + e.address() + " is listed twice");
        }
        if (tls != null && !"https".equals(e.scheme())) {
          throw new IllegalStateException(where + "tls() needs https endpoints, not " + e.address());
        }
      }
      return new UpstreamGroup(this);
    }
  }
}
