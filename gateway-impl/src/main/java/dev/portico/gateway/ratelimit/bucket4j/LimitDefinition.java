package dev.portico.gateway.ratelimit.bucket4j;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import dev.portico.gateway.ratelimit.RateLimitPolicy;
import dev.portico.gateway.ratelimit.RequestCost;
import io.github.bucket4j.BandwidthBuilder;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConfigurationBuilder;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A compiled limit: the Bucket4j configuration of each quota (the default one and one per plan),
 * the policies clients are told about, and the per-request steps every store shares: pick the
 * quota, resolve the key, price the request, and turn Bucket4j's answer into a
 * {@link RateLimitDecision}. Built by {@link LimitBuilder}; nothing here changes after that.
 *
 * <p>For the limiters built on it (in memory here, in Redis in {@code ratelimit.redis}); an
 * application has no use for it.
 */
public final class LimitDefinition {
  /** Quota slot of callers whose plan is not listed (or who have none). */
  private static final int DEFAULT_SLOT = 0;

  private final String name;
  private final KeyResolver keyResolver;
  private final RequestCost cost;
  private final MissingKey missingKey;
  /** Slot 0 is the default quota (null when there is none), then one per plan. */
  private final @Nullable Slot[] slots;
  private final Map<String, Integer> slotOfPlan;
  private final Duration longestPeriod;

  /** One quota, compiled. */
  private record Slot(String label, io.github.bucket4j.Bandwidth[] bandwidths, BucketConfiguration configuration,
      RateLimitPolicy[] policies, List<RateLimitPolicy> policyList, long smallestCapacity) {}

  LimitDefinition(String name, @Nullable Quota defaultQuota, Map<String, Quota> plans, KeyResolver keyResolver,
      RequestCost cost, MissingKey missingKey) {
    this.name = name;
    this.keyResolver = keyResolver;
    this.cost = cost;
    this.missingKey = missingKey;
    this.slots = new Slot[1 + plans.size()];
    this.slotOfPlan = new HashMap<>();
    Duration longest = Duration.ZERO;
    if (defaultQuota != null) {
      slots[DEFAULT_SLOT] = compile("", name, defaultQuota);
      longest = defaultQuota.longestPeriod();
    }
    int i = 1;
    for (Map.Entry<String, Quota> plan : plans.entrySet()) {
      slots[i] = compile(plan.getKey(), plan.getKey(), plan.getValue());
      slotOfPlan.put(plan.getKey(), i);
      if (plan.getValue().longestPeriod().compareTo(longest) > 0) {
        longest = plan.getValue().longestPeriod();
      }
      i++;
    }
    this.longestPeriod = longest;
  }

  private static Slot compile(String label, String policyName, Quota quota) {
    List<Quota.Bandwidth> bandwidths = quota.bandwidths();
    io.github.bucket4j.Bandwidth[] compiled = new io.github.bucket4j.Bandwidth[bandwidths.size()];
    RateLimitPolicy[] policies = new RateLimitPolicy[bandwidths.size()];
    ConfigurationBuilder configuration = BucketConfiguration.builder();
    long smallest = Long.MAX_VALUE;
    List<String> ids = new ArrayList<>();
    for (int b = 0; b < compiled.length; b++) {
      Quota.Bandwidth bandwidth = bandwidths.get(b);
      String id = policyName;
      if (compiled.length > 1) {
        // Several bandwidths are reported as several policies: orders-1s, orders-3600s.
        id = policyName + "-" + bandwidth.period().toSeconds() + "s";
        if (ids.contains(id)) {
          id = id + "-" + (b + 1);
        }
      }
      ids.add(id);
      BandwidthBuilder.BandwidthBuilderRefillStage stage = BandwidthBuilder.builder().capacity(bandwidth.capacity());
      BandwidthBuilder.BandwidthBuilderBuildStage built = quota.refill() == Refill.GREEDY
          ? stage.refillGreedy(bandwidth.capacity(), bandwidth.period())
          : stage.refillIntervally(bandwidth.capacity(), bandwidth.period());
      if (quota.initialTokens() >= 0) {
        built = built.initialTokens(Math.min(quota.initialTokens(), bandwidth.capacity()));
      }
      compiled[b] = built.id(id).build();
      configuration.addLimit(compiled[b]);
      policies[b] = new RateLimitPolicy(id, bandwidth.capacity(), bandwidth.period());
      smallest = Math.min(smallest, bandwidth.capacity());
    }
    return new Slot(label, compiled, configuration.build(), policies, List.of(policies), smallest);
  }

  /** Returns the limit's name. */
  public String name() {
    return name;
  }

  /** Returns the number of quota slots: the default one (slot 0, which may be unused) and one per plan. */
  public int slotCount() {
    return slots.length;
  }

  /** Returns a slot's label: empty for the default quota, else the plan's name. */
  public String slotLabel(int slot) {
    Slot s = slots[slot];
    return s == null ? "" : s.label();
  }

  /** Returns whether a slot has a quota (the default slot has none when only plans are configured). */
  public boolean hasQuota(int slot) {
    return slots[slot] != null;
  }

  /** Returns the Bucket4j configuration of a slot's buckets. */
  public BucketConfiguration configuration(int slot) {
    return slot(slot).configuration();
  }

  /** Returns the Bucket4j bandwidths of a slot, for local buckets. */
  io.github.bucket4j.Bandwidth[] bandwidths(int slot) {
    return slot(slot).bandwidths();
  }

  /** Returns whether a slot has several bandwidths (then which one binds needs Bucket4j's verbose API). */
  public boolean hasSeveralBandwidths(int slot) {
    return slot(slot).bandwidths().length > 1;
  }

  /** Returns the longest bandwidth period of any slot: a bucket unused that long is full again. */
  public Duration longestPeriod() {
    return longestPeriod;
  }

  /**
   * Decides what {@code exchange} asks of the store: which slot and key, at what cost; or answers
   * at once (a refused missing key, a free request, a plan without a quota).
   */
  public Target target(Exchange exchange) {
    int slot = slotOf(exchange);
    if (slot < 0) {
      return Target.answered(RateLimitDecision.refused("No rate limit applies to this caller's plan."));
    }
    Optional<String> key = keyResolver.resolve(exchange);
    if (key == null) {
      throw new IllegalStateException("key resolver of rate limiter '" + name + "' returned null");
    }
    if (key.isEmpty() && missingKey == MissingKey.REFUSE) {
      return Target.answered(RateLimitDecision.refused("This request carries nothing to rate-limit it by."));
    }
    long tokens = cost.cost(exchange);
    if (tokens < 0) {
      throw new IllegalStateException("cost of rate limiter '" + name + "' is negative: " + tokens);
    }
    if (tokens == 0) {
      return Target.answered(RateLimitDecision.allowed());
    }
    // A request that costs more than a bandwidth holds takes all of it, and passes only when it is full.
    return new Target(slot, key.orElse(null), Math.min(tokens, slots[slot].smallestCapacity()), null);
  }

  /**
   * Turns Bucket4j's answer into a decision. {@code availablePerBandwidth} (from the verbose API,
   * after the consumption) picks the binding policy when a slot has several bandwidths.
   */
  public RateLimitDecision decide(int slot, ConsumptionProbe probe, long @Nullable [] availablePerBandwidth) {
    Slot s = slot(slot);
    int binding = 0;
    if (availablePerBandwidth != null) {
      for (int b = 1; b < availablePerBandwidth.length && b < s.policies().length; b++) {
        if (availablePerBandwidth[b] < availablePerBandwidth[binding]) {
          binding = b;
        }
      }
    }
    RateLimitPolicy policy = s.policies()[binding];
    long remaining = Math.max(0, probe.getRemainingTokens());
    Duration reset = Duration.ofNanos(Math.max(0, probe.getNanosToWaitForReset()));
    RateLimitDecision decision = probe.isConsumed()
        ? RateLimitDecision.allowed(policy, remaining, reset)
        : RateLimitDecision.rejected(policy, remaining, reset, Duration.ofNanos(Math.max(0, probe.getNanosToWaitForRefill())));
    return s.policies().length > 1 ? decision.withPolicies(s.policyList()) : decision;
  }

  private int slotOf(Exchange exchange) {
    if (!slotOfPlan.isEmpty()) {
      Optional<String> plan = exchange.identity().flatMap(Identity::plan);
      if (plan.isPresent()) {
        Integer slot = slotOfPlan.get(plan.get());
        if (slot != null) {
          return slot;
        }
      }
    }
    return slots[DEFAULT_SLOT] != null ? DEFAULT_SLOT : -1;
  }

  private Slot slot(int slot) {
    Slot s = slots[slot];
    if (s == null) {
      throw new IllegalArgumentException("slot " + slot + " has no quota");
    }
    return s;
  }

  /**
   * Where a request's tokens come from: a quota slot, a key (null for the shared anonymous
   * bucket) and a cost; or a decision already made.
   */
  public static final class Target {
    private final int slot;
    private final @Nullable String key;
    private final long cost;
    private final @Nullable RateLimitDecision answer;

    private Target(int slot, @Nullable String key, long cost, @Nullable RateLimitDecision answer) {
      this.slot = slot;
      this.key = key;
      this.cost = cost;
      this.answer = answer;
    }

    static Target answered(RateLimitDecision decision) {
      return new Target(-1, null, 0, decision);
    }

    /** Returns the decision made without the store, if there is one. */
    public @Nullable RateLimitDecision answer() {
      return answer;
    }

    /** Returns the quota slot. */
    public int slot() {
      return slot;
    }

    /** Returns the key, or null for the shared anonymous bucket. */
    public @Nullable String key() {
      return key;
    }

    /** Returns the tokens to consume (at least 1). */
    public long cost() {
      return cost;
    }
  }
}
