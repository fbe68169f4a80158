package dev.portico.gateway.ratelimit.bucket4j;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What one bucket allows: one or more bandwidths (all must have a token for a request to pass),
 * how they refill, and how full a new bucket starts.
 *
 * <pre>{@code
 * Quota.of(60, Duration.ofMinutes(1))                   // 60 per minute
 * Quota.builder()
 *     .bandwidth(10, Duration.ofSeconds(1))             // bursts of at most 10 per second
 *     .bandwidth(1_000, Duration.ofHours(1))            // and 1,000 per hour
 *     .refill(Refill.GREEDY)                            // smoothed (default INTERVALLY)
 *     .initialTokens(5)                                 // a new caller starts with 5
 *     .build();
 * }</pre>
 */
public final class Quota {
  /**
   * One bandwidth: {@code capacity} tokens, refilled over {@code period}.
   *
   * @param capacity the most tokens the bandwidth holds, and how many refill per period
   * @param period the refill period
   */
  public record Bandwidth(long capacity, Duration period) {
    /** Validates the components. */
    public Bandwidth {
      if (capacity <= 0) {
        throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
      }
      requireNonNull(period, "period");
      if (period.isNegative() || period.isZero()) {
        throw new IllegalArgumentException("period: " + period + " (expected: > 0)");
      }
    }
  }

  private final List<Bandwidth> bandwidths;
  private final Refill refill;
  private final long initialTokens;

  private Quota(List<Bandwidth> bandwidths, Refill refill, long initialTokens) {
    this.bandwidths = List.copyOf(bandwidths);
    this.refill = refill;
    this.initialTokens = initialTokens;
  }

  /**
   * Returns a quota of {@code capacity} per {@code period}, refilled at the end of each period
   * ({@link Refill#INTERVALLY}: at most {@code capacity} in each period), starting full.
   */
  public static Quota of(long capacity, Duration period) {
    return new Quota(List.of(new Bandwidth(capacity, period)), Refill.INTERVALLY, -1);
  }

  /** Returns a builder for a quota of several bandwidths or other refill and start settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the bandwidths, in the order they were added. */
  public List<Bandwidth> bandwidths() {
    return bandwidths;
  }

  /** Returns how the bandwidths refill. */
  public Refill refill() {
    return refill;
  }

  /** Returns the tokens a new bucket starts with in each bandwidth (at most its capacity); -1 for full. */
  public long initialTokens() {
    return initialTokens;
  }

  /** Returns the longest period: after that long unused, a bucket is full again. */
  public Duration longestPeriod() {
    Duration longest = Duration.ZERO;
    for (Bandwidth b : bandwidths) {
      if (b.period().compareTo(longest) > 0) {
        longest = b.period();
      }
    }
    return longest;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Quota{");
    for (int i = 0; i < bandwidths.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(bandwidths.get(i).capacity()).append(" per ").append(bandwidths.get(i).period());
    }
    return sb.append(", ").append(refill).append(initialTokens >= 0 ? ", initial " + initialTokens : "").append('}').toString();
  }

  /** Builds a {@link Quota}. */
  public static final class Builder {
    private final List<Bandwidth> bandwidths = new ArrayList<>();
    private Refill refill = Refill.INTERVALLY;
    private long initialTokens = -1;

    Builder() {}

    /** Adds a bandwidth of {@code capacity} tokens per {@code period}. */
    public Builder bandwidth(long capacity, Duration period) {
      bandwidths.add(new Bandwidth(capacity, period));
      return this;
    }

    /**
     * Sets how every bandwidth refills: {@link Refill#INTERVALLY} (the default, at most N in each
     * period) or {@link Refill#GREEDY} (smoothed, one token every {@code period / N}).
     */
    public Builder refill(Refill refill) {
      this.refill = requireNonNull(refill, "refill");
      return this;
    }

    /** Starts new buckets with {@code tokens} in each bandwidth (at most its capacity) instead of full. */
    public Builder initialTokens(long tokens) {
      if (tokens < 0) {
        throw new IllegalArgumentException("initialTokens: " + tokens + " (expected: >= 0)");
      }
      this.initialTokens = tokens;
      return this;
    }

    /**
     * Returns the immutable quota.
     *
     * @throws IllegalStateException without a bandwidth
     */
    public Quota build() {
      if (bandwidths.isEmpty()) {
        throw new IllegalStateException("no bandwidth (expected: at least one, e.g. bandwidth(100, Duration.ofMinutes(1)))");
      }
      return new Quota(bandwidths, refill, initialTokens);
    }

    boolean isEmpty() {
      return bandwidths.isEmpty();
    }
  }
}
