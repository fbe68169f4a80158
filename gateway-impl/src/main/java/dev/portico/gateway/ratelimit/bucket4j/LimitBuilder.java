package dev.portico.gateway.ratelimit.bucket4j;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.RequestCost;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What every token-bucket limiter is configured with, in memory or in Redis: the quota (or one
 * per plan), whose bucket a request spends (its key), what it costs, and what happens without a
 * key. The concrete builders, {@link Bucket4jRateLimiter.Builder} and the Redis limiter's, add
 * their store's settings; sharing this base keeps the two configured with the same words.
 *
 * <pre>{@code
 * Bucket4jRateLimiter.builder()
 *     .name("orders")                                    // the policy name clients see
 *     .bandwidth(10, Duration.ofSeconds(1))              // 10 in each second
 *     .bandwidth(1_000, Duration.ofHours(1))             // and 1,000 in each hour
 *     .keyResolver(KeyResolver.principal())
 *     .missingKey(MissingKey.REFUSE)
 *     .build();
 * }</pre>
 *
 * <p>Setters check their arguments at once; {@code build()} checks the whole and throws
 * {@link IllegalStateException} naming the limiter and the field.
 *
 * @param <B> the concrete builder
 */
public abstract class LimitBuilder<B extends LimitBuilder<B>> {
  private String name = "default";
  private final Quota.Builder quota = Quota.builder();
  private @Nullable Quota explicitQuota;
  private final Map<String, Quota> plans = new LinkedHashMap<>();
  private @Nullable KeyResolver keyResolver;
  private RequestCost cost = RequestCost.one();
  private MissingKey missingKey = MissingKey.ANONYMOUS;

  /** For the limiters' own builders. */
  protected LimitBuilder() {}

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * Names the limit (default {@code default}): the policy name in {@code RateLimit-Policy}, and
   * part of the Redis key. Printable ASCII, no quotes or backslashes.
   */
  public B name(String name) {
    requireNonNull(name, "name");
    new dev.portico.gateway.ratelimit.RateLimitPolicy(name, 1, Duration.ofSeconds(1));   // checks the characters
    this.name = name;
    return self();
  }

  /** Adds a bandwidth of {@code capacity} tokens per {@code period} to the default quota. */
  public B bandwidth(long capacity, Duration period) {
    quota.bandwidth(capacity, period);
    return self();
  }

  /**
   * Sets how the default quota's bandwidths refill: {@link Refill#INTERVALLY} (the default: "100
   * per minute" passes at most 100 in each minute from a caller's first request) or
   * {@link Refill#GREEDY} (smoothed: 100 at once, then one every 0.6 s).
   */
  public B refill(Refill refill) {
    quota.refill(refill);
    return self();
  }

  /** Starts new buckets of the default quota with {@code tokens} instead of full. */
  public B initialTokens(long tokens) {
    quota.initialTokens(tokens);
    return self();
  }

  /** Sets the default quota in one go, instead of {@link #bandwidth}, {@link #refill} and {@link #initialTokens}. */
  public B quota(Quota quota) {
    this.explicitQuota = requireNonNull(quota, "quota");
    return self();
  }

  /**
   * Gives callers whose identity has plan {@code plan} ({@link dev.portico.gateway.auth.Identity#plan()})
   * their own quota, reported under the plan's name. Callers without a plan, or with one not
   * listed, get the default quota, or are refused (403) when there is none.
   */
  public B plan(String plan, Quota quota) {
    requireNonNull(plan, "plan");
    requireNonNull(quota, "quota");
    new dev.portico.gateway.ratelimit.RateLimitPolicy(plan, 1, Duration.ofSeconds(1));   // checks the characters
    plans.put(plan, quota);
    return self();
  }

  /** Sets whose bucket a request spends; required. */
  public B keyResolver(KeyResolver keyResolver) {
    this.keyResolver = requireNonNull(keyResolver, "keyResolver");
    return self();
  }

  /** Sets what a request costs (default one token). */
  public B cost(RequestCost cost) {
    this.cost = requireNonNull(cost, "cost");
    return self();
  }

  /** Sets what happens to a request without a key (default: a shared anonymous bucket). */
  public B missingKey(MissingKey missingKey) {
    this.missingKey = requireNonNull(missingKey, "missingKey");
    return self();
  }

  /** Returns the name, for the concrete builders' messages. */
  protected final String limitName() {
    return name;
  }

  /**
   * Checks the whole configuration and compiles it.
   *
   * @throws IllegalStateException naming the limiter and the field
   */
  protected final LimitDefinition definition() {
    if (keyResolver == null) {
      throw new IllegalStateException("rate limiter '" + name + "': no keyResolver (expected: e.g. KeyResolver.clientIp())");
    }
    if (explicitQuota != null && !quota.isEmpty()) {
      throw new IllegalStateException("rate limiter '" + name + "': both quota() and bandwidth() set (expected: one of them)");
    }
    Quota defaultQuota = explicitQuota != null ? explicitQuota : quota.isEmpty() ? null : quota.build();
    if (defaultQuota == null && plans.isEmpty()) {
      throw new IllegalStateException("rate limiter '" + name + "': no bandwidth and no plan"
          + " (expected: e.g. bandwidth(100, Duration.ofMinutes(1)))");
    }
    try {
      return new LimitDefinition(name, defaultQuota, plans, keyResolver, cost, missingKey);
    } catch (IllegalArgumentException e) {
      // Bucket4j's own checks, such as a refill faster than one token per nanosecond.
      throw new IllegalStateException("rate limiter '" + name + "': " + e.getMessage(), e);
    }
  }
}
