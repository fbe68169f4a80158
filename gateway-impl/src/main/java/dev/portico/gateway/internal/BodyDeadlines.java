package dev.portico.gateway.internal;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.CyclicTimeouts;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The request body deadlines of every exchange whose body is being read, on one timer (Jetty's
 * {@link CyclicTimeouts}, as {@link UpstreamTimeouts}): a body costs an insertion into and a removal
 * from a concurrent set, no task of its own. Not public API.
 */
final class BodyDeadlines extends CyclicTimeouts<BodyDeadline> {
  private final Set<BodyDeadline> bodies = ConcurrentHashMap.newKeySet();

  BodyDeadlines(Scheduler scheduler) {
    super(scheduler);
  }

  void watch(BodyDeadline body) {
    bodies.add(body);
    schedule(body);
  }

  void forget(BodyDeadline body) {
    bodies.remove(body);
  }

  @Override
  protected Iterator<BodyDeadline> iterator() {
    return bodies.iterator();
  }

  @Override
  protected boolean onExpired(BodyDeadline body) {
    return body.expired();
  }
}
