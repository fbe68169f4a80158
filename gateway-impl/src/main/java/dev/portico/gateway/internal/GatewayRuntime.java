package dev.portico.gateway.internal;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Explanation;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.internal.body.BodyDeadline;
import dev.portico.gateway.internal.body.Deadlines;
import dev.portico.gateway.internal.proxy.UpstreamCall;
import dev.portico.gateway.internal.proxy.UpstreamClients;
import dev.portico.gateway.internal.upstream.LiveGroup;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.upstream.EndpointStatus;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway while it runs, behind one adapter: the current {@link GatewayEngine} (one compiled
 * configuration), swapped atomically by {@link #reconfigure}, and what outlives configurations:
 * the upstream clients, the timers, the observer and the exchanges in flight. Not public API; the
 * adapters expose it as {@link RunningGateway}.
 *
 * <p>Per request it costs one volatile read (the current engine) and two counter updates; an
 * exchange stays on the engine it started on until it ends. A replaced engine is drained: when its
 * last exchange ends, the upstream clients and closeable rate limiters that no engine still in use
 * needs are stopped.
 *
 * <p>Life cycle: {@link #start()}, then {@link #shutdown(Duration)} (optional, graceful) or
 * {@link #drain()}, then {@link #stop()}. A stopped runtime can be started again.
 */
public final class GatewayRuntime implements RunningGateway {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayRuntime.class);
  /** How long {@link #shutdown} waits, after aborting, for the aborted exchanges to end. */
  private static final long ABORT_WAIT_MILLIS = 2_000;

  private enum State { NEW, STARTED, DRAINING, STOPPED }

  private final UpstreamClients clients = new UpstreamClients();
  /** Timers of the engine's own policies (concurrency-limit queue timeouts), and retirement work. */
  private final Scheduler timers = new ScheduledExecutorScheduler("portico-timers", true);
  /** The connect and response timeouts of upstream tries, on {@link #timers}; made anew at each start. */
  private volatile Deadlines<UpstreamCall> upstreamTimeouts = new Deadlines<>(timers);
  /** The request body deadlines of exchanges reading their bodies, on {@link #timers}; made anew at each start. */
  private volatile Deadlines<BodyDeadline> bodyDeadlines = new Deadlines<>(timers);
  private final GatewayObserver observer;
  private final Set<ExchangeRun> exchanges = ConcurrentHashMap.newKeySet();
  /** Guards reconfiguration and life-cycle changes (never taken per request). */
  private final Object lock = new Object();
  /** Replaced engines with exchanges still in flight; guarded by lock. */
  private final List<GatewayEngine> draining = new ArrayList<>();
  private volatile GatewayEngine current;
  private volatile State state = State.NEW;
  private volatile @Nullable CompletableFuture<Void> drained;

  private GatewayRuntime(Gateway gateway, GatewayObserver observer) {
    this.observer = GuardedObserver.wrap(observer);
    this.current = new GatewayEngine(gateway, this, null);
  }

  /**
   * Compiles {@code gateway}; does no I/O until {@link #start()}.
   *
   * @throws IllegalStateException naming the route, when a policy cannot be compiled
   */
  public static GatewayRuntime create(Gateway gateway, GatewayObserver observer) {
    return new GatewayRuntime(requireNonNull(gateway, "gateway"), requireNonNull(observer, "observer"));
  }

  UpstreamClients clients() {
    return clients;
  }

  Scheduler timers() {
    return timers;
  }

  GatewayObserver observer() {
    return observer;
  }

  public Deadlines<UpstreamCall> upstreamTimeouts() {
    return upstreamTimeouts;
  }

  Deadlines<BodyDeadline> bodyDeadlines() {
    return bodyDeadlines;
  }

  /** Returns whether a shutdown has begun: new exchanges are turned away. */
  public boolean isDraining() {
    return state == State.DRAINING;
  }

  /** Runs health probes and endpoint-source polls of every configuration's groups; never blocked by a probe. */
  private @Nullable ScheduledThreadPoolExecutor upstreamScheduler;

  /** Returns the scheduler of health probes and endpoint-source polls, made on first use. */
  ScheduledExecutorService upstreamScheduler() {
    synchronized (lock) {
      ScheduledThreadPoolExecutor scheduler = upstreamScheduler;
      if (scheduler == null) {
        scheduler = new ScheduledThreadPoolExecutor(1, task -> {
          Thread thread = new Thread(task, "portico-upstreams");
          thread.setDaemon(true);
          return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        upstreamScheduler = scheduler;
      }
      return scheduler;
    }
  }

  /**
   * Runs the upstream HTTP clients on the host server's thread pool and scheduler rather than on
   * threads of their own; the Jetty core adapter calls it before {@link #start()}.
   */
  public void useHostThreads(Executor executor, Scheduler scheduler) {
    clients.useHostThreads(requireNonNull(executor, "executor"), requireNonNull(scheduler, "scheduler"));
  }

  /** Starts the upstream clients and the timers. */
  public void start() throws Exception {
    synchronized (lock) {
      timers.start();
      upstreamTimeouts = new Deadlines<>(timers);
      bodyDeadlines = new Deadlines<>(timers);
      clients.start();
      current.startUpstreams();
      drained = null;
      state = State.STARTED;
    }
  }

  /**
   * Handles one exchange on the current configuration; see {@link GatewayEngine#handle}. Returns
   * false, having touched nothing, when no route matches and {@code handBackOnNoRoute} is true.
   */
  public boolean handle(ClientExchange client, boolean handBackOnNoRoute) {
    while (true) {
      GatewayEngine engine = current;
      if (!engine.enter()) {
        continue; // replaced between the read and the count: take the new one
      }
      boolean taken = false;
      try {
        taken = engine.handle(client, handBackOnNoRoute);
        return taken;
      } finally {
        if (!taken) {
          engine.exit();
        }
      }
    }
  }

  /** An exchange began on {@code run.engine()}: tracked until it ends, so shutdown can wait for it. */
  void exchangeStarted(ExchangeRun run) {
    exchanges.add(run);
  }

  /** An exchange ended; it leaves its engine's count, and a drain completes with the last one. */
  void exchangeEnded(ExchangeRun run) {
    exchanges.remove(run);
    run.engine().exit();
    CompletableFuture<Void> waiting = drained;
    if (waiting != null && exchanges.isEmpty()) {
      waiting.complete(null);
    }
  }

  @Override
  public Gateway gateway() {
    return current.gateway();
  }

  @Override
  public void reconfigure(Gateway next) {
    requireNonNull(next, "next");
    synchronized (lock) {
      if (state == State.DRAINING) {
        throw new IllegalStateException("the gateway is shutting down: no reconfiguration");
      }
      GatewayEngine old = current;
      GatewayEngine fresh;
      try {
        fresh = new GatewayEngine(next, this, old);
      } catch (RuntimeException e) {
        releaseUnused(); // clients the failed configuration started
        throw e;
      }
      if (state == State.STARTED) {
        try {
          fresh.startUpstreams(); // health checks and endpoint sources of the new configuration's groups
        } catch (Exception e) {
          fresh.stopUpstreams();
          releaseUnused();
          throw new IllegalStateException("cannot start the new configuration's upstream groups: " + e, e);
        }
      }
      current = fresh;
      draining.add(old);
      // Retirement stops clients: never on the thread of the exchange that drained it (it may be one of
      // theirs), so on a timer; before start (or after stop) no exchange runs and the timers do not either.
      old.retire(() -> {
        if (state == State.STARTED || state == State.DRAINING) {
          timers.schedule(() -> retired(old), 0, TimeUnit.MILLISECONDS);
        } else {
          retired(old);
        }
      });
      LOG.info("reconfigured: routes {}", fresh.gateway().routes().stream().map(r -> r.id()).toList());
    }
  }

  private void retired(GatewayEngine old) {
    synchronized (lock) {
      if (draining.remove(old)) {
        old.stopUpstreams();
        releaseUnused();
        closeLimiters(old, liveLimiters());
      }
    }
  }

  /** Stops the upstream clients that neither the current nor a draining configuration uses. Under lock. */
  private void releaseUnused() {
    Set<HttpClient> used = Collections.newSetFromMap(new IdentityHashMap<>());
    used.addAll(current.clientsInUse());
    for (GatewayEngine engine : draining) {
      used.addAll(engine.clientsInUse());
    }
    clients.retain(used);
  }

  private Set<RateLimiter> liveLimiters() {
    Set<RateLimiter> live = Collections.newSetFromMap(new IdentityHashMap<>());
    live.addAll(limitersOf(current.gateway()));
    for (GatewayEngine engine : draining) {
      live.addAll(limitersOf(engine.gateway()));
    }
    return live;
  }

  private static Set<RateLimiter> limitersOf(Gateway gateway) {
    Set<RateLimiter> all = Collections.newSetFromMap(new IdentityHashMap<>());
    all.addAll(gateway.rateLimiters());
    gateway.routes().forEach(r -> all.addAll(r.rateLimiters()));
    return all;
  }

  /** Closes the {@link AutoCloseable} rate limiters of {@code engine} that are not in {@code keep}. */
  private static void closeLimiters(GatewayEngine engine, Set<RateLimiter> keep) {
    for (RateLimiter limiter : limitersOf(engine.gateway())) {
      if (limiter instanceof AutoCloseable closeable && !keep.contains(limiter)) {
        try {
          closeable.close();
        } catch (Exception e) {
          LOG.warn("cannot close rate limiter '{}': {}", limiter.name(), e.toString());
        }
      }
    }
  }

  @Override
  public Explanation explain(String method, String uri, HttpHeaders headers) {
    requireNonNull(method, "method");
    requireNonNull(uri, "uri");
    requireNonNull(headers, "headers");
    String authority = headers.first("Host").orElse("");
    String target = uri;
    if (uri.startsWith("http://") || uri.startsWith("https://")) {
      URI parsed = URI.create(uri);
      authority = parsed.getRawAuthority() == null ? authority : parsed.getRawAuthority();
      target = (parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/" : parsed.getRawPath())
          + (parsed.getRawQuery() == null ? "" : "?" + parsed.getRawQuery());
    }
    int q = target.indexOf('?');
    String rawPath = q < 0 ? target : target.substring(0, q);
    String rawQuery = q < 0 ? null : target.substring(q + 1);
    return current.explain(method, rawPath, rawQuery, authority, headers);
  }

  @Override
  public List<String> policies(String routeId) {
    return current.policies(requireNonNull(routeId, "routeId"));
  }

  /**
   * Ready when started and not shutting down. Extension point: once upstream groups have health
   * checks, also require each group's first round of checks to have run.
   */
  @Override
  /** Returns the live state of the current configuration's upstream endpoints. */
  public List<EndpointStatus> upstreamStatus() {
    List<EndpointStatus> out = new ArrayList<>();
    for (LiveGroup group : current.groups()) {
      out.addAll(group.status());
    }
    return List.copyOf(out);
  }

  public boolean isReady() {
    // Started, not draining, and every upstream group with a health check has probed each endpoint once.
    return state == State.STARTED && current.groups().stream().allMatch(LiveGroup::healthCheckedOnce);
  }

  /**
   * Takes no new exchange from now on (they are answered 503 {@code shutting-down}); the returned
   * stage completes when the exchanges in flight have ended.
   */
  public CompletableFuture<Void> drain() {
    synchronized (lock) {
      CompletableFuture<Void> waiting = drained;
      if (waiting == null) {
        waiting = new CompletableFuture<>();
        drained = waiting;
        state = State.DRAINING;
        LOG.info("shutting down: waiting for {} exchanges in flight", exchanges.size());
        if (exchanges.isEmpty()) {
          waiting.complete(null);
        }
      }
      return waiting;
    }
  }

  @Override
  public void shutdown(Duration grace) throws InterruptedException {
    requireNonNull(grace, "grace");
    CompletableFuture<Void> waiting = drain();
    try {
      waiting.get(Math.max(0, grace.toMillis()), TimeUnit.MILLISECONDS);
      return;
    } catch (TimeoutException e) {
      abortInFlight();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
    try {
      waiting.get(ABORT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      LOG.warn("shutdown: {} exchanges did not end after being aborted", exchanges.size());
    }
  }

  /** Ends every exchange in flight: 503 {@code shutting-down} if its response has not started, else cut off. */
  private void abortInFlight() {
    List<ExchangeRun> left = new ArrayList<>(exchanges);
    if (!left.isEmpty()) {
      LOG.warn("shutdown: grace period over, aborting {} exchanges", left.size());
    }
    for (ExchangeRun run : left) {
      run.abortForShutdown();
    }
  }

  /**
   * Stops: aborts what is still in flight, closes the {@link AutoCloseable} rate limiters, stops
   * the upstream clients and the timers.
   */
  public void stop() throws Exception {
    synchronized (lock) {
      state = State.STOPPED;
      abortInFlight();
      Set<RateLimiter> none = Set.of();
      closeLimiters(current, none);
      for (GatewayEngine engine : draining) {
        closeLimiters(engine, none);
      }
      current.stopUpstreams();
      for (GatewayEngine engine : draining) {
        engine.stopUpstreams();
      }
      draining.clear();
      if (upstreamScheduler != null) {
        upstreamScheduler.shutdownNow();
        upstreamScheduler = null;
      }
      try {
        clients.stop();
      } finally {
        upstreamTimeouts.destroy();
        bodyDeadlines.destroy();
        timers.stop();
      }
    }
  }
}
