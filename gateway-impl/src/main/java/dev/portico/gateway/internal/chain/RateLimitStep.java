package dev.portico.gateway.internal.chain;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.Exchange;
import dev.portico.gateway.FilterChain;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Problem;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.internal.http.FieldsHttpHeaders;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import dev.portico.gateway.ratelimit.RateLimitHeaders;
import dev.portico.gateway.ratelimit.RateLimitPolicy;
import dev.portico.gateway.ratelimit.RateLimiter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.eclipse.jetty.http.HttpFields;
import org.jspecify.annotations.Nullable;

/**
 * The engine's rate-limit step, after authentication and authorization and before the route's own
 * filters: asks the gateway's limiters, then the route's, one after the other, and stops at the
 * first that does not allow. Refusals are problems (429 with {@code Retry-After}, 403 without a
 * key, 503 when a limiter fails closed); allowed responses get the quota headers on their way
 * back. Not public API.
 */
public final class RateLimitStep implements ChainStep {
  private static final String POLICY = "RateLimit-Policy";
  private static final String RATE_LIMIT = "RateLimit";

  private final RateLimiter[] limiters;
  private final RateLimitHeaders headers;
  /**
   * Per limiter, the {@code RateLimit-Policy} items last written and the policies they describe: a
   * limiter applies the same few policies again and again. Racy on purpose: the records are
   * immutable (final fields), so a thread sees either an older entry or a newer one, never a torn one.
   */
  private final PolicyItems[] policyItems;

  private record PolicyItems(List<RateLimitPolicy> policies, String text) {}

  public RateLimitStep(List<RateLimiter> limiters, RateLimitHeaders headers) {
    this.limiters = limiters.toArray(RateLimiter[]::new);
    this.headers = headers;
    this.policyItems = new PolicyItems[this.limiters.length];
  }

  @Override
  public String name() {
    return "rate-limit";
  }

  @Override
  public CompletionStage<GatewayResponse> run(StepContext context, Exchange exchange, FilterChain chain) {
    return ask(context, exchange, chain, 0, new RateLimitDecision[limiters.length]);
  }

  /** Asks limiter {@code i}, having collected the allowed decisions of those before it. */
  private CompletionStage<GatewayResponse> ask(StepContext context, Exchange exchange, FilterChain chain, int i,
      RateLimitDecision[] allowed) {
    if (i == limiters.length) {
      if (i > 0) {
        context.rateLimited(tightest(allowed));
      }
      return chain.proceed(exchange).thenApply(response -> withQuotaHeaders(response, allowed));
    }
    RateLimiter limiter = limiters[i];
    CompletionStage<RateLimitDecision> stage = limiter.acquire(exchange);
    if (stage == null) {
      return CompletableFuture.failedFuture(new IllegalStateException(
          "rate limiter '" + limiter.name() + "' returned a null stage"));
    }
    return stage.thenCompose(decision -> {
      if (decision == null) {
        throw new IllegalStateException("rate limiter '" + limiter.name() + "' completed with a null decision");
      }
      context.observer().rateLimitDecided(limiter.name(), decision.kind());   // metrics
      if (decision.kind() != RateLimitDecision.Kind.ALLOWED) {
        context.rateLimited(AccessLogEntry.RateLimitOutcome.of(limiter.name(), decision));   // access log
      }
      return switch (decision.kind()) {
        case ALLOWED -> {
          allowed[i] = decision;
          yield ask(context, exchange, chain, i + 1, allowed);
        }
        case REJECTED -> answer(rejected(decision, i));
        case REFUSED -> answer(ProblemType.FORBIDDEN.withDetail(decision.detail().orElse("This request cannot be rate-limited.")));
        case UNAVAILABLE -> answer(new Problem(ProblemType.RATE_LIMIT_UNAVAILABLE,
            decision.detail().orElse("Rate limits cannot be checked right now."),
            HttpHeaders.builder().add("Retry-After", "1").build()));
      };
    });
  }

  /** The access log's outcome when every limiter allowed: the one with the fewest tokens left speaks. */
  private AccessLogEntry.RateLimitOutcome tightest(RateLimitDecision[] allowed) {
    int tightest = 0;
    for (int i = 1; i < allowed.length; i++) {
      if (allowed[i].policy().isPresent()
          && (allowed[tightest].policy().isEmpty() || allowed[i].remaining() < allowed[tightest].remaining())) {
        tightest = i;
      }
    }
    return AccessLogEntry.RateLimitOutcome.of(limiters[tightest].name(), allowed[tightest]);
  }

  private Problem rejected(RateLimitDecision decision, int limiter) {
    HttpHeaders.Builder extra = HttpHeaders.builder()
        .add("Retry-After", Long.toString(Math.max(1, seconds(decision.retryAfter()))));
    RateLimitDecision[] decisions = new RateLimitDecision[limiters.length];
    decisions[limiter] = decision;
    addQuotaHeaders(extra, decisions);
    String detail = decision.policy()
        .map(p -> "Over the rate limit of " + p.quota() + " per " + describe(p.window()) + ".")
        .orElse("Over the rate limit.");
    return new Problem(ProblemType.RATE_LIMITED, detail + " Retry after " + Math.max(1, seconds(decision.retryAfter()))
        + " s.", extra.build());
  }

  private GatewayResponse withQuotaHeaders(GatewayResponse response, RateLimitDecision[] decisions) {
    Quota quota = quota(decisions);
    if (quota == null) {
      return response;
    }
    if (response.headers() instanceof FieldsHttpHeaders view) {
      // The upstream's head as Jetty parsed it, copied without checking every field again: the
      // quota values are made here from numbers and policy names checked when the policy was made.
      HttpFields.Mutable out = HttpFields.build(FieldsHttpHeaders.fields(view));
      quota.addTo(out::add, out::put);
      return response.withHeaders(new FieldsHttpHeaders(out.asImmutable()));
    }
    HttpHeaders.Builder out = response.headers().toBuilder();
    quota.addTo(out::add, out::set);
    return response.withHeaders(out.build());
  }

  /**
   * Adds {@code RateLimit-Policy} (every policy applied) and {@code RateLimit} (the binding policy
   * of each limiter), appended to any the upstream sent, as the draft's list syntax allows; and the
   * legacy headers for the decision with the least remaining, replacing the upstream's.
   */
  private void addQuotaHeaders(HttpHeaders.Builder out, RateLimitDecision[] decisions) {
    Quota quota = quota(decisions);
    if (quota != null) {
      quota.addTo(out::add, out::set);
    }
  }

  /** The quota headers' values for {@code decisions}, or null when none is to be sent. */
  private @Nullable Quota quota(RateLimitDecision[] decisions) {
    if (headers == RateLimitHeaders.NONE) {
      return null;
    }
    StringBuilder policies = new StringBuilder();
    StringBuilder limits = new StringBuilder();
    RateLimitDecision tightest = null;
    for (int i = 0; i < decisions.length; i++) {
      RateLimitDecision d = decisions[i];
      if (d == null || d.policy().isEmpty()) {
        continue;
      }
      separate(policies).append(policyItems(i, d.policies()));
      separate(limits).append('"').append(d.policy().get().name()).append("\";r=").append(d.remaining())
          .append(";t=").append(seconds(d.reset()));
      if (tightest == null || d.remaining() < tightest.remaining()) {
        tightest = d;
      }
    }
    if (tightest == null) {
      return null;
    }
    return new Quota(policies.toString(), limits.toString(),
        headers == RateLimitHeaders.IETF_AND_LEGACY ? tightest : null);
  }

  /** The values of the quota headers; {@code legacy} is the decision the X-RateLimit headers tell, if sent. */
  private record Quota(String policies, String limits, @Nullable RateLimitDecision legacy) {
    /** Appends the list headers with {@code add} and replaces the legacy ones with {@code set}. */
    void addTo(BiConsumer<String, String> add, BiConsumer<String, String> set) {
      add.accept(POLICY, policies);
      add.accept(RATE_LIMIT, limits);
      if (legacy != null) {
        set.accept("X-RateLimit-Limit", Long.toString(legacy.policy().orElseThrow().quota()));
        set.accept("X-RateLimit-Remaining", Long.toString(legacy.remaining()));
        set.accept("X-RateLimit-Reset", Long.toString(seconds(legacy.reset())));
      }
    }
  }

  /** The {@code RateLimit-Policy} items of {@code policies}, from limiter {@code i}'s cache when it has them. */
  private String policyItems(int i, List<RateLimitPolicy> policies) {
    PolicyItems last = policyItems[i];
    if (last != null && last.policies.equals(policies)) {
      return last.text;
    }
    StringBuilder text = new StringBuilder();
    for (RateLimitPolicy p : policies) {
      separate(text).append('"').append(p.name()).append("\";q=").append(p.quota())
          .append(";w=").append(Math.max(1, seconds(p.window())));
    }
    PolicyItems items = new PolicyItems(List.copyOf(policies), text.toString());
    policyItems[i] = items;
    return items.text;
  }

  private static StringBuilder separate(StringBuilder sb) {
    return sb.isEmpty() ? sb : sb.append(", ");
  }

  /** Whole seconds, rounded up: a client that waits this long is never early. */
  private static long seconds(Duration d) {
    long s = d.getSeconds();
    return d.getNano() > 0 ? s + 1 : s;
  }

  private static String describe(Duration window) {
    long s = seconds(window);
    if (s % 3600 == 0) {
      return s == 3600 ? "hour" : s / 3600 + " hours";
    }
    if (s % 60 == 0) {
      return s == 60 ? "minute" : s / 60 + " minutes";
    }
    return s == 1 ? "second" : s + " seconds";
  }

  private static CompletionStage<GatewayResponse> answer(Problem problem) {
    return CompletableFuture.completedFuture(GatewayResponse.problem(problem));
  }
}
