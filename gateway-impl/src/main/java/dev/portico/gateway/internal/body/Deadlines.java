package dev.portico.gateway.internal.body;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.CyclicTimeouts;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The deadlines of one kind of work in flight (upstream tries' connect and response timeouts;
 * request bodies' deadlines), on one timer (Jetty's {@link CyclicTimeouts}): an item costs an
 * insertion into and a removal from a concurrent set, not a task scheduled and cancelled on a
 * {@code ScheduledThreadPoolExecutor} (a lock, a heap update and, often, a wake-up of the timer
 * thread, twice per request). The timer wakes at the earliest deadline, expires what is due and
 * sleeps until the next one. Not public API.
 *
 * @param <T> what is watched
 */
public final class Deadlines<T extends Deadlines.Watched> extends CyclicTimeouts<T> {
  /** Something with a deadline ({@link #getExpireNanoTime()}) and what to do when it passes. */
  public interface Watched extends CyclicTimeouts.Expirable {
    /** Called on the timer's thread when the deadline passed; returns whether to stop watching it. */
    boolean expired();
  }

  private final Set<T> watched = ConcurrentHashMap.newKeySet();

  public Deadlines(Scheduler scheduler) {
    super(scheduler);
  }

  /** Watches {@code item} until {@link #forget}; its deadline may move (see {@link #moved}). */
  public void watch(T item) {
    watched.add(item);
    schedule(item);
  }

  /** {@code item}'s deadline moved: wakes the timer earlier if it must. */
  public void moved(T item) {
    schedule(item);
  }

  public void forget(T item) {
    watched.remove(item);
  }

  @Override
  protected Iterator<T> iterator() {
    return watched.iterator();
  }

  @Override
  protected boolean onExpired(T item) {
    return item.expired();
  }
}
