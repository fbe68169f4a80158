package dev.portico.gateway.internal.upstream;

import dev.portico.gateway.upstream.Endpoint;
import dev.portico.gateway.upstream.LoadBalancer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live state of one endpoint of a group: how many requests are in flight to it, its passive
 * health (consecutive failures, ejection) and its active health (probe streaks). Kept across
 * endpoint list updates for as long as its address stays in the group. Not public API.
 */
public final class EndpointState implements LoadBalancer.Candidate {
  private volatile Endpoint endpoint;
  private final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger consecutiveFailures = new AtomicInteger();
  /** Guarded by the group's lock: nanos until which the endpoint is ejected; valid when {@link #ejections} > 0. */
  long ejectedUntil;
  /** Guarded by the group's lock: how many times in a row (without a quiet spell) it was ejected. */
  int ejections;
  /** Set by the active health check; endpoints start healthy. */
  volatile boolean healthy = true;
  /** Probe streaks, touched by one probe at a time. */
  int probePasses;
  int probeFailures;
  volatile boolean probing;
  /** Whether a health probe of this endpoint has completed (passed or failed) at least once. */
  volatile boolean probedOnce;
  private volatile boolean ejected;

  EndpointState(Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  @Override
  public Endpoint endpoint() {
    return endpoint;
  }

  void endpoint(Endpoint updated) {
    this.endpoint = updated;
  }

  @Override
  public int inFlight() {
    return inFlight.get();
  }

  /** A request to the endpoint starts; call {@link #released()} exactly once when it ends. */
  public void acquired() {
    inFlight.incrementAndGet();
  }

  /** A request to the endpoint ended. */
  public void released() {
    inFlight.decrementAndGet();
  }

  /** Returns whether the active health check currently takes the endpoint out. */
  public boolean healthy() {
    return healthy;
  }

  /** Returns whether outlier detection has it ejected at {@code now} (nanos). */
  boolean ejectedAt(long now) {
    if (!ejected) {
      return false;
    }
    synchronized (this) {
      if (ejected && now - ejectedUntil >= 0) {
        ejected = false;
      }
      return ejected;
    }
  }

  synchronized void eject(long until) {
    ejectedUntil = until;
    ejected = true;
  }

  /** Returns whether it may take requests at {@code now}: healthy and not ejected. */
  boolean availableAt(long now) {
    return healthy && !ejectedAt(now);
  }

  @Override
  public String toString() {
    return endpoint.address();
  }
}
