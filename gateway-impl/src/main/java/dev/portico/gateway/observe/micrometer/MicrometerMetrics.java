package dev.portico.gateway.observe.micrometer;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.observe.ConfigurationStatus;
import dev.portico.gateway.observe.ExchangeObserver;
import dev.portico.gateway.observe.ExchangeStart;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.observe.UpstreamObserver;
import dev.portico.gateway.observe.UpstreamStart;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Gateway metrics in a Micrometer {@link MeterRegistry}: hand it to the adapter as its observer.
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * JettyGatewayHandler handler = JettyGatewayHandler.builder(gateway)
 *     .observer(MicrometerMetrics.create(registry))
 *     .build();
 * }</pre>
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@code portico.requests}</td><td>timer</td><td>route, method, status, outcome, upstream</td>
 *       <td>exchanges, from arrival to the last byte of the response</td></tr>
 *   <tr><td>{@code portico.requests.active}</td><td>gauge</td><td></td><td>exchanges in flight</td></tr>
 *   <tr><td>{@code portico.upstream.requests}</td><td>timer</td><td>route, endpoint, status, outcome</td>
 *       <td>upstream calls, from sending to the response headers (or the failure)</td></tr>
 *   <tr><td>{@code portico.upstream.connect}</td><td>timer</td><td>route, endpoint</td>
 *       <td>time until a connection was ready to write the request: pool wait, TCP, TLS</td></tr>
 *   <tr><td>{@code portico.ratelimit.decisions}</td><td>counter</td><td>route, limiter, decision</td>
 *       <td>rate-limit decisions: allowed, rejected, refused, unavailable</td></tr>
 *   <tr><td>{@code portico.auth.failures}</td><td>counter</td><td>route, reason</td>
 *       <td>refusals: no-credentials, rejected, unavailable, forbidden</td></tr>
 *   <tr><td>{@code portico.upstream.endpoint.healthy}</td><td>gauge</td><td>group, endpoint</td>
 *       <td>1 healthy, 0 not, as the health checks last saw it</td></tr>
 *   <tr><td>{@code portico.upstream.circuit.state}</td><td>gauge</td><td>group, state</td>
 *       <td>1 for the state a group's circuit breaker is in, 0 for the others</td></tr>
 *   <tr><td>{@code portico.cache.lookups}</td><td>counter</td><td>route, result</td>
 *       <td>GET and HEAD requests on caching routes: {@code hit} (answered from the cache) or {@code miss}</td></tr>
 *   <tr><td>{@code portico.cache.evictions}</td><td>counter</td><td>route</td>
 *       <td>entries a route's cache evicted to stay within its byte bound</td></tr>
 *   <tr><td>{@code portico.config.reloads}</td><td>counter</td><td>outcome</td>
 *       <td>changed configuration files: applied, or refused (the old one serving on)</td></tr>
 *   <tr><td>{@code portico.mirror.requests}</td><td>counter</td><td>route, outcome</td>
 *       <td>copies of requests to a route's mirror: mirrored, dropped, skipped, failed</td></tr>
 * </table>
 *
 * <p>Tag values are bounded: {@code route} is a route id (or {@code none} before routing),
 * {@code method} one of the standard methods or {@code OTHER}, {@code status} a class such as
 * {@code 2xx} (or {@code none} when no status was sent), {@code upstream} and {@code endpoint}
 * the {@code host:port} of a configured upstream (or {@code none}), {@code limiter} a limiter's
 * name. Paths, ids and client addresses are never tags. The timers publish a percentile
 * histogram unless {@link Builder#percentileHistogram(boolean)} says otherwise.
 */
public final class MicrometerMetrics implements GatewayObserver {
  private static final String ABSENT = "none";
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
      "TRACE", "CONNECT");
  private static final List<String> CIRCUIT_STATES = List.of("closed", "open", "half-open");
  private static final String[] STATUS_CLASSES = {ABSENT, "1xx", "2xx", "3xx", "4xx", "5xx"};

  private final MeterRegistry registry;
  private final Clock clock;
  private final Meter.MeterProvider<Timer> requests;
  private final Meter.MeterProvider<Timer> upstreamRequests;
  private final Meter.MeterProvider<Timer> upstreamConnect;
  private final Meter.MeterProvider<Counter> rateLimitDecisions;
  private final Meter.MeterProvider<Counter> authFailures;
  private final Meter.MeterProvider<Counter> cacheLookups;
  private final Meter.MeterProvider<Counter> cacheEvictions;
  private final Counter reloadsApplied;
  private final Counter reloadsRefused;
  private final AtomicInteger active = new AtomicInteger();
  private final Map<String, AtomicInteger> endpointHealth = new ConcurrentHashMap<>();
  private final Map<String, AtomicReference<String>> circuitStates = new ConcurrentHashMap<>();

  private MicrometerMetrics(Builder b) {
    this.registry = b.registry;
    this.clock = registry.config().clock();
    this.requests = Timer.builder("portico.requests")
        .description("Exchanges the gateway handled, from arrival to the end of the response")
        .publishPercentileHistogram(b.histogram)
        .withRegistry(registry);
    this.upstreamRequests = Timer.builder("portico.upstream.requests")
        .description("Upstream requests, from sending to the response headers or the failure")
        .publishPercentileHistogram(b.histogram)
        .withRegistry(registry);
    this.upstreamConnect = Timer.builder("portico.upstream.connect")
        .description("Time until a connection to the upstream was ready to write the request")
        .publishPercentileHistogram(b.histogram)
        .withRegistry(registry);
    this.rateLimitDecisions = Counter.builder("portico.ratelimit.decisions")
        .description("Rate-limit decisions, by limiter and decision")
        .withRegistry(registry);
    this.authFailures = Counter.builder("portico.auth.failures")
        .description("Requests refused by authentication or authorization, by reason")
        .withRegistry(registry);
    this.cacheLookups = Counter.builder("portico.cache.lookups")
        .description("Requests on caching routes, answered from the cache (hit) or the upstream (miss)")
        .withRegistry(registry);
    this.cacheEvictions = Counter.builder("portico.cache.evictions")
        .description("Entries a route's response cache evicted to stay within its byte bound")
        .withRegistry(registry);
    this.reloadsApplied = reloads("applied").register(registry);
    this.reloadsRefused = reloads("refused").register(registry);
    Gauge.builder("portico.requests.active", active, AtomicInteger::get)
        .description("Exchanges in flight")
        .register(registry);
  }

  /** Returns metrics in {@code registry}, with percentile histograms. */
  public static MicrometerMetrics create(MeterRegistry registry) {
    return builder(registry).build();
  }

  /** Returns a builder for metrics in {@code registry}. */
  public static Builder builder(MeterRegistry registry) {
    return new Builder(requireNonNull(registry, "registry"));
  }

  @Override
  public ExchangeObserver exchangeStarted(ExchangeStart start) {
    active.incrementAndGet();
    return new ExchangeMetrics(start.route().map(r -> r.id()).orElse(ABSENT), method(start.method()));
  }

  @Override
  public void endpointHealthChanged(String group, String endpoint, boolean healthy) {
    endpointHealth.computeIfAbsent(group + " " + endpoint, key -> {
      AtomicInteger value = new AtomicInteger();
      Gauge.builder("portico.upstream.endpoint.healthy", value, AtomicInteger::get)
          .description("1 when the endpoint's health checks pass, else 0")
          .tags("group", group, "endpoint", endpoint)
          .register(registry);
      return value;
    }).set(healthy ? 1 : 0);
  }

  @Override
  public void circuitStateChanged(String group, String state) {
    circuitStates.computeIfAbsent(group, g -> {
      AtomicReference<String> current = new AtomicReference<>("closed");
      for (String s : CIRCUIT_STATES) {
        Gauge.builder("portico.upstream.circuit.state", current, c -> s.equals(c.get()) ? 1 : 0)
            .description("1 for the state the group's circuit breaker is in")
            .tags("group", g, "state", s)
            .register(registry);
      }
      return current;
    }).set(state.toLowerCase(Locale.ROOT));
  }

  @Override
  public void cacheEvicted(String route) {
    cacheEvictions.withTags("route", route).increment();
  }

  private static Counter.Builder reloads(String outcome) {
    return Counter.builder("portico.config.reloads")
        .description("Changed configuration files, applied or refused")
        .tag("outcome", outcome);
  }

  @Override
  public void configurationReloaded(ConfigurationStatus status, boolean applied) {
    (applied ? reloadsApplied : reloadsRefused).increment();
  }

  @Override
  public void requestMirrored(String route, String outcome) {
    // Micrometer keeps one counter per name and tags: the lookup is a map hit after the first copy.
    Counter.builder("portico.mirror.requests")
        .description("Copies of requests to a route's mirror, by outcome")
        .tags("route", route, "outcome", outcome)
        .register(registry)
        .increment();
  }

  /** Returns {@code 2xx} for 204, {@code none} for 0. */
  static String statusClass(int status) {
    return status >= 100 && status < 600 ? STATUS_CLASSES[status / 100] : ABSENT;
  }

  /** Returns {@code method} when it is a standard one, else {@code OTHER}. */
  static String method(String method) {
    return METHODS.contains(method) ? method : "OTHER";
  }

  /** One exchange: its route and method, and the endpoint of its last upstream call. */
  private final class ExchangeMetrics implements ExchangeObserver {
    private final String route;
    private final String method;
    private volatile String upstream = ABSENT;

    ExchangeMetrics(String route, String method) {
      this.route = route;
      this.method = method;
    }

    @Override
    public void authenticationFailed(String reason) {
      authFailures.withTags("route", route, "reason", reason).increment();
    }

    @Override
    public void cacheLookup(String result) {
      cacheLookups.withTags("route", route, "result", result).increment();
    }

    @Override
    public void rateLimitDecided(String limiter, RateLimitDecision.Kind decision) {
      rateLimitDecisions.withTags("route", route, "limiter", limiter, "decision",
          decision.name().toLowerCase(Locale.ROOT)).increment();
    }

    @Override
    public UpstreamObserver upstreamStarted(UpstreamStart start) {
      upstream = start.endpoint();
      return new UpstreamMetrics(route, start.endpoint(), clock.monotonicTime());
    }

    @Override
    public void finished(AccessLogEntry entry) {
      active.decrementAndGet();
      requests.withTags(Tags.of("route", route, "method", method, "status", statusClass(entry.status()),
          "outcome", entry.outcome(), "upstream", upstream)).record(entry.duration());
    }
  }

  /** One upstream call: timed from start to connection, and from start to the response headers. */
  private final class UpstreamMetrics implements UpstreamObserver {
    private final String route;
    private final String endpoint;
    private final long startNanos;
    private volatile boolean recorded;

    UpstreamMetrics(String route, String endpoint, long startNanos) {
      this.route = route;
      this.endpoint = endpoint;
      this.startNanos = startNanos;
    }

    @Override
    public void connected() {
      upstreamConnect.withTags("route", route, "endpoint", endpoint)
          .record(clock.monotonicTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void responded(int status) {
      record(statusClass(status), "ok");
    }

    @Override
    public void finished(@Nullable Throwable failure) {
      if (!recorded) {
        record(ABSENT, "error"); // failed before the response headers arrived
      }
    }

    private void record(String status, String outcome) {
      recorded = true;
      upstreamRequests.withTags("route", route, "endpoint", endpoint, "status", status, "outcome", outcome)
          .record(clock.monotonicTime() - startNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Builds {@link MicrometerMetrics}. */
  public static final class Builder {
    private final MeterRegistry registry;
    private boolean histogram = true;

    Builder(MeterRegistry registry) {
      this.registry = registry;
    }

    /**
     * Whether the timers publish a percentile histogram (buckets a backend such as Prometheus
     * aggregates into quantiles across instances); default true.
     */
    public Builder percentileHistogram(boolean publish) {
      this.histogram = publish;
      return this;
    }

    /** Returns the metrics; registers {@code portico.requests.active} and {@code portico.config.reloads} at once. */
    public MicrometerMetrics build() {
      return new MicrometerMetrics(this);
    }
  }
}
