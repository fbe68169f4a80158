package dev.portico.gateway.internal.chain;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.thread.Scheduler;
import org.jspecify.annotations.Nullable;

/**
 * Permits for at most {@code maxInFlight} concurrent holders, with a bounded first-come,
 * first-served queue of waiters that give up after {@code maxWaitNanos}. Nothing blocks: a waiter
 * is a stage that completes when a permit is handed over or its time runs out. Not public API.
 *
 * <p>A bulkhead that falls idle (no holder, no waiter) may retire itself through
 * {@link #onIdle}; acquiring from a retired bulkhead answers {@link Outcome#RETIRED}, and the
 * caller looks up a fresh one. This keeps per-key bulkheads from accumulating.
 */
public final class Bulkhead {
  /** How an attempt to acquire ended right away. */
  enum Outcome {
    /** A permit is held; release it exactly once. */
    ACQUIRED,
    /** Queued: {@link #waiting()} completes true with a permit, or false when the wait ran out. */
    QUEUED,
    /** No permit and no room in the queue. */
    REFUSED,
    /** This bulkhead retired: look up a fresh one. */
    RETIRED
  }

  /** Called, under this bulkhead's lock, when it falls idle; returns whether it retires. */
  @FunctionalInterface
  interface IdleListener {
    boolean onIdle(Bulkhead bulkhead);
  }

  private static final IdleListener STAY = b -> false;

  private final int maxInFlight;
  private final int maxQueued;
  private final long maxWaitNanos;
  private final Scheduler scheduler;
  private final IdleListener onIdle;
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private int inFlight;
  private boolean retired;

  Bulkhead(int maxInFlight, int maxQueued, long maxWaitNanos, Scheduler scheduler, @Nullable IdleListener onIdle) {
    this.maxInFlight = maxInFlight;
    this.maxQueued = maxQueued;
    this.maxWaitNanos = maxWaitNanos;
    this.scheduler = scheduler;
    this.onIdle = onIdle == null ? STAY : onIdle;
  }

  /** One queued request. */
  final class Waiter implements Runnable {
    private final CompletableFuture<Boolean> granted = new CompletableFuture<>();
    private volatile Scheduler.@Nullable Task timeout;

    CompletionStage<Boolean> granted() {
      return granted;
    }

    /** The wait ran out. */
    @Override
    public void run() {
      boolean removed;
      synchronized (Bulkhead.this) {
        removed = queue.remove(this);
        if (removed) {
          idleCheck();
        }
      }
      if (removed) {
        granted.complete(false);
      }
    }
  }

  /**
   * Tries to take a permit. On {@link Outcome#QUEUED}, {@code waiterOut[0]} holds the waiter
   * whose stage completes later.
   */
  Outcome acquire(@Nullable Waiter[] waiterOut) {
    Waiter waiter;
    synchronized (this) {
      if (retired) {
        return Outcome.RETIRED;
      }
      if (inFlight < maxInFlight) {
        inFlight++;
        return Outcome.ACQUIRED;
      }
      if (queue.size() >= maxQueued) {
        return Outcome.REFUSED;
      }
      waiter = new Waiter();
      queue.add(waiter);
    }
    // Scheduled outside the lock; a permit handed over before the timer exists cancels nothing.
    Scheduler.Task task = scheduler.schedule(waiter, maxWaitNanos, TimeUnit.NANOSECONDS);
    waiter.timeout = task;
    if (waiter.granted.isDone()) {
      task.cancel();
    }
    waiterOut[0] = waiter;
    return Outcome.QUEUED;
  }

  /** Gives a permit back: to the first waiter if there is one, else to the pool. */
  void release() {
    Waiter next;
    synchronized (this) {
      next = queue.poll();
      if (next == null) {
        inFlight--;
        idleCheck();
      }
      // else: the permit passes to the waiter, inFlight stays the same.
    }
    if (next != null) {
      Scheduler.Task task = next.timeout;
      if (task != null) {
        task.cancel();
      }
      // Completed outside the lock: the waiter's exchange goes on from here.
      next.granted.complete(true);
    }
  }

  /** Returns the permits held now. */
  synchronized int inFlight() {
    return inFlight;
  }

  /** Returns the requests waiting now. */
  synchronized int queued() {
    return queue.size();
  }

  private void idleCheck() {
    if (inFlight == 0 && queue.isEmpty() && onIdle.onIdle(this)) {
      retired = true;
    }
  }
}
