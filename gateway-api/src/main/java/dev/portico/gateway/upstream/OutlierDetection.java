package dev.portico.gateway.upstream;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Passive health: the gateway watches the answers real requests get, and an endpoint that fails
 * {@link #consecutiveFailures()} times in a row (a 5xx status, a refused or timed-out connection, no
 * response in time) is ejected from rotation for a while. The ejection lasts
 * {@link #baseEjectionTime()} times the number of times the endpoint has been ejected, up to
 * {@link #maxEjectionTime()}; an endpoint that then stays out of trouble for
 * {@link #maxEjectionTime()} starts again from the base time. Never more than
 * {@link #maxEjectedPercent()} of a group's endpoints are ejected at once (rounded down: in a group
 * of one, none with the default 50).
 *
 * <pre>{@code
 * OutlierDetection.defaults()                           // 5 failures, 30 s doubling to 5 min, 50 %
 * OutlierDetection.builder().consecutiveFailures(3).baseEjectionTime(Duration.ofSeconds(10)).build()
 * OutlierDetection.disabled()
 * }</pre>
 */
public final class OutlierDetection {
  private static final OutlierDetection DISABLED =
      new OutlierDetection(0, Duration.ofSeconds(30), Duration.ofMinutes(5), 0);
  private static final OutlierDetection DEFAULTS = builder().build();

  private final int consecutiveFailures;
  private final Duration baseEjectionTime;
  private final Duration maxEjectionTime;
  private final int maxEjectedPercent;

  private OutlierDetection(int consecutiveFailures, Duration baseEjectionTime, Duration maxEjectionTime,
      int maxEjectedPercent) {
    this.consecutiveFailures = consecutiveFailures;
    this.baseEjectionTime = baseEjectionTime;
    this.maxEjectionTime = maxEjectionTime;
    this.maxEjectedPercent = maxEjectedPercent;
  }

  /** Five failures in a row eject for 30 s, growing with each ejection up to 5 min; at most 50 % of a group. */
  public static OutlierDetection defaults() {
    return DEFAULTS;
  }

  /** Never ejects. */
  public static OutlierDetection disabled() {
    return DISABLED;
  }

  /** Returns a builder that starts from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns whether endpoints can be ejected at all. */
  public boolean enabled() {
    return consecutiveFailures > 0;
  }

  /** Returns how many failures in a row eject an endpoint; 0 when disabled. */
  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  /** Returns the length of a first ejection. */
  public Duration baseEjectionTime() {
    return baseEjectionTime;
  }

  /** Returns the longest an ejection lasts. */
  public Duration maxEjectionTime() {
    return maxEjectionTime;
  }

  /** Returns the largest share of a group, in percent, that may be ejected at once. */
  public int maxEjectedPercent() {
    return maxEjectedPercent;
  }

  @Override
  public String toString() {
    return enabled() ? "OutlierDetection{" + consecutiveFailures + " failures, " + baseEjectionTime + ".."
        + maxEjectionTime + ", max " + maxEjectedPercent + "%}" : "OutlierDetection{disabled}";
  }

  /** Builds {@link OutlierDetection}. */
  public static final class Builder {
    private int consecutiveFailures = 5;
    private Duration baseEjectionTime = Duration.ofSeconds(30);
    private Duration maxEjectionTime = Duration.ofMinutes(5);
    private int maxEjectedPercent = 50;

    Builder() {}

    /** Sets how many failures in a row eject an endpoint (default 5). */
    public Builder consecutiveFailures(int failures) {
      if (failures < 1) {
        throw new IllegalArgumentException("consecutiveFailures: " + failures + " (expected: >= 1)");
      }
      this.consecutiveFailures = failures;
      return this;
    }

    /** Sets the length of a first ejection (default 30 s); the n-th lasts n times as long. */
    public Builder baseEjectionTime(Duration time) {
      this.baseEjectionTime = positive(time, "baseEjectionTime");
      return this;
    }

    /** Sets the longest an ejection lasts (default 5 min). */
    public Builder maxEjectionTime(Duration time) {
      this.maxEjectionTime = positive(time, "maxEjectionTime");
      return this;
    }

    /** Sets the largest share of a group, in percent (0-100), ejected at once (default 50). */
    public Builder maxEjectedPercent(int percent) {
      if (percent < 0 || percent > 100) {
        throw new IllegalArgumentException("maxEjectedPercent: " + percent + " (expected: 0-100)");
      }
      this.maxEjectedPercent = percent;
      return this;
    }

    /** Returns the immutable settings. */
    public OutlierDetection build() {
      if (maxEjectionTime.compareTo(baseEjectionTime) < 0) {
        throw new IllegalStateException("outlier detection: maxEjectionTime " + maxEjectionTime
            + " is shorter than baseEjectionTime " + baseEjectionTime);
      }
      return new OutlierDetection(consecutiveFailures, baseEjectionTime, maxEjectionTime, maxEjectedPercent);
    }

    private static Duration positive(Duration d, String name) {
      requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
      }
      return d;
    }
  }
}
