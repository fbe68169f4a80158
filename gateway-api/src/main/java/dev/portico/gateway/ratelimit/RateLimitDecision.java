package dev.portico.gateway.ratelimit;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link RateLimiter} decided for one request, as a value:
 * <ul>
 *   <li>{@link #allowed(RateLimitPolicy, long, Duration)}: the request may pass; the engine adds
 *       {@code RateLimit-Policy} and {@code RateLimit} to its response;
 *   <li>{@link #rejected(RateLimitPolicy, long, Duration, Duration)}: over the limit, answered 429
 *       ({@link dev.portico.gateway.ProblemType#RATE_LIMITED}) with {@code Retry-After};
 *   <li>{@link #refused(String)}: the request carries nothing to limit it by and the limiter
 *       refuses such requests, answered 403;
 *   <li>{@link #unavailable(String)}: the limiter cannot decide now (its store is down and it
 *       fails closed), answered 503 ({@link dev.portico.gateway.ProblemType#RATE_LIMIT_UNAVAILABLE}).
 * </ul>
 *
 * <p>{@code remaining} and {@code reset} describe the {@linkplain #policy() binding policy}: the
 * one closest to running out. {@link #policies()} lists every policy the limiter applied to the
 * request, for {@code RateLimit-Policy}.
 */
public final class RateLimitDecision {
  /** The kinds of decision. */
  public enum Kind {
    /** The request may pass. */
    ALLOWED,
    /** Over the limit: 429. */
    REJECTED,
    /** No key to limit by, and such requests are refused: 403. */
    REFUSED,
    /** Cannot decide now: 503. */
    UNAVAILABLE
  }

  private static final RateLimitDecision ALLOWED_UNMETERED =
      new RateLimitDecision(Kind.ALLOWED, null, List.of(), 0, Duration.ZERO, Duration.ZERO, null);

  private final Kind kind;
  private final @Nullable RateLimitPolicy policy;
  private final List<RateLimitPolicy> policies;
  private final long remaining;
  private final Duration reset;
  private final Duration retryAfter;
  private final @Nullable String detail;

  private RateLimitDecision(Kind kind, @Nullable RateLimitPolicy policy, List<RateLimitPolicy> policies, long remaining,
      Duration reset, Duration retryAfter, @Nullable String detail) {
    this.kind = kind;
    this.policy = policy;
    this.policies = policies;
    this.remaining = remaining;
    this.reset = reset;
    this.retryAfter = retryAfter;
    this.detail = detail;
  }

  /** The request may pass and no quota applies to it (nothing is reported to the client). */
  public static RateLimitDecision allowed() {
    return ALLOWED_UNMETERED;
  }

  /**
   * The request may pass; {@code remaining} units of {@code policy} are left, and the quota is
   * whole again after {@code reset}.
   */
  public static RateLimitDecision allowed(RateLimitPolicy policy, long remaining, Duration reset) {
    requireNonNull(policy, "policy");
    return new RateLimitDecision(Kind.ALLOWED, policy, List.of(policy), checkRemaining(remaining),
        checkDuration(reset, "reset"), Duration.ZERO, null);
  }

  /**
   * The request is over {@code policy}: {@code remaining} units are left (fewer than it costs),
   * the quota is whole again after {@code reset}, and the request could pass after
   * {@code retryAfter}.
   */
  public static RateLimitDecision rejected(RateLimitPolicy policy, long remaining, Duration reset, Duration retryAfter) {
    requireNonNull(policy, "policy");
    return new RateLimitDecision(Kind.REJECTED, policy, List.of(policy), checkRemaining(remaining),
        checkDuration(reset, "reset"), checkDuration(retryAfter, "retryAfter"), null);
  }

  /** The request is over a limit it is not told about; it could pass after {@code retryAfter}. */
  public static RateLimitDecision rejected(Duration retryAfter) {
    return new RateLimitDecision(Kind.REJECTED, null, List.of(), 0, Duration.ZERO,
        checkDuration(retryAfter, "retryAfter"), null);
  }

  /** The request carries no key to limit it by and is refused (403) with a client-safe {@code detail}. */
  public static RateLimitDecision refused(String detail) {
    return new RateLimitDecision(Kind.REFUSED, null, List.of(), 0, Duration.ZERO, Duration.ZERO,
        requireNonNull(detail, "detail"));
  }

  /** The limiter cannot decide now: answer 503 with a client-safe {@code detail}. */
  public static RateLimitDecision unavailable(String detail) {
    return new RateLimitDecision(Kind.UNAVAILABLE, null, List.of(), 0, Duration.ZERO, Duration.ZERO,
        requireNonNull(detail, "detail"));
  }

  /**
   * Returns a copy that reports {@code policies} in {@code RateLimit-Policy} (a limit with several
   * bandwidths reports each); the binding {@link #policy()} is added if missing.
   */
  public RateLimitDecision withPolicies(List<RateLimitPolicy> policies) {
    List<RateLimitPolicy> all = new ArrayList<>(policies.size() + 1);
    for (RateLimitPolicy p : policies) {
      all.add(requireNonNull(p, "policy"));
    }
    if (policy != null && !all.contains(policy)) {
      all.add(0, policy);
    }
    return new RateLimitDecision(kind, policy, List.copyOf(all), remaining, reset, retryAfter, detail);
  }

  /** Returns the kind of decision. */
  public Kind kind() {
    return kind;
  }

  /** Returns whether the request may pass. */
  public boolean isAllowed() {
    return kind == Kind.ALLOWED;
  }

  /** Returns the binding policy, the one {@link #remaining()} and {@link #reset()} describe; empty when none is reported. */
  public Optional<RateLimitPolicy> policy() {
    return Optional.ofNullable(policy);
  }

  /** Returns every policy applied to the request, for {@code RateLimit-Policy}; empty when none is reported. */
  public List<RateLimitPolicy> policies() {
    return policies;
  }

  /** Returns the units of the binding policy left after this request; 0 when none is reported. */
  public long remaining() {
    return remaining;
  }

  /** Returns the time until the binding policy's quota is whole again. */
  public Duration reset() {
    return reset;
  }

  /** Returns, for a rejection, the time after which the request could pass. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** Returns the client-safe detail of a refusal or an unavailable decision. */
  public Optional<String> detail() {
    return Optional.ofNullable(detail);
  }

  @Override
  public String toString() {
    return "RateLimitDecision{" + kind + (policy == null ? "" : " " + policy.name() + " remaining=" + remaining)
        + (kind == Kind.REJECTED ? " retryAfter=" + retryAfter : "") + "}";
  }

  private static long checkRemaining(long remaining) {
    if (remaining < 0) {
      throw new IllegalArgumentException("remaining: " + remaining + " (expected: >= 0)");
    }
    return remaining;
  }

  private static Duration checkDuration(Duration d, String name) {
    requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + ": " + d + " (expected: >= 0)");
    }
    return d;
  }
}
