package dev.portico.gateway.internal.upstream;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.upstream.Endpoint;
import dev.portico.gateway.upstream.EndpointStatus;
import dev.portico.gateway.upstream.LoadBalancer;
import dev.portico.gateway.upstream.OutlierDetection;
import dev.portico.gateway.upstream.UpstreamGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import org.eclipse.jetty.client.HttpClient;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running form of an {@link UpstreamGroup}: its endpoints' live state, the selector that
 * picks one per try, passive health (outlier ejection), the active health check and the circuit
 * breaker. One per group, shared by every route that sends to it. Not public API.
 *
 * <p>Endpoint list updates swap an immutable array; an endpoint whose address stays keeps its
 * state object, so counters, health and ejection survive re-weighting, and a request in flight to a
 * removed endpoint still releases the state it holds.
 */
public final class LiveGroup {
  private static final Logger LOG = LoggerFactory.getLogger(LiveGroup.class);

  private final UpstreamGroup settings;
  private final LoadBalancer.Selector selector;
  private final CircuitGuard circuit;
  private final LongSupplier nanoClock;
  private final OutlierDetection outliers;
  private volatile EndpointState[] endpoints;
  private @Nullable AutoCloseable subscription;
  private @Nullable HealthProber prober;

  /** Hears an endpoint go in or out of rotation by its health checks (metrics, logs). */
  @FunctionalInterface
  public interface HealthListener {
    /** Endpoint {@code address} of the group is now {@code healthy} or not. */
    void healthChanged(String address, boolean healthy);
  }

  private final HealthListener healthListener;

  public LiveGroup(UpstreamGroup settings, CircuitGuard circuit, LongSupplier nanoClock) {
    this(settings, circuit, nanoClock, (address, healthy) -> {});
  }

  public LiveGroup(UpstreamGroup settings, CircuitGuard circuit, LongSupplier nanoClock, HealthListener healthListener) {
    this.healthListener = healthListener;
    this.settings = settings;
    this.selector = settings.loadBalancer().newSelector();
    this.circuit = circuit;
    this.nanoClock = nanoClock;
    this.outliers = settings.outlierDetection();
    this.endpoints = settings.endpoints().stream().map(EndpointState::new).toArray(EndpointState[]::new);
  }

  public String name() {
    return settings.name();
  }

  public UpstreamGroup settings() {
    return settings;
  }

  public CircuitGuard circuit() {
    return circuit;
  }

  /** Returns the current endpoints' states, in the group's order. */
  public List<EndpointState> endpoints() {
    return List.of(endpoints);
  }

  /**
   * Subscribes to the group's endpoint source and starts its health check, on {@code scheduler};
   * probes go through {@code probeClient}, which a group with a health check has.
   */
  public synchronized void start(ScheduledExecutorService scheduler, @Nullable HttpClient probeClient) throws Exception {
    if (settings.source().isPresent()) {
      subscription = settings.source().get().subscribe(this::update, scheduler);
    }
    if (settings.healthCheck().isPresent() && probeClient != null) {
      prober = new HealthProber(this, settings.healthCheck().get(), probeClient, scheduler);
      prober.start();
    }
  }

  /** Returns the live state of each endpoint, for operators. */
  public List<EndpointStatus> status() {
    long now = nanoClock.getAsLong();
    List<EndpointStatus> out = new ArrayList<>();
    String circuitState = circuit.state();
    for (EndpointState endpoint : endpoints()) {
      boolean ejected;
      synchronized (this) {
        ejected = endpoint.ejectedAt(now);
      }
      out.add(new EndpointStatus(name(), endpoint.endpoint().address(),
          endpoint.healthy(), ejected, circuitState));
    }
    return out;
  }

  /**
   * Returns whether the group is ready to take traffic as far as health checks go: it has none, or
   * every endpoint has been probed at least once since the group started.
   */
  public boolean healthCheckedOnce() {
    if (settings.healthCheck().isEmpty()) {
      return true;
    }
    for (EndpointState endpoint : endpoints()) {
      if (!endpoint.probedOnce) {
        return false;
      }
    }
    return true;
  }

  /** Reports a health-check verdict that changed an endpoint's rotation; a listener that throws is logged. */
  void healthChanged(EndpointState endpoint, boolean healthy) {
    try {
      healthListener.healthChanged(endpoint.endpoint().address(), healthy);
    } catch (RuntimeException e) {
      LOG.warn("upstream group '{}': health listener failed: {}", name(), e.toString());
    }
  }

  public synchronized void stop() {
    if (prober != null) {
      prober.stop();
      prober = null;
    }
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        LOG.warn("upstream group '{}': closing the endpoint source failed: {}", name(), e.toString());
      }
      subscription = null;
    }
  }

  /** Replaces the endpoints; states of addresses that stay are kept. */
  public void update(List<Endpoint> updated) {
    synchronized (this) {
      Map<String, EndpointState> old = new HashMap<>();
      for (EndpointState s : endpoints) {
        old.put(s.endpoint().address(), s);
      }
      EndpointState[] next = new EndpointState[updated.size()];
      for (int i = 0; i < next.length; i++) {
        Endpoint e = updated.get(i);
        EndpointState state = old.get(e.address());
        if (state == null) {
          state = new EndpointState(e);
        } else {
          state.endpoint(e);
        }
        next[i] = state;
      }
      endpoints = next;
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("upstream group '{}': endpoints {}", name(), updated);
    }
  }

  /**
   * Picks the endpoint for a try, or returns null when none may take it. Candidates are the
   * endpoints in rotation (healthy and not ejected) that {@code tried} does not hold, else those in
   * rotation; with none in rotation, every endpoint in panic mode, else none.
   */
  public @Nullable EndpointState select(Exchange exchange, List<EndpointState> tried) {
    EndpointState[] all = endpoints;
    if (all.length == 0) {
      return null;
    }
    long now = nanoClock.getAsLong();
    List<LoadBalancer.Candidate> available = new ArrayList<>(all.length);
    for (EndpointState s : all) {
      if (s.availableAt(now)) {
        available.add(s);
      }
    }
    if (available.isEmpty()) {
      if (!settings.panicMode()) {
        return null;
      }
      available.addAll(List.of(all));
    }
    List<LoadBalancer.Candidate> candidates = available;
    if (!tried.isEmpty()) {
      List<LoadBalancer.Candidate> untried = new ArrayList<>(available.size());
      for (LoadBalancer.Candidate c : available) {
        if (!tried.contains(c)) {
          untried.add(c);
        }
      }
      if (!untried.isEmpty()) {
        candidates = untried;
      }
    }
    LoadBalancer.Candidate picked = candidates.size() == 1 ? candidates.get(0)
        : selector.select(List.copyOf(candidates), exchange);
    if (!(picked instanceof EndpointState state) || !candidates.contains(picked)) {
      throw new IllegalStateException("upstream group '" + name() + "': the load balancer returned "
          + picked + ", not one of its candidates");
    }
    return state;
  }

  /** Records the outcome of a try for passive health: a 5xx or no answer is a failure. */
  public void record(EndpointState endpoint, boolean failure) {
    if (!failure) {
      endpoint.consecutiveFailures.set(0);
      return;
    }
    if (!outliers.enabled()) {
      return;
    }
    if (endpoint.consecutiveFailures.incrementAndGet() < outliers.consecutiveFailures()) {
      return;
    }
    long now = nanoClock.getAsLong();
    synchronized (this) {
      if (endpoint.ejectedAt(now) || endpoint.consecutiveFailures.get() < outliers.consecutiveFailures()) {
        return;
      }
      EndpointState[] all = endpoints;
      int ejected = 0;
      for (EndpointState s : all) {
        if (s.ejectedAt(now)) {
          ejected++;
        }
      }
      int max = all.length * outliers.maxEjectedPercent() / 100;
      if (ejected >= max) {
        return;
      }
      long maxNanos = outliers.maxEjectionTime().toNanos();
      if (endpoint.ejections > 0 && now - endpoint.ejectedUntil > maxNanos) {
        endpoint.ejections = 0;   // out of trouble for a while: start again from the base time
      }
      endpoint.ejections++;
      long nanos = Math.min(maxNanos, outliers.baseEjectionTime().toNanos() * endpoint.ejections);
      endpoint.eject(now + nanos);
      endpoint.consecutiveFailures.set(0);
      LOG.warn("upstream group '{}': endpoint {} ejected for {} ms after {} failures in a row (ejection {})",
          name(), endpoint.endpoint().address(), nanos / 1_000_000, outliers.consecutiveFailures(), endpoint.ejections);
    }
  }

  /** Returns whether {@code endpoint} is ejected now (for tests and logs). */
  public boolean ejected(EndpointState endpoint) {
    return endpoint.ejectedAt(nanoClock.getAsLong());
  }

  @Override
  public String toString() {
    return "LiveGroup{" + name() + " " + List.of(endpoints) + "}";
  }
}
