package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.auth.AccessRule;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.cache.CachePolicy;
import dev.portico.gateway.cors.CorsPolicy;
import dev.portico.gateway.ratelimit.ConcurrencyLimit;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.transform.HeaderRules;
import dev.portico.gateway.transform.QueryRules;
import dev.portico.gateway.validation.RequestValidation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Route policies set apart from a route: the gateway's route defaults
 * ({@link Gateway.Builder#routeDefaults(Consumer)}), which every route inherits, and a route's
 * per-method policies ({@link Route.Builder#methodPolicies(String, Consumer)}), which apply to
 * requests with that method only. The setters are the {@link Route.Builder}'s, with the same names
 * and meaning.
 *
 * <pre>{@code
 * Gateway.builder()
 *     .routeDefaults(d -> d
 *         .requestHeaders(h -> h.set("X-Gateway", "portico"))
 *         .maxRequestBodySize(1_000_000)
 *         .responseTimeout(Duration.ofSeconds(5)))
 *     .route("orders", r -> r
 *         .path("/orders/**")
 *         .authenticator(jwt)
 *         .methodPolicies("POST", m -> m
 *             .authorize(AccessRule.scopes("orders:write"))
 *             .validate(v -> v.jsonSchema(ordersSchema))))
 *     .build();
 * }</pre>
 *
 * <h2>How a policy is inherited</h2>
 * Each policy is one slot, inherited whole: a route inherits every default it does not set, and a
 * route that sets one replaces the default (header rules included: a route's
 * {@code requestHeaders(...)} replaces the default rules, it is not merged with them, so what a
 * route sends is read in one place). In the same way a method's block replaces the route's value
 * for that method. The one exception is access rules ({@code authorize}): a method's rules are
 * added to the route's, so a method block can only narrow who gets through. A route or a block
 * drops an inherited policy with the {@code no...()} setters ({@link Builder#noRateLimit()},
 * {@link Builder#noValidation()}, ...) or by setting {@code HeaderRules.none()}.
 *
 * <p>Route defaults cannot say {@code permitAll()} or {@code authorize(...)} (anonymous access and
 * access rules are said per route or method), and a method block cannot set {@code cors} or
 * {@code ipRules} (a preflight is answered, and a client address checked, per route, before any
 * method's policies).
 */
public final class Policies {
  private static final Policies NONE = new Builder().build();

  private final Set<PolicySlot> declared;
  private final @Nullable Authenticator authenticator;
  private final boolean permitAll;
  private final List<AccessRule> accessRules;
  private final @Nullable IdentityForwarding identityForwarding;
  private final List<RateLimiter> rateLimiters;
  private final @Nullable ConcurrencyLimit concurrencyLimit;
  private final long maxRequestBodySize;
  private final @Nullable HeaderRules requestHeaders;
  private final @Nullable HeaderRules responseHeaders;
  private final @Nullable QueryRules requestQuery;
  private final @Nullable RequestValidation validation;
  private final @Nullable CorsPolicy cors;
  private final @Nullable Duration connectTimeout;
  private final @Nullable Duration responseTimeout;
  private final @Nullable Duration idleTimeout;
  private final @Nullable Duration requestBodyTimeout;
  private final IpRules ipRules;
  private final @Nullable CachePolicy cache;

  private Policies(Builder b) {
    this.declared = Collections.unmodifiableSet(PolicySlot.copy(b.declared));
    this.authenticator = b.authenticator;
    this.permitAll = b.permitAll;
    this.accessRules = List.copyOf(b.accessRules);
    this.identityForwarding = b.identityForwarding;
    this.rateLimiters = List.copyOf(b.rateLimiters);
    this.concurrencyLimit = b.concurrencyLimit;
    this.maxRequestBodySize = b.maxRequestBodySize;
    this.requestHeaders = b.requestHeaders;
    this.responseHeaders = b.responseHeaders;
    this.requestQuery = b.requestQuery;
    this.validation = b.validation;
    this.cors = b.cors;
    this.connectTimeout = b.connectTimeout;
    this.responseTimeout = b.responseTimeout;
    this.idleTimeout = b.idleTimeout;
    this.requestBodyTimeout = b.requestBodyTimeout;
    this.ipRules = b.ipRules;
    this.cache = b.cache;
  }

  /** Returns a new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the empty set of policies, which sets nothing. */
  public static Policies none() {
    return NONE;
  }

  /**
   * Returns the names of the policies set here, as the builder methods are named
   * ({@code requestHeaders}, {@code rateLimiter}, {@code authorize}, ...), in a fixed order.
   */
  public Set<String> declared() {
    Set<String> names = new LinkedHashSet<>();
    declared.forEach(s -> names.add(s.key()));
    return Collections.unmodifiableSet(names);
  }

  /** Returns whether nothing is set here. */
  public boolean isEmpty() {
    return declared.isEmpty();
  }

  /** Returns a builder that starts from these policies. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.declared.addAll(declared);
    b.authenticator = authenticator;
    b.permitAll = permitAll;
    b.accessRules.addAll(accessRules);
    b.identityForwarding = identityForwarding;
    b.rateLimiters.addAll(rateLimiters);
    b.concurrencyLimit = concurrencyLimit;
    b.maxRequestBodySize = maxRequestBodySize;
    b.requestHeaders = requestHeaders;
    b.responseHeaders = responseHeaders;
    b.requestQuery = requestQuery;
    b.validation = validation;
    b.cors = cors;
    b.connectTimeout = connectTimeout;
    b.responseTimeout = responseTimeout;
    b.idleTimeout = idleTimeout;
    b.requestBodyTimeout = requestBodyTimeout;
    b.ipRules = ipRules;
    b.cache = cache;
    return b;
  }

  Set<PolicySlot> slots() {
    return declared;
  }

  boolean permitAllSet() {
    return permitAll;
  }

  @Nullable Authenticator authenticatorOrNull() {
    return authenticator;
  }

  @Nullable CorsPolicy corsOrNull() {
    return cors;
  }

  /**
   * Sets on {@code route} every policy declared here that is not in {@code skip}; access rules are
   * added to the route's. Returns the slots it set.
   */
  Set<PolicySlot> applyTo(Route.Builder route, Set<PolicySlot> skip) {
    Set<PolicySlot> applied = EnumSet.noneOf(PolicySlot.class);
    for (PolicySlot slot : declared) {
      if (skip.contains(slot)) {
        continue;
      }
      applied.add(slot);
      switch (slot) {
        case AUTHENTICATION -> route.authentication(authenticator, permitAll);
        case ACCESS_RULES -> accessRules.forEach(route::authorize);
        case IDENTITY_FORWARDING -> route.identityForwarding(requireNonNull(identityForwarding));
        case RATE_LIMITERS -> {
          route.noRateLimit();
          rateLimiters.forEach(route::rateLimiter);
        }
        case CONCURRENCY_LIMIT -> {
          if (concurrencyLimit == null) {
            route.noConcurrencyLimit();
          } else {
            route.concurrencyLimit(concurrencyLimit);
          }
        }
        case MAX_REQUEST_BODY_SIZE -> {
          if (maxRequestBodySize < 0) {
            route.noMaxRequestBodySize();
          } else {
            route.maxRequestBodySize(maxRequestBodySize);
          }
        }
        case REQUEST_HEADERS -> route.requestHeaders(requireNonNull(requestHeaders));
        case RESPONSE_HEADERS -> route.responseHeaders(requireNonNull(responseHeaders));
        case REQUEST_QUERY -> route.requestQuery(requireNonNull(requestQuery));
        case VALIDATION -> {
          if (validation == null) {
            route.noValidation();
          } else {
            route.validate(validation);
          }
        }
        case CORS -> {
          if (cors == null) {
            route.noCors();
          } else {
            route.cors(cors);
          }
        }
        case CONNECT_TIMEOUT -> route.connectTimeout(requireNonNull(connectTimeout));
        case RESPONSE_TIMEOUT -> route.responseTimeout(requireNonNull(responseTimeout));
        case IDLE_TIMEOUT -> route.idleTimeout(requireNonNull(idleTimeout));
        case REQUEST_BODY_TIMEOUT -> route.requestBodyTimeout(requireNonNull(requestBodyTimeout));
        case IP_RULES -> route.ipRules(ipRules);
        case CACHE -> {
          if (cache == null) {
            route.noCache();
          } else {
            route.cache(cache);
          }
        }
      }
    }
    return applied;
  }

  /** Sets on {@code b} every policy declared here, replacing what it had for each. */
  void applyTo(Builder b) {
    for (PolicySlot slot : declared) {
      b.declared.add(slot);
      switch (slot) {
        case AUTHENTICATION -> {
          b.authenticator = authenticator;
          b.permitAll = permitAll;
        }
        case ACCESS_RULES -> b.accessRules.addAll(accessRules);
        case IDENTITY_FORWARDING -> b.identityForwarding = identityForwarding;
        case RATE_LIMITERS -> {
          b.rateLimiters.clear();
          b.rateLimiters.addAll(rateLimiters);
        }
        case CONCURRENCY_LIMIT -> b.concurrencyLimit = concurrencyLimit;
        case MAX_REQUEST_BODY_SIZE -> b.maxRequestBodySize = maxRequestBodySize;
        case REQUEST_HEADERS -> b.requestHeaders = requestHeaders;
        case RESPONSE_HEADERS -> b.responseHeaders = responseHeaders;
        case REQUEST_QUERY -> b.requestQuery = requestQuery;
        case VALIDATION -> b.validation = validation;
        case CORS -> b.cors = cors;
        case CONNECT_TIMEOUT -> b.connectTimeout = connectTimeout;
        case RESPONSE_TIMEOUT -> b.responseTimeout = responseTimeout;
        case IDLE_TIMEOUT -> b.idleTimeout = idleTimeout;
        case REQUEST_BODY_TIMEOUT -> b.requestBodyTimeout = requestBodyTimeout;
        case IP_RULES -> b.ipRules = ipRules;
        case CACHE -> b.cache = cache;
      }
    }
  }

  @Override
  public String toString() {
    return "Policies" + declared();
  }

  /**
   * Builds {@link Policies}. Each setter sets one policy, as the {@link Route.Builder} setter of the
   * same name does; {@link #build()} reports the first invalid value.
   */
  public static final class Builder {
    private final Set<PolicySlot> declared = EnumSet.noneOf(PolicySlot.class);
    private final List<String> errors = new ArrayList<>();
    private @Nullable Authenticator authenticator;
    private boolean permitAll;
    private final List<AccessRule> accessRules = new ArrayList<>();
    private @Nullable IdentityForwarding identityForwarding;
    private final List<RateLimiter> rateLimiters = new ArrayList<>();
    private @Nullable ConcurrencyLimit concurrencyLimit;
    private long maxRequestBodySize = -1;
    private @Nullable HeaderRules requestHeaders;
    private @Nullable HeaderRules responseHeaders;
    private @Nullable QueryRules requestQuery;
    private @Nullable RequestValidation validation;
    private @Nullable CorsPolicy cors;
    private @Nullable Duration connectTimeout;
    private @Nullable Duration responseTimeout;
    private @Nullable Duration idleTimeout;
    private @Nullable Duration requestBodyTimeout;
    private IpRules ipRules = IpRules.none();
    private @Nullable CachePolicy cache;

    Builder() {}

    /** Sets the client address rules; see {@link Route.Builder#ipRules(IpRules)}. */
    public Builder ipRules(IpRules rules) {
      this.ipRules = requireNonNull(rules, "rules");
      declared.add(PolicySlot.IP_RULES);
      return this;
    }

    /** Sets the client address rules {@code spec} builds; see {@link Route.Builder#ipRules(Consumer)}. */
    public Builder ipRules(Consumer<IpRules.Builder> spec) {
      IpRules rules = built("ipRules", spec, IpRules.builder(), IpRules.Builder::build);
      return rules == null ? this : ipRules(rules);
    }

    /** Authenticates with {@code authenticator}; see {@link Route.Builder#authenticator(Authenticator)}. */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = requireNonNull(authenticator, "authenticator");
      this.permitAll = false;
      declared.add(PolicySlot.AUTHENTICATION);
      return this;
    }

    /** Lets anyone through without authentication; see {@link Route.Builder#permitAll()}. */
    public Builder permitAll() {
      this.permitAll = true;
      this.authenticator = null;
      declared.add(PolicySlot.AUTHENTICATION);
      return this;
    }

    /** Adds an access rule, to the ones inherited; see {@link Route.Builder#authorize(AccessRule)}. */
    public Builder authorize(AccessRule rule) {
      accessRules.add(requireNonNull(rule, "rule"));
      declared.add(PolicySlot.ACCESS_RULES);
      return this;
    }

    /** Sets what the upstream is told about the caller; see {@link Route.Builder#identityForwarding}. */
    public Builder identityForwarding(IdentityForwarding forwarding) {
      this.identityForwarding = requireNonNull(forwarding, "forwarding");
      declared.add(PolicySlot.IDENTITY_FORWARDING);
      return this;
    }

    /**
     * Adds a rate limiter; the limiters set here replace the inherited ones as a whole. See
     * {@link Route.Builder#rateLimiter(RateLimiter)}.
     */
    public Builder rateLimiter(RateLimiter limiter) {
      rateLimiters.add(requireNonNull(limiter, "limiter"));
      declared.add(PolicySlot.RATE_LIMITERS);
      return this;
    }

    /** Drops the inherited rate limiters (the gateway-wide ones still apply). */
    public Builder noRateLimit() {
      rateLimiters.clear();
      declared.add(PolicySlot.RATE_LIMITERS);
      return this;
    }

    /** Sets the concurrency limit; see {@link Route.Builder#concurrencyLimit(ConcurrencyLimit)}. */
    public Builder concurrencyLimit(ConcurrencyLimit limit) {
      this.concurrencyLimit = requireNonNull(limit, "limit");
      declared.add(PolicySlot.CONCURRENCY_LIMIT);
      return this;
    }

    /** Drops the inherited concurrency limit. */
    public Builder noConcurrencyLimit() {
      this.concurrencyLimit = null;
      declared.add(PolicySlot.CONCURRENCY_LIMIT);
      return this;
    }

    /** Sets the largest request body; see {@link Route.Builder#maxRequestBodySize(long)}. */
    public Builder maxRequestBodySize(long bytes) {
      if (bytes < 0) {
        errors.add("maxRequestBodySize: " + bytes + " (expected: >= 0)");
      } else {
        this.maxRequestBodySize = bytes;
        declared.add(PolicySlot.MAX_REQUEST_BODY_SIZE);
      }
      return this;
    }

    /** Drops the inherited request body limit. */
    public Builder noMaxRequestBodySize() {
      this.maxRequestBodySize = -1;
      declared.add(PolicySlot.MAX_REQUEST_BODY_SIZE);
      return this;
    }

    /** Sets the upstream request's header rules, replacing the inherited ones. */
    public Builder requestHeaders(HeaderRules rules) {
      this.requestHeaders = requireNonNull(rules, "rules");
      declared.add(PolicySlot.REQUEST_HEADERS);
      return this;
    }

    /** Sets the upstream request's header rules that {@code spec} builds. */
    public Builder requestHeaders(Consumer<HeaderRules.Builder> spec) {
      HeaderRules rules = built("requestHeaders", spec, HeaderRules.builder(), HeaderRules.Builder::build);
      return rules == null ? this : requestHeaders(rules);
    }

    /** Sets the response's header rules, replacing the inherited ones. */
    public Builder responseHeaders(HeaderRules rules) {
      this.responseHeaders = requireNonNull(rules, "rules");
      declared.add(PolicySlot.RESPONSE_HEADERS);
      return this;
    }

    /** Sets the response's header rules that {@code spec} builds. */
    public Builder responseHeaders(Consumer<HeaderRules.Builder> spec) {
      HeaderRules rules = built("responseHeaders", spec, HeaderRules.builder(), HeaderRules.Builder::build);
      return rules == null ? this : responseHeaders(rules);
    }

    /** Sets the upstream request's query rules, replacing the inherited ones. */
    public Builder requestQuery(QueryRules rules) {
      this.requestQuery = requireNonNull(rules, "rules");
      declared.add(PolicySlot.REQUEST_QUERY);
      return this;
    }

    /** Sets the upstream request's query rules that {@code spec} builds. */
    public Builder requestQuery(Consumer<QueryRules.Builder> spec) {
      QueryRules rules = built("requestQuery", spec, QueryRules.builder(), QueryRules.Builder::build);
      return rules == null ? this : requestQuery(rules);
    }

    /** Sets the request validation; see {@link Route.Builder#validate(RequestValidation)}. */
    public Builder validate(RequestValidation validation) {
      this.validation = requireNonNull(validation, "validation");
      declared.add(PolicySlot.VALIDATION);
      return this;
    }

    /** Sets the request validation that {@code spec} builds. */
    public Builder validate(Consumer<RequestValidation.Builder> spec) {
      RequestValidation v = built("validate", spec, RequestValidation.builder(), RequestValidation.Builder::build);
      return v == null ? this : validate(v);
    }

    /** Drops the inherited request validation. */
    public Builder noValidation() {
      this.validation = null;
      declared.add(PolicySlot.VALIDATION);
      return this;
    }

    /** Sets the CORS policy (route defaults only). */
    public Builder cors(CorsPolicy policy) {
      this.cors = requireNonNull(policy, "policy");
      declared.add(PolicySlot.CORS);
      return this;
    }

    /** Sets the CORS policy that {@code spec} builds (route defaults only). */
    public Builder cors(Consumer<CorsPolicy.Builder> spec) {
      CorsPolicy policy = built("cors", spec, CorsPolicy.builder(), CorsPolicy.Builder::build);
      return policy == null ? this : cors(policy);
    }

    /** Drops the inherited CORS policy. */
    public Builder noCors() {
      this.cors = null;
      declared.add(PolicySlot.CORS);
      return this;
    }

    /** Sets all four timeouts; see {@link Route.Builder#timeouts(Timeouts)}. */
    public Builder timeouts(Timeouts timeouts) {
      requireNonNull(timeouts, "timeouts");
      return connectTimeout(timeouts.connect()).responseTimeout(timeouts.response()).idleTimeout(timeouts.idle())
          .requestBodyTimeout(timeouts.requestBody());
    }

    /** Sets the connect timeout; see {@link Route.Builder#connectTimeout(Duration)}. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = checked("connectTimeout", timeout, PolicySlot.CONNECT_TIMEOUT);
      return this;
    }

    /** Sets the response timeout; see {@link Route.Builder#responseTimeout(Duration)}. */
    public Builder responseTimeout(Duration timeout) {
      this.responseTimeout = checked("responseTimeout", timeout, PolicySlot.RESPONSE_TIMEOUT);
      return this;
    }

    /** Sets the idle timeout; see {@link Route.Builder#idleTimeout(Duration)}. */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = checked("idleTimeout", timeout, PolicySlot.IDLE_TIMEOUT);
      return this;
    }

    /** Sets the request body timeout; see {@link Route.Builder#requestBodyTimeout(Duration)}. */
    public Builder requestBodyTimeout(Duration timeout) {
      this.requestBodyTimeout = checked("requestBodyTimeout", timeout, PolicySlot.REQUEST_BODY_TIMEOUT);
      return this;
    }

    /** Sets the response cache; see {@link Route.Builder#cache(CachePolicy)}. */
    public Builder cache(CachePolicy policy) {
      this.cache = requireNonNull(policy, "policy");
      declared.add(PolicySlot.CACHE);
      return this;
    }

    /** Sets the response cache that {@code spec} builds. */
    public Builder cache(Consumer<CachePolicy.Builder> spec) {
      CachePolicy policy = built("cache", spec, CachePolicy.builder(), CachePolicy.Builder::build);
      return policy == null ? this : cache(policy);
    }

    /** Drops the inherited response cache. */
    public Builder noCache() {
      this.cache = null;
      declared.add(PolicySlot.CACHE);
      return this;
    }

    private @Nullable Duration checked(String field, Duration timeout, PolicySlot slot) {
      requireNonNull(timeout, "timeout");
      try {
        Timeouts.DEFAULT.withConnect(timeout);
      } catch (IllegalArgumentException e) {
        errors.add(field + ": " + e.getMessage());
        return null;
      }
      declared.add(slot);
      return timeout;
    }

    private <B, T> @Nullable T built(String field, Consumer<B> spec, B builder, Function<B, T> build) {
      requireNonNull(spec, "spec");
      spec.accept(builder);
      try {
        return build.apply(builder);
      } catch (IllegalArgumentException | IllegalStateException e) {
        errors.add(field + ": " + e.getMessage());
        return null;
      }
    }

    /**
     * Returns the immutable policies.
     *
     * @throws IllegalStateException naming the field of the first invalid value
     */
    public Policies build() {
      if (!errors.isEmpty()) {
        throw new IllegalStateException(errors.get(0));
      }
      return new Policies(this);
    }
  }
}
