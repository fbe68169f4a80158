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
import dev.portico.gateway.upstream.EndpointStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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

  private enum State { NEW, STARTED, DRAINING, STOPPED }

  private final UpstreamClients clients = new UpstreamClients();
  /** Timers of the engine's own policies (concurrency-limit queue timeouts), and retirement work. */
  private final Scheduler timers = new ScheduledExecutorScheduler("portico-timers", true);
  /** The connect and response timeouts of upstream tries, on {@link #timers}; made anew at each start. */
  private volatile Deadlines<UpstreamCall> upstreamTimeouts = new Deadlines<>(timers);
  /** The request body deadlines of exchanges reading their bodies, on {@link #timers}; made anew at each start. */
  private volatile Deadlines<BodyDeadline> bodyDeadlines = new Deadlines<>(timers);
  private final GatewayObserver observer;
  private final ExchangesInFlight exchanges = new ExchangesInFlight();
  /** Guards reconfiguration and life-cycle changes (never taken per request). */
  private final Object lock = new Object();
  private volatile GatewayEngine current;
  /** Replaced engines with exchanges still in flight; guarded by lock. */
  private final EngineRetirement retirement = new EngineRetirement(clients, () -> current);
  private volatile State state = State.NEW;

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
      exchanges.reset();
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
    exchanges.started(run);
  }

  /** An exchange ended; it leaves its engine's count, and a drain completes with the last one. */
  void exchangeEnded(ExchangeRun run) {
    exchanges.ended(run);
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
        retirement.releaseUnusedClients(); // clients the failed configuration started
        throw e;
      }
      if (state == State.STARTED) {
        try {
          fresh.startUpstreams(); // health checks and endpoint sources of the new configuration's groups
        } catch (Exception e) {
          fresh.stopUpstreams();
          retirement.releaseUnusedClients();
          throw new IllegalStateException("cannot start the new configuration's upstream groups: " + e, e);
        }
      }
      current = fresh;
      retirement.replaced(old);
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
      retirement.drained(old);
    }
  }

  @Override
  public Explanation explain(String method, String uri, HttpHeaders headers) {
    requireNonNull(method, "method");
    requireNonNull(uri, "uri");
    requireNonNull(headers, "headers");
    return current.explain(method, uri, headers);
  }

  @Override
  public List<String> policies(String routeId) {
    return current.policies(requireNonNull(routeId, "routeId"));
  }

  /** Returns the live state of the current configuration's upstream endpoints. */
  @Override
  public List<EndpointStatus> upstreamStatus() {
    List<EndpointStatus> out = new ArrayList<>();
    for (LiveGroup group : current.groups()) {
      out.addAll(group.status());
    }
    return List.copyOf(out);
  }

  /** Returns the live state of the current configuration's response caches. */
  @Override
  public List<dev.portico.gateway.cache.CacheStatus> cacheStatus() {
    return current.cacheStatus();
  }

  /** Ready when started, not shutting down, and every group with a health check has probed each endpoint once. */
  @Override
  public boolean isReady() {
    return state == State.STARTED && current.groups().stream().allMatch(LiveGroup::healthCheckedOnce);
  }

  /**
   * Takes no new exchange from now on (they are answered 503 {@code shutting-down}); the returned
   * stage completes when the exchanges in flight have ended.
   */
  public CompletableFuture<Void> drain() {
    synchronized (lock) {
      if (!exchanges.draining()) {
        state = State.DRAINING;
      }
      return exchanges.drain();
    }
  }

  @Override
  public void shutdown(Duration grace) throws InterruptedException {
    requireNonNull(grace, "grace");
    exchanges.await(drain(), grace.toMillis());
  }

  /**
   * Stops: aborts what is still in flight, closes the {@link AutoCloseable} rate limiters, stops
   * the upstream clients and the timers.
   */
  public void stop() throws Exception {
    synchronized (lock) {
      state = State.STOPPED;
      exchanges.abortAll();
      retirement.stopAll();
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
