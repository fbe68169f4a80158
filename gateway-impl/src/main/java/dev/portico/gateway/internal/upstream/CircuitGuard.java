package dev.portico.gateway.internal.upstream;

import java.time.Duration;

/**
 * The circuit breaker of a group, as the proxy step uses it: ask before each try, report how it
 * went. Not public API.
 */
public interface CircuitGuard {

  /** Returns whether a call may go through now; if so, exactly one of the other methods must follow. */
  boolean tryAcquire();

  /** The call got an answer (or failed) after {@code nanos}; {@code failure} when it counts as one. */
  void onResult(long nanos, boolean failure);

  /** The call was given up without an outcome (the client went away): give the permission back. */
  void release();

  /** Returns how long the circuit will stay open, for {@code Retry-After}; at least one second. */
  Duration retryAfter();

  /** Returns the circuit's state for operators ({@code closed}, {@code open}, {@code half-open}), {@code none} without a breaker. */
  default String state() {
    return "none";
  }

  /** A circuit that never opens. */
  static CircuitGuard none() {
    return None.INSTANCE;
  }

  /** The closed-forever circuit. */
  enum None implements CircuitGuard {
    INSTANCE;

    @Override
    public boolean tryAcquire() {
      return true;
    }

    @Override
    public void onResult(long nanos, boolean failure) {}

    @Override
    public void release() {}

    @Override
    public Duration retryAfter() {
      return Duration.ofSeconds(1);
    }
  }
}
