package dev.portico.gateway.upstream;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * When a route's request is tried again, on another endpoint of its group when there is one.
 *
 * <pre>{@code
 * RetryPolicy.defaults()                          // 2 retries, idempotent methods, 502 503 504
 * RetryPolicy.builder()
 *     .maxRetries(3)
 *     .retryOnStatuses(503)
 *     .backoff(Duration.ofMillis(25), Duration.ofMillis(500))
 *     .perTryTimeout(Duration.ofSeconds(1))
 *     .deadline(Duration.ofSeconds(3))
 *     .budget(10, 5)                              // retries at most 10 % of requests (+5 per s)
 *     .build()
 * }</pre>
 *
 * <h2>The safety rules</h2>
 * <ul>
 *   <li>A request that never reached the upstream (the connection was refused or not established
 *       in time) may be tried again whatever its method: the upstream saw nothing.
 *   <li>Once a request was sent, it is tried again only if its method is idempotent
 *       ({@code GET HEAD OPTIONS TRACE PUT DELETE}), or the policy says
 *       {@link Builder#retryNonIdempotent()}, and only on a retryable status
 *       ({@link #retryOnStatuses()}) or a failure before the response began.
 *   <li>A request body is kept, while it streams to the first endpoint, up to
 *       {@link #maxReplayBytes()}; a body that grew past it cannot be sent again, so its request is
 *       not retried once sent.
 *   <li>Nothing is retried once the response has started towards the client.
 *   <li>Each retry waits an exponential back-off with full jitter (a random time between 0 and
 *       {@code min(maxBackoff, baseBackoff * 2^(retry-1))}), no retry starts after the
 *       {@link #deadline()} (and a try still in flight when it passes is aborted: 504
 *       {@code upstream-timeout}), and retries may be at most {@link #budgetPercent()} percent of the
 *       route's requests over the last 10 s (plus {@link #minRetriesPerSecond()}), so that in an
 *       outage retries cannot multiply the load.
 * </ul>
 */
public final class RetryPolicy {
  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
  private static final RetryPolicy NONE = new RetryPolicy(new Builder().maxRetries(0));
  private static final RetryPolicy DEFAULTS = builder().build();

  private final int maxRetries;
  private final Set<Integer> retryOnStatuses;
  private final boolean retryNonIdempotent;
  private final Duration baseBackoff;
  private final Duration maxBackoff;
  private final @Nullable Duration perTryTimeout;
  private final @Nullable Duration deadline;
  private final int budgetPercent;
  private final int minRetriesPerSecond;
  private final int maxReplayBytes;

  private RetryPolicy(Builder b) {
    this.maxRetries = b.maxRetries;
    this.retryOnStatuses = Set.copyOf(b.retryOnStatuses);
    this.retryNonIdempotent = b.retryNonIdempotent;
    this.baseBackoff = b.baseBackoff;
    this.maxBackoff = b.maxBackoff;
    this.perTryTimeout = b.perTryTimeout;
    this.deadline = b.deadline;
    this.budgetPercent = b.budgetPercent;
    this.minRetriesPerSecond = b.minRetriesPerSecond;
    this.maxReplayBytes = b.maxReplayBytes;
  }

  /** Never retries (a route's default). */
  public static RetryPolicy none() {
    return NONE;
  }

  /**
   * Up to 2 retries of idempotent requests on connection failures and 502, 503, 504; back-off
   * 25 ms to 1 s; budget 20 % plus 3 per second; bodies up to 64 KiB replayed.
   */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** Returns a builder that starts from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns whether the policy retries at all. */
  public boolean enabled() {
    return maxRetries > 0;
  }

  /** Returns the most retries of one request (tries are one more). */
  public int maxRetries() {
    return maxRetries;
  }

  /** Returns the upstream statuses that are retried. */
  public Set<Integer> retryOnStatuses() {
    return retryOnStatuses;
  }

  /** Returns whether requests with non-idempotent methods are retried after they were sent. */
  public boolean retryNonIdempotent() {
    return retryNonIdempotent;
  }

  /** Returns whether a sent request with {@code method} may be retried under this policy. */
  public boolean mayRetrySent(String method) {
    return retryNonIdempotent || IDEMPOTENT.contains(method.toUpperCase(Locale.ROOT));
  }

  /** Returns the back-off cap of the first retry; it doubles for each further one. */
  public Duration baseBackoff() {
    return baseBackoff;
  }

  /** Returns the largest back-off cap. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** Returns the response timeout of each try, when it differs from the route's. */
  public Optional<Duration> perTryTimeout() {
    return Optional.ofNullable(perTryTimeout);
  }

  /** Returns the time from the first try after which no retry starts, if limited. */
  public Optional<Duration> deadline() {
    return Optional.ofNullable(deadline);
  }

  /** Returns the largest share of requests, in percent, that may be retries. */
  public int budgetPercent() {
    return budgetPercent;
  }

  /** Returns the retries per second allowed whatever the share (so a quiet route can still retry). */
  public int minRetriesPerSecond() {
    return minRetriesPerSecond;
  }

  /** Returns the largest request body kept for replay, in bytes. */
  public int maxReplayBytes() {
    return maxReplayBytes;
  }

  @Override
  public String toString() {
    return enabled() ? "RetryPolicy{maxRetries=" + maxRetries + ", statuses=" + new TreeSet<>(retryOnStatuses)
        + ", nonIdempotent=" + retryNonIdempotent + ", budget=" + budgetPercent + "%+" + minRetriesPerSecond + "/s}"
        : "RetryPolicy{none}";
  }

  /** Builds a {@link RetryPolicy}. */
  public static final class Builder {
    private int maxRetries = 2;
    private Set<Integer> retryOnStatuses = Set.of(502, 503, 504);
    private boolean retryNonIdempotent;
    private Duration baseBackoff = Duration.ofMillis(25);
    private Duration maxBackoff = Duration.ofSeconds(1);
    private @Nullable Duration perTryTimeout;
    private @Nullable Duration deadline;
    private int budgetPercent = 20;
    private int minRetriesPerSecond = 3;
    private int maxReplayBytes = 64 * 1024;

    Builder() {}

    /** Sets the most retries of one request (default 2; 0 never retries). */
    public Builder maxRetries(int retries) {
      if (retries < 0 || retries > 10) {
        throw new IllegalArgumentException("maxRetries: " + retries + " (expected: 0-10)");
      }
      this.maxRetries = retries;
      return this;
    }

    /** Sets the upstream statuses that are retried (default 502, 503, 504; none: only failures). */
    public Builder retryOnStatuses(int... statuses) {
      Set<Integer> set = new TreeSet<>();
      for (int s : statuses) {
        if (s < 400 || s > 599) {
          throw new IllegalArgumentException("retryOnStatuses: " + s + " (expected: 400-599)");
        }
        set.add(s);
      }
      this.retryOnStatuses = set;
      return this;
    }

    /** Retries requests of any method once sent, not only idempotent ones: only for upstreams that dedupe. */
    public Builder retryNonIdempotent() {
      this.retryNonIdempotent = true;
      return this;
    }

    /** Sets the back-off cap of the first retry and the largest cap (defaults 25 ms and 1 s). */
    public Builder backoff(Duration base, Duration max) {
      requireNonNull(base, "base");
      requireNonNull(max, "max");
      if (base.isNegative() || max.compareTo(base) < 0) {
        throw new IllegalArgumentException("backoff: " + base + ", " + max + " (expected: 0 <= base <= max)");
      }
      this.baseBackoff = base;
      this.maxBackoff = max;
      return this;
    }

    /** Sets the response timeout of each try (default: the route's response timeout). */
    public Builder perTryTimeout(Duration timeout) {
      this.perTryTimeout = positive(timeout, "perTryTimeout");
      return this;
    }

    /**
     * Bounds the whole proxy step: no retry starts later than {@code deadline} after the first try
     * started, and a try that has no response head by then is aborted (504
     * {@code upstream-timeout}). A response that has begun streaming is not cut.
     */
    public Builder deadline(Duration deadline) {
      this.deadline = positive(deadline, "deadline");
      return this;
    }

    /**
     * Lets retries be at most {@code percent} of the route's requests over the last 10 s, plus
     * {@code minPerSecond} retries per second (defaults 20 and 3).
     */
    public Builder budget(int percent, int minPerSecond) {
      if (percent < 0 || percent > 100) {
        throw new IllegalArgumentException("budget percent: " + percent + " (expected: 0-100)");
      }
      if (minPerSecond < 0) {
        throw new IllegalArgumentException("budget minPerSecond: " + minPerSecond + " (expected: >= 0)");
      }
      this.budgetPercent = percent;
      this.minRetriesPerSecond = minPerSecond;
      return this;
    }

    /** Keeps request bodies up to {@code bytes} for replay (default 64 KiB; 0: retry only bodiless requests). */
    public Builder maxReplayBytes(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxReplayBytes: " + bytes + " (expected: >= 0)");
      }
      this.maxReplayBytes = bytes;
      return this;
    }

    /** Returns the immutable policy. */
    public RetryPolicy build() {
      return new RetryPolicy(this);
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
