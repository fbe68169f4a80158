package dev.portico.gateway.upstream;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.BitSet;

/**
 * An active health check: every {@link #interval()} the gateway sends {@code GET} to
 * {@link #path()} on each endpoint of a group. An endpoint that fails
 * {@link #unhealthyThreshold()} probes in a row is taken out of rotation; one that then passes
 * {@link #healthyThreshold()} in a row is put back. A probe passes when the status is one of
 * {@link #expectedStatuses()} within {@link #timeout()}.
 *
 * <pre>{@code
 * HealthCheck.http("/health")                          // every 10 s, 2 s timeout, 2xx and 3xx pass
 * HealthCheck.builder("/ready")
 *     .interval(Duration.ofSeconds(5)).timeout(Duration.ofSeconds(1))
 *     .unhealthyThreshold(2).healthyThreshold(3)
 *     .expectedStatuses(200, 204)
 *     .build()
 * }</pre>
 *
 * <p>Endpoints start healthy, so a gateway serves at once; probes run on the engine's scheduler,
 * start and stop with it, and never block a thread while they wait.
 */
public final class HealthCheck {
  private final String path;
  private final Duration interval;
  private final Duration timeout;
  private final int healthyThreshold;
  private final int unhealthyThreshold;
  private final BitSet expected;

  private HealthCheck(Builder b) {
    this.path = b.path;
    this.interval = b.interval;
    this.timeout = b.timeout;
    this.healthyThreshold = b.healthyThreshold;
    this.unhealthyThreshold = b.unhealthyThreshold;
    this.expected = (BitSet) b.expected.clone();
  }

  /** Probes {@code path} with the defaults: every 10 s, 2 s timeout, thresholds 2 and 3, 200-399 pass. */
  public static HealthCheck http(String path) {
    return builder(path).build();
  }

  /** Returns a builder probing {@code path} (absolute, with an optional query). */
  public static Builder builder(String path) {
    return new Builder(path);
  }

  /** Returns the path probed, after the endpoint's base path. */
  public String path() {
    return path;
  }

  /** Returns the time between two probes of an endpoint. */
  public Duration interval() {
    return interval;
  }

  /** Returns how long a probe may take, connecting included. */
  public Duration timeout() {
    return timeout;
  }

  /** Returns how many passing probes in a row put an unhealthy endpoint back. */
  public int healthyThreshold() {
    return healthyThreshold;
  }

  /** Returns how many failing probes in a row take an endpoint out. */
  public int unhealthyThreshold() {
    return unhealthyThreshold;
  }

  /** Returns whether a probe answered with {@code status} passes. */
  public boolean expects(int status) {
    return status >= 100 && status <= 599 && expected.get(status);
  }

  /** Returns the statuses that pass, in ascending order. */
  public int[] expectedStatuses() {
    return expected.stream().toArray();
  }

  @Override
  public String toString() {
    return "HealthCheck{GET " + path + " every " + interval + ", timeout " + timeout + "}";
  }

  /** Builds a {@link HealthCheck}; {@link #build()} checks the values. */
  public static final class Builder {
    private final String path;
    private Duration interval = Duration.ofSeconds(10);
    private Duration timeout = Duration.ofSeconds(2);
    private int healthyThreshold = 2;
    private int unhealthyThreshold = 3;
    private final BitSet expected = new BitSet(600);

    Builder(String path) {
      requireNonNull(path, "path");
      if (!path.startsWith("/") || path.indexOf('#') >= 0 || path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
        throw new IllegalArgumentException("health check path: '" + path
            + "' (expected: an absolute path such as /health, ASCII without spaces or fragment)");
      }
      this.path = path;
      expected.set(200, 400);
    }

    /** Sets the time between two probes of an endpoint (default 10 s). */
    public Builder interval(Duration interval) {
      this.interval = positive(interval, "interval");
      return this;
    }

    /** Sets how long a probe may take (default 2 s). */
    public Builder timeout(Duration timeout) {
      this.timeout = positive(timeout, "timeout");
      return this;
    }

    /** Sets how many passing probes in a row put an endpoint back (default 2). */
    public Builder healthyThreshold(int probes) {
      this.healthyThreshold = atLeastOne(probes, "healthyThreshold");
      return this;
    }

    /** Sets how many failing probes in a row take an endpoint out (default 3). */
    public Builder unhealthyThreshold(int probes) {
      this.unhealthyThreshold = atLeastOne(probes, "unhealthyThreshold");
      return this;
    }

    /** Sets the statuses that pass (default 200-399). */
    public Builder expectedStatuses(int... statuses) {
      if (statuses.length == 0) {
        throw new IllegalArgumentException("expectedStatuses: none (expected: at least one)");
      }
      expected.clear();
      for (int s : statuses) {
        if (s < 100 || s > 599) {
          throw new IllegalArgumentException("expectedStatuses: " + s + " (expected: 100-599)");
        }
        expected.set(s);
      }
      return this;
    }

    /** Returns the immutable health check. */
    public HealthCheck build() {
      if (timeout.compareTo(interval) > 0) {
        throw new IllegalStateException("health check " + path + ": timeout " + timeout
            + " is longer than the interval " + interval);
      }
      return new HealthCheck(this);
    }

    private static Duration positive(Duration d, String name) {
      requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
      }
      return d;
    }

    private static int atLeastOne(int n, String name) {
      if (n < 1) {
        throw new IllegalArgumentException(name + ": " + n + " (expected: >= 1)");
      }
      return n;
    }
  }
}
