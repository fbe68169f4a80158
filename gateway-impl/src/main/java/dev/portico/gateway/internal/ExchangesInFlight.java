package dev.portico.gateway.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exchanges in flight on a runtime, whatever configuration they run on, and the drain of a
 * graceful shutdown: its stage completes when the last of them has ended; past the grace period
 * each one left is aborted. Not public API.
 */
final class ExchangesInFlight {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayRuntime.class);
  /** How long a shutdown waits, after aborting, for the aborted exchanges to end. */
  private static final long ABORT_WAIT_MILLIS = 2_000;

  private final Set<ExchangeRun> exchanges = ConcurrentHashMap.newKeySet();
  private volatile @Nullable CompletableFuture<Void> drained;

  /** An exchange began: tracked until it ends, so a shutdown can wait for it. */
  void started(ExchangeRun run) {
    exchanges.add(run);
  }

  /** An exchange ended; it leaves its engine's count, and a drain completes with the last one. */
  void ended(ExchangeRun run) {
    exchanges.remove(run);
    run.engine().exit();
    CompletableFuture<Void> waiting = drained;
    if (waiting != null && exchanges.isEmpty()) {
      waiting.complete(null);
    }
  }

  /** Returns whether a drain has begun (and not been reset by a start). */
  boolean draining() {
    return drained != null;
  }

  /** Forgets a drain: the runtime starts (again). */
  void reset() {
    drained = null;
  }

  /** Begins a drain, once; the returned stage completes when no exchange is left. Called under the runtime's lock. */
  CompletableFuture<Void> drain() {
    CompletableFuture<Void> waiting = drained;
    if (waiting == null) {
      waiting = new CompletableFuture<>();
      drained = waiting;
      LOG.info("shutting down: waiting for {} exchanges in flight", exchanges.size());
      if (exchanges.isEmpty()) {
        waiting.complete(null);
      }
    }
    return waiting;
  }

  /**
   * Waits up to {@code graceMillis} for {@code waiting} (a drain); then aborts what is left and
   * waits a little more for the aborted exchanges to end.
   */
  void await(CompletableFuture<Void> waiting, long graceMillis) throws InterruptedException {
    try {
      waiting.get(Math.max(0, graceMillis), TimeUnit.MILLISECONDS);
      return;
    } catch (TimeoutException e) {
      abortAll();
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
  void abortAll() {
    List<ExchangeRun> left = new ArrayList<>(exchanges);
    if (!left.isEmpty()) {
      LOG.warn("shutdown: grace period over, aborting {} exchanges", left.size());
    }
    for (ExchangeRun run : left) {
      run.abortForShutdown();
    }
  }
}
