package dev.portico.gateway.internal;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.CyclicTimeouts;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The connect and response timeouts of every upstream try in flight, on one timer (Jetty's
 * {@link CyclicTimeouts}): a try costs an insertion into and a removal from a concurrent set, not a
 * task scheduled and cancelled on a {@code ScheduledThreadPoolExecutor} (a lock, a heap update and,
 * often, a wake-up of the timer thread, twice per request). The timer wakes at the earliest
 * deadline, expires what is due and sleeps until the next one. Not public API.
 */
final class UpstreamTimeouts extends CyclicTimeouts<UpstreamCall> {
  private final Set<UpstreamCall> calls = ConcurrentHashMap.newKeySet();

  UpstreamTimeouts(Scheduler scheduler) {
    super(scheduler);
  }

  /** Watches {@code call} until {@link #forget}: its deadline may move (connect, then response). */
  void watch(UpstreamCall call) {
    calls.add(call);
    schedule(call);
  }

  /** {@code call}'s deadline moved: wakes the timer earlier if it must. */
  void moved(UpstreamCall call) {
    schedule(call);
  }

  void forget(UpstreamCall call) {
    calls.remove(call);
  }

  @Override
  protected Iterator<UpstreamCall> iterator() {
    return calls.iterator();
  }

  @Override
  protected boolean onExpired(UpstreamCall call) {
    return call.expired();
  }
}
