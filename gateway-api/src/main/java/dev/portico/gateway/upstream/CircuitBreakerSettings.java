package dev.portico.gateway.upstream;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A circuit breaker for a whole {@link UpstreamGroup}: when too many of the last
 * {@link #slidingWindowSize()} calls failed (a 5xx, no connection, no response in time) or were
 * slow, the circuit opens and the gateway answers 503
 * ({@link dev.portico.gateway.ProblemType#CIRCUIT_OPEN}, with {@code Retry-After}) without calling
 * the group for {@link #waitInOpenState()}. Then it lets {@link #permittedCallsInHalfOpenState()}
 * calls through to probe: if they do well the circuit closes, otherwise it opens again.
 *
 * <pre>{@code
 * CircuitBreakerSettings.defaults()
 * CircuitBreakerSettings.builder()
 *     .failureRateThreshold(25)                       // percent of the window
 *     .slowCall(Duration.ofSeconds(2), 50)             // 50 % slower than 2 s opens it too
 *     .slidingWindow(50, 10)                           // last 50 calls, judged from 10 on
 *     .waitInOpenState(Duration.ofSeconds(10))
 *     .build()
 * }</pre>
 *
 * <p>Where endpoint-level protection (outlier detection) takes one bad instance out, the circuit
 * breaker protects a backend that is failing as a whole from being called at all.
 */
public final class CircuitBreakerSettings {
  private static final CircuitBreakerSettings DEFAULTS = builder().build();

  private final float failureRateThreshold;
  private final float slowCallRateThreshold;
  private final Duration slowCallDuration;
  private final int slidingWindowSize;
  private final int minimumCalls;
  private final Duration waitInOpenState;
  private final int permittedCallsInHalfOpenState;

  private CircuitBreakerSettings(Builder b) {
    this.failureRateThreshold = b.failureRateThreshold;
    this.slowCallRateThreshold = b.slowCallRateThreshold;
    this.slowCallDuration = b.slowCallDuration;
    this.slidingWindowSize = b.slidingWindowSize;
    this.minimumCalls = b.minimumCalls;
    this.waitInOpenState = b.waitInOpenState;
    this.permittedCallsInHalfOpenState = b.permittedCallsInHalfOpenState;
  }

  /**
   * Opens at 50 % failures over the last 100 calls (judged from 20 calls on), slow calls not
   * counted, stays open 30 s, then lets 5 calls probe.
   */
  public static CircuitBreakerSettings defaults() {
    return DEFAULTS;
  }

  /** Returns a builder that starts from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the failure rate, in percent of the window, that opens the circuit. */
  public float failureRateThreshold() {
    return failureRateThreshold;
  }

  /** Returns the slow-call rate, in percent, that opens the circuit (100: slow calls alone never do). */
  public float slowCallRateThreshold() {
    return slowCallRateThreshold;
  }

  /** Returns how long a call (until the response headers) may take before it counts as slow. */
  public Duration slowCallDuration() {
    return slowCallDuration;
  }

  /** Returns how many of the latest calls the rates are computed over. */
  public int slidingWindowSize() {
    return slidingWindowSize;
  }

  /** Returns how many calls the window needs before the rates can open the circuit. */
  public int minimumCalls() {
    return minimumCalls;
  }

  /** Returns how long an open circuit refuses calls before it lets probes through. */
  public Duration waitInOpenState() {
    return waitInOpenState;
  }

  /** Returns how many probe calls a half-open circuit lets through. */
  public int permittedCallsInHalfOpenState() {
    return permittedCallsInHalfOpenState;
  }

  @Override
  public String toString() {
    return "CircuitBreakerSettings{failureRate=" + failureRateThreshold + "%, slowCallRate=" + slowCallRateThreshold
        + "% over " + slowCallDuration + ", window=" + slidingWindowSize + "/" + minimumCalls + ", open="
        + waitInOpenState + ", halfOpenCalls=" + permittedCallsInHalfOpenState + "}";
  }

  /** Builds {@link CircuitBreakerSettings}; {@link #build()} checks them together. */
  public static final class Builder {
    private float failureRateThreshold = 50;
    private float slowCallRateThreshold = 100;
    private Duration slowCallDuration = Duration.ofSeconds(60);
    private int slidingWindowSize = 100;
    private int minimumCalls = 20;
    private Duration waitInOpenState = Duration.ofSeconds(30);
    private int permittedCallsInHalfOpenState = 5;

    Builder() {}

    /** Sets the failure rate, in percent (above 0, at most 100), that opens the circuit (default 50). */
    public Builder failureRateThreshold(float percent) {
      this.failureRateThreshold = percent(percent, "failureRateThreshold");
      return this;
    }

    /** Counts calls slower than {@code duration} as slow; {@code percent} of them opens the circuit. */
    public Builder slowCall(Duration duration, float percent) {
      requireNonNull(duration, "duration");
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("slowCall duration: " + duration + " (expected: > 0)");
      }
      this.slowCallDuration = duration;
      this.slowCallRateThreshold = percent(percent, "slowCall percent");
      return this;
    }

    /** Computes the rates over the last {@code size} calls, from {@code minimumCalls} calls on. */
    public Builder slidingWindow(int size, int minimumCalls) {
      if (size < 1) {
        throw new IllegalArgumentException("slidingWindow size: " + size + " (expected: >= 1)");
      }
      if (minimumCalls < 1 || minimumCalls > size) {
        throw new IllegalArgumentException("slidingWindow minimumCalls: " + minimumCalls + " (expected: 1-" + size + ")");
      }
      this.slidingWindowSize = size;
      this.minimumCalls = minimumCalls;
      return this;
    }

    /** Sets how long an open circuit refuses calls (default 30 s). */
    public Builder waitInOpenState(Duration wait) {
      requireNonNull(wait, "wait");
      if (wait.isNegative() || wait.isZero()) {
        throw new IllegalArgumentException("waitInOpenState: " + wait + " (expected: > 0)");
      }
      this.waitInOpenState = wait;
      return this;
    }

    /** Sets how many probe calls a half-open circuit lets through (default 5). */
    public Builder permittedCallsInHalfOpenState(int calls) {
      if (calls < 1) {
        throw new IllegalArgumentException("permittedCallsInHalfOpenState: " + calls + " (expected: >= 1)");
      }
      this.permittedCallsInHalfOpenState = calls;
      return this;
    }

    /** Returns the immutable settings. */
    public CircuitBreakerSettings build() {
      return new CircuitBreakerSettings(this);
    }

    private static float percent(float p, String name) {
      if (!(p > 0 && p <= 100)) {
        throw new IllegalArgumentException(name + ": " + p + " (expected: above 0, at most 100)");
      }
      return p;
    }
  }
}
