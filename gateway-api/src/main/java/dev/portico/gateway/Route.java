package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.auth.AccessRule;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.cache.CachePolicy;
import dev.portico.gateway.internal.syntax.HttpSyntax;
import dev.portico.gateway.ratelimit.ConcurrencyLimit;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.cors.CorsPolicy;
import dev.portico.gateway.routing.FieldCondition;
import dev.portico.gateway.routing.HostPattern;
import dev.portico.gateway.routing.PathPattern;
import dev.portico.gateway.transform.HeaderRules;
import dev.portico.gateway.transform.JsonTransform;
import dev.portico.gateway.transform.QueryRules;
import dev.portico.gateway.validation.RequestValidation;
import dev.portico.gateway.upstream.RetryPolicy;
import dev.portico.gateway.upstream.RequestMirror;
import dev.portico.gateway.upstream.TrafficSplit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A named rule: which requests it takes (path pattern, methods, hosts, header and query
 * conditions), what runs on them (filters), and where they go (upstream, path rewrite, timeouts).
 *
 * <pre>{@code
 * Route orders = Route.builder("orders")
 *     .path("/api/orders/{id}")
 *     .methods("GET", "PUT")
 *     .rewritePath("/orders/{id}")
 *     .upstream("http://orders:8080")
 *     .responseTimeout(Duration.ofSeconds(3))
 *     .build();
 * }</pre>
 *
 * <p>A request matches a route when the path pattern matches its normalized path, its method is
 * one of {@link #methods()} (any, when empty), its host matches one of {@link #hosts()} (any, when
 * empty), and every header and query condition holds. Among matching routes the most specific path
 * wins; see {@link PathPattern} for the rule. Routes are usually declared through
 * {@link Gateway.Builder#route(String, java.util.function.Consumer)}.
 */
public final class Route {
  private final String id;
  private final PathPattern path;
  private final Set<String> methods;
  private final List<HostPattern> hosts;
  private final List<FieldCondition> headers;
  private final List<FieldCondition> queryParams;
  private final @Nullable Upstream upstream;
  private final @Nullable String upstreamGroup;
  private final @Nullable TrafficSplit split;
  private final @Nullable RequestMirror mirror;
  private final RetryPolicy retryPolicy;
  private final @Nullable WebSocketSettings webSocket;
  private final PathRewrite rewrite;
  private final boolean preserveHost;
  private final Timeouts timeouts;
  private final List<Filter> filters;
  private final @Nullable Authenticator authenticator;
  private final boolean permitAll;
  private final List<AccessRule> accessRules;
  private final IdentityForwarding identityForwarding;
  private final List<RateLimiter> rateLimiters;
  private final @Nullable ConcurrencyLimit concurrencyLimit;
  private final @Nullable CachePolicy cache;
  private final long maxRequestBodySize;
  // Adaptation, validation, CORS and error policies.
  private final HeaderRules requestHeaders;
  private final HeaderRules responseHeaders;
  private final QueryRules requestQuery;
  private final @Nullable String methodOverride;
  private final @Nullable JsonTransform requestJson;
  private final @Nullable JsonTransform responseJson;
  private final @Nullable RequestValidation validation;
  private final @Nullable CorsPolicy cors;
  private final IpRules ipRules;
  private final @Nullable ErrorMapper errorMapper;
  private final @Nullable UpstreamErrors upstreamErrors;
  // Defaults and per-method policies.
  private final Set<PolicySlot> declared;
  private final Set<PolicySlot> inherited;
  private final Map<String, Policies> methodPolicies;
  private final Map<String, Route> byMethod;

  private Route(Builder b, PathPattern path, @Nullable Upstream upstream, @Nullable String upstreamGroup,
      Map<String, Route> byMethod) {
    this.id = b.id;
    this.path = path;
    this.methods = Set.copyOf(b.methods);
    this.hosts = List.copyOf(b.hosts);
    this.headers = List.copyOf(b.headers);
    this.queryParams = List.copyOf(b.queryParams);
    this.upstream = upstream;
    this.upstreamGroup = upstreamGroup;
    this.split = b.split;
    this.mirror = b.mirror;
    this.retryPolicy = b.retryPolicy;
    this.webSocket = b.webSocket;
    this.rewrite = b.rewrite;
    this.preserveHost = b.preserveHost;
    this.timeouts = b.timeouts;
    this.filters = List.copyOf(b.filters);
    this.authenticator = b.authenticator;
    this.permitAll = b.permitAll;
    this.accessRules = List.copyOf(b.accessRules);
    this.identityForwarding = b.identityForwarding;
    this.rateLimiters = List.copyOf(b.rateLimiters);
    this.concurrencyLimit = b.concurrencyLimit;
    this.cache = b.cache;
    this.maxRequestBodySize = b.maxRequestBodySize;
    this.requestHeaders = b.requestHeaders;
    this.responseHeaders = b.responseHeaders;
    this.requestQuery = b.requestQuery;
    this.methodOverride = b.methodOverride;
    this.requestJson = b.requestJson;
    this.responseJson = b.responseJson;
    this.validation = b.validation;
    this.cors = b.cors;
    this.ipRules = b.ipRules;
    this.errorMapper = b.errorMapper;
    this.upstreamErrors = b.upstreamErrors;
    this.declared = Collections.unmodifiableSet(PolicySlot.copy(b.declared));
    this.inherited = Collections.unmodifiableSet(PolicySlot.copy(b.inherited));
    this.methodPolicies = Collections.unmodifiableMap(new LinkedHashMap<>(b.methodPolicies));
    this.byMethod = Map.copyOf(byMethod);
  }

  /** Returns a builder for a route named {@code id}. */
  public static Builder builder(String id) {
    return new Builder(id);
  }

  /** Returns the route's id, unique within its gateway. */
  public String id() {
    return id;
  }

  /** Returns the path pattern. */
  public PathPattern path() {
    return path;
  }

  /** Returns the accepted methods in upper case; empty means any method. */
  public Set<String> methods() {
    return methods;
  }

  /** Returns the host patterns, one of which must match; empty means any host. */
  public List<HostPattern> hosts() {
    return hosts;
  }

  /** Returns the header conditions, all of which must hold. */
  public List<FieldCondition> headers() {
    return headers;
  }

  /** Returns the query parameter conditions, all of which must hold. */
  public List<FieldCondition> queryParams() {
    return queryParams;
  }

  /**
   * Returns the single upstream requests go to, when the route names one directly; empty when it
   * sends to an {@link #upstreamGroup() upstream group}. Exactly one of the two is present.
   */
  public Optional<Upstream> upstream() {
    return Optional.ofNullable(upstream);
  }

  /**
   * Returns the name of the {@link dev.portico.gateway.upstream.UpstreamGroup} requests go to, when
   * the route sends to one; the gateway defines it.
   */
  public Optional<String> upstreamGroup() {
    return Optional.ofNullable(upstreamGroup);
  }

  /**
   * Returns how the route shares its traffic between upstream groups, if it does; then
   * {@link #upstreamGroup()} is the split's first side, its default.
   */
  public Optional<TrafficSplit> split() {
    return Optional.ofNullable(split);
  }

  /** Returns where the route copies a share of its requests, if it does; see {@link RequestMirror}. */
  public Optional<RequestMirror> mirror() {
    return Optional.ofNullable(mirror);
  }

  /** Returns when a failed request is tried again ({@link RetryPolicy#none()} by default). */
  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /**
   * Returns the WebSocket settings when the route accepts {@code Upgrade: websocket} requests and
   * proxies them as WebSocket connections; empty when it proxies them as plain HTTP.
   */
  public Optional<WebSocketSettings> webSocket() {
    return Optional.ofNullable(webSocket);
  }

  /** Returns how the path is rewritten for the upstream. */
  public PathRewrite rewrite() {
    return rewrite;
  }

  /** Returns whether the client's {@code Host} is sent upstream instead of the upstream's. */
  public boolean preserveHost() {
    return preserveHost;
  }

  /** Returns the upstream timeouts. */
  public Timeouts timeouts() {
    return timeouts;
  }

  /** Returns the route's own filters, in order; they run after the gateway's global filters. */
  public List<Filter> filters() {
    return filters;
  }

  /** Returns the route's own authenticator, which replaces the gateway's default; empty to inherit it. */
  public Optional<Authenticator> authenticator() {
    return Optional.ofNullable(authenticator);
  }

  /** Returns whether the route explicitly allows anonymous access (no authentication at all). */
  public boolean permitAll() {
    return permitAll;
  }

  /** Returns the access rules, all of which must allow; they run after authentication. */
  public List<AccessRule> accessRules() {
    return accessRules;
  }

  /** Returns what the upstream is told about the authenticated caller. */
  public IdentityForwarding identityForwarding() {
    return identityForwarding;
  }

  /**
   * Returns the route's rate limiters, in the order they are asked; they run after the gateway's
   * own, after authentication and authorization, and before the route's filters.
   */
  public List<RateLimiter> rateLimiters() {
    return rateLimiters;
  }

  /** Returns the route's concurrency limit (bulkhead), if it has one. */
  public Optional<ConcurrencyLimit> concurrencyLimit() {
    return Optional.ofNullable(concurrencyLimit);
  }

  /** Returns the route's response cache policy, if it caches; see {@link Builder#cache(CachePolicy)}. */
  public Optional<CachePolicy> cache() {
    return Optional.ofNullable(cache);
  }

  /** Returns the largest request body the route accepts, in bytes; empty when unlimited. */
  public OptionalLong maxRequestBodySize() {
    return maxRequestBodySize < 0 ? OptionalLong.empty() : OptionalLong.of(maxRequestBodySize);
  }

  /** Returns the header rules applied to the upstream request, after the route's filters. */
  public HeaderRules requestHeaders() {
    return requestHeaders;
  }

  /** Returns the header rules applied to the upstream's response, before the route's filters see it. */
  public HeaderRules responseHeaders() {
    return responseHeaders;
  }

  /** Returns the query rules applied to the upstream request. */
  public QueryRules requestQuery() {
    return requestQuery;
  }

  /** Returns the method sent upstream instead of the client's, if set. */
  public Optional<String> methodOverride() {
    return Optional.ofNullable(methodOverride);
  }

  /** Returns the JSON transformation of request bodies, if set. */
  public Optional<JsonTransform> requestJson() {
    return Optional.ofNullable(requestJson);
  }

  /** Returns the JSON transformation of the upstream's response bodies, if set. */
  public Optional<JsonTransform> responseJson() {
    return Optional.ofNullable(responseJson);
  }

  /** Returns the request validation, if set. */
  public Optional<RequestValidation> validation() {
    return Optional.ofNullable(validation);
  }

  /** Returns the route's own CORS policy, which replaces the gateway's; empty to inherit it. */
  public Optional<CorsPolicy> cors() {
    return Optional.ofNullable(cors);
  }

  /**
   * Returns the route's client address rules, checked after the gateway's ({@link
   * Gateway#ipRules()}): a request passes only if both let its client address through.
   * {@link IpRules#none()} when the route sets none.
   */
  public IpRules ipRules() {
    return ipRules;
  }

  /** Returns the route's own error mapper, which replaces the gateway's; empty to inherit it. */
  public Optional<ErrorMapper> errorMapper() {
    return Optional.ofNullable(errorMapper);
  }

  /** Returns what the route does with upstream 5xx responses; empty to inherit the gateway's setting. */
  public Optional<UpstreamErrors> upstreamErrors() {
    return Optional.ofNullable(upstreamErrors);
  }

  /**
   * Returns the route's per-method policies by method (in upper case), as declared with
   * {@link Builder#methodPolicies(String, Policies)}; empty when it has none.
   */
  public Map<String, Policies> methodPolicies() {
    return methodPolicies;
  }

  /**
   * Returns the route as it applies to requests with {@code method}, compared exactly as sent: the
   * method's policies over the route's (access rules added, every other policy the block sets
   * replacing the route's), or this route when no block applies. A {@code HEAD} request takes the
   * {@code GET} block when the route has none for {@code HEAD}: a server answers {@code HEAD} as it
   * answers {@code GET}, so it must not escape {@code GET}'s policies. The result has no
   * per-method policies of its own.
   */
  public Route forMethod(String method) {
    Route r = byMethod.get(method);
    return r == null ? this : r;
  }

  /**
   * Returns the names of the policies this route took from the gateway's route defaults
   * ({@link Gateway.Builder#routeDefaults(Consumer)}), as the builder methods are named; empty for
   * a route that was not built by a gateway, or that sets every policy the defaults set.
   */
  public Set<String> inheritedPolicies() {
    Set<String> names = new java.util.LinkedHashSet<>();
    inherited.forEach(s -> names.add(s.key()));
    return Collections.unmodifiableSet(names);
  }

  /** Whether the route itself (not its defaults) sets {@code slot}. */
  boolean declares(PolicySlot slot) {
    return declared.contains(slot);
  }

  /** The distinct routes that per-method policies make of this one (not this one). */
  List<Route> methodRoutes() {
    Set<Route> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
    distinct.addAll(byMethod.values());
    return List.copyOf(distinct);
  }

  /**
   * Returns this route with {@code defaults} applied: every policy the route does not set itself
   * is taken from them; this route when they set nothing.
   *
   * @throws IllegalStateException naming the route, when the result is not a valid route
   */
  Route withDefaults(Policies defaults) {
    if (defaults.isEmpty()) {
      return this;
    }
    Builder b = toBuilder();
    Set<PolicySlot> own = PolicySlot.copy(declared);
    Set<PolicySlot> taken = defaults.applyTo(b, own);
    b.declared.clear();
    b.declared.addAll(own);
    b.inherited.clear();
    b.inherited.addAll(taken);
    return b.build();
  }

  /** Returns a builder that starts from this route. */
  public Builder toBuilder() {
    Builder b = new Builder(id);
    b.path = path;
    b.methods.addAll(methods);
    b.hosts.addAll(hosts);
    b.headers.addAll(headers);
    b.queryParams.addAll(queryParams);
    b.upstream = upstream;
    b.upstreamGroup = upstreamGroup;
    b.split = split;
    b.mirror = mirror;
    b.retryPolicy = retryPolicy;
    b.webSocket = webSocket;
    b.rewrite = rewrite;
    b.preserveHost = preserveHost;
    b.timeouts = timeouts;
    b.filters.addAll(filters);
    b.authenticator = authenticator;
    b.permitAll = permitAll;
    b.accessRules.addAll(accessRules);
    b.identityForwarding = identityForwarding;
    b.rateLimiters.addAll(rateLimiters);
    b.concurrencyLimit = concurrencyLimit;
    b.cache = cache;
    b.maxRequestBodySize = maxRequestBodySize;
    b.requestHeaders = requestHeaders;
    b.responseHeaders = responseHeaders;
    b.requestQuery = requestQuery;
    b.methodOverride = methodOverride;
    b.requestJson = requestJson;
    b.responseJson = responseJson;
    b.validation = validation;
    b.cors = cors;
    b.ipRules = ipRules;
    b.errorMapper = errorMapper;
    b.upstreamErrors = upstreamErrors;
    b.declared.addAll(declared);
    b.inherited.addAll(inherited);
    b.methodPolicies.putAll(methodPolicies);
    return b;
  }

  /**
   * Returns whether every request this route accepts (apart from the path) is also accepted by
   * {@code other}: used to find routes that can never match.
   */
  boolean predicatesCoveredBy(Route other) {
    if (!other.methods.isEmpty() && (methods.isEmpty() || !other.methods.containsAll(methods))) {
      return false;
    }
    if (!other.hosts.isEmpty()) {
      if (hosts.isEmpty()) {
        return false;
      }
      for (HostPattern mine : hosts) {
        if (other.hosts.stream().noneMatch(theirs -> hostCoveredBy(mine, theirs))) {
          return false;
        }
      }
    }
    return implied(other.headers, headers, true) && implied(other.queryParams, queryParams, false);
  }

  /** Whether every host {@code mine} matches is matched by {@code theirs}. */
  private static boolean hostCoveredBy(HostPattern mine, HostPattern theirs) {
    if (!mine.isWildcard()) {
      return theirs.matches(mine.pattern());
    }
    // *.a.example.com is covered by *.a.example.com and *.example.com, not by *.b.example.com.
    return theirs.isWildcard() && mine.pattern().substring(1).toLowerCase(Locale.ROOT)
        .endsWith(theirs.pattern().substring(1).toLowerCase(Locale.ROOT));
  }

  /** Whether each condition in {@code required} is implied by one in {@code given}. */
  private static boolean implied(List<FieldCondition> required, List<FieldCondition> given, boolean ignoreCase) {
    for (FieldCondition r : required) {
      boolean ok = given.stream().anyMatch(g -> (ignoreCase ? g.name().equalsIgnoreCase(r.name()) : g.name().equals(r.name()))
          && (r.value().isEmpty() || r.value().equals(g.value())));
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "Route{" + id + " " + (methods.isEmpty() ? "*" : String.join(",", new java.util.TreeSet<>(methods)))
        + " " + path + " -> " + (upstream != null ? upstream : "group " + upstreamGroup) + "}";
  }

  /**
   * Builds a {@link Route}. Setters record what they are given; {@link #build()} checks the whole
   * route and names the route and field in its message.
   */
  public static final class Builder {
    private final String id;
    private @Nullable PathPattern path;
    private @Nullable RuntimeException pathError;
    private final Set<String> methods = new LinkedHashSet<>();
    private final List<HostPattern> hosts = new ArrayList<>();
    private final List<FieldCondition> headers = new ArrayList<>();
    private final List<FieldCondition> queryParams = new ArrayList<>();
    private @Nullable Upstream upstream;
    private @Nullable RuntimeException upstreamError;
    private @Nullable String upstreamGroup;
    private @Nullable TrafficSplit split;
    private @Nullable RequestMirror mirror;
    private RetryPolicy retryPolicy = RetryPolicy.none();
    private @Nullable WebSocketSettings webSocket;
    private final List<String> errors = new ArrayList<>();
    private PathRewrite rewrite = PathRewrite.keep();
    private @Nullable RuntimeException rewriteError;
    private boolean preserveHost;
    private Timeouts timeouts = Timeouts.DEFAULT;
    private final List<Filter> filters = new ArrayList<>();
    private @Nullable Authenticator authenticator;
    private boolean permitAll;
    private final List<AccessRule> accessRules = new ArrayList<>();
    private IdentityForwarding identityForwarding = IdentityForwarding.defaults();
    private final List<RateLimiter> rateLimiters = new ArrayList<>();
    private @Nullable ConcurrencyLimit concurrencyLimit;
    private @Nullable CachePolicy cache;
    private long maxRequestBodySize = -1;
    private HeaderRules requestHeaders = HeaderRules.none();
    private HeaderRules responseHeaders = HeaderRules.none();
    private QueryRules requestQuery = QueryRules.none();
    private @Nullable String methodOverride;
    private @Nullable JsonTransform requestJson;
    private @Nullable JsonTransform responseJson;
    private @Nullable RequestValidation validation;
    private @Nullable CorsPolicy cors;
    private IpRules ipRules = IpRules.none();
    private @Nullable ErrorMapper errorMapper;
    private @Nullable UpstreamErrors upstreamErrors;
    private final Set<PolicySlot> declared = EnumSet.noneOf(PolicySlot.class);
    private final Set<PolicySlot> inherited = EnumSet.noneOf(PolicySlot.class);
    private final Map<String, Policies> methodPolicies = new LinkedHashMap<>();

    Builder(String id) {
      requireNonNull(id, "id");
      if (id.isBlank()) {
        throw new IllegalArgumentException("route id: blank");
      }
      this.id = id;
    }

    /** Matches the path with a segment pattern such as {@code /api/orders/**}; see {@link PathPattern}. */
    public Builder path(String pattern) {
      try {
        this.path = PathPattern.parse(pattern);
        this.pathError = null;
      } catch (IllegalArgumentException e) {
        this.path = null;
        this.pathError = e;
      }
      return this;
    }

    /** Matches the whole path with a regular expression; named groups become path variables. */
    public Builder pathRegex(String regex) {
      try {
        this.path = PathPattern.regex(regex);
        this.pathError = null;
      } catch (IllegalArgumentException e) {
        this.path = null;
        this.pathError = e;
      }
      return this;
    }

    /**
     * Accepts only these methods (any, when never called). Methods are written here in any case and
     * kept in upper case; a request's method is compared exactly, and one with a lower-case letter
     * ({@code delete}) is refused before routing (501, {@link ProblemType#METHOD_NOT_IMPLEMENTED}).
     */
    public Builder methods(String... methods) {
      for (String m : methods) {
        requireNonNull(m, "method");
        if (!HttpSyntax.isToken(m)) {
          errors.add("methods: '" + m + "' (expected: an HTTP method token such as GET)");
        } else {
          this.methods.add(m.toUpperCase(Locale.ROOT));
        }
      }
      return this;
    }

    /** Accepts only requests whose host matches one of {@code patterns} ({@code *.example.com} allowed). */
    public Builder hosts(String... patterns) {
      for (String p : patterns) {
        try {
          hosts.add(HostPattern.parse(p));
        } catch (IllegalArgumentException e) {
          errors.add("hosts: " + e.getMessage());
        }
      }
      return this;
    }

    /** Requires header {@code name} to be present. */
    public Builder header(String name) {
      requireNonNull(name, "name");
      if (HttpSyntax.isToken(name)) {
        headers.add(FieldCondition.present(name));
      } else {
        errors.add("header: '" + name + "' (expected: a header name)");
      }
      return this;
    }

    /** Requires header {@code name} to have {@code value}. */
    public Builder header(String name, String value) {
      requireNonNull(name, "name");
      requireNonNull(value, "value");
      if (HttpSyntax.isToken(name)) {
        headers.add(FieldCondition.equalTo(name, value));
      } else {
        errors.add("header: '" + name + "' (expected: a header name)");
      }
      return this;
    }

    /** Requires query parameter {@code name} (compared after percent-decoding) to be present. */
    public Builder queryParam(String name) {
      requireNonNull(name, "name");
      if (name.isEmpty()) {
        errors.add("queryParam: empty name");
      } else {
        queryParams.add(FieldCondition.present(name));
      }
      return this;
    }

    /** Requires query parameter {@code name} (compared after percent-decoding) to have {@code value}. */
    public Builder queryParam(String name, String value) {
      requireNonNull(name, "name");
      requireNonNull(value, "value");
      if (name.isEmpty()) {
        errors.add("queryParam: empty name");
      } else {
        queryParams.add(FieldCondition.equalTo(name, value));
      }
      return this;
    }

    /** Sends requests to {@code uri}; see {@link Upstream#of(String)}. */
    public Builder upstream(String uri) {
      try {
        this.upstream = Upstream.of(uri);
        this.upstreamError = null;
        this.upstreamGroup = null;
        this.split = null;
      } catch (IllegalArgumentException e) {
        this.upstream = null;
        this.upstreamError = e;
      }
      return this;
    }

    /** Sends requests to {@code upstream}. */
    public Builder upstream(Upstream upstream) {
      this.upstream = requireNonNull(upstream, "upstream");
      this.upstreamError = null;
      this.upstreamGroup = null;
      this.split = null;
      return this;
    }

    /**
     * Shares the route's traffic between upstream groups the gateway defines, by weight, header or
     * cookie rules and sticky keys (see {@link TrafficSplit}); replaces an {@code upstream(...)} or
     * {@code upstreamGroup(...)}.
     *
     * <pre>{@code
     * .split(s -> s.to("orders-v1", 90).to("orders-v2", 10).whenHeader("X-Canary", "on", "orders-v2"))
     * }</pre>
     */
    public Builder split(TrafficSplit split) {
      this.split = requireNonNull(split, "split");
      this.upstreamGroup = split.sides().iterator().next();
      this.upstream = null;
      this.upstreamError = null;
      return this;
    }

    /** Shares the route's traffic as the split {@code spec} builds; see {@link #split(TrafficSplit)}. */
    public Builder split(Consumer<TrafficSplit.Builder> spec) {
      TrafficSplit built = built("split", spec, TrafficSplit.builder(), TrafficSplit.Builder::build);
      return built == null ? this : split(built);
    }

    /**
     * Copies a share of the route's requests to a shadow upstream, whose answers are dropped (see
     * {@link RequestMirror}).
     *
     * <pre>{@code
     * .mirror(m -> m.to("http://orders-next:8080").percent(10).maxBodySize(64 * 1024))
     * }</pre>
     */
    public Builder mirror(RequestMirror mirror) {
      this.mirror = requireNonNull(mirror, "mirror");
      return this;
    }

    /** Copies requests as the mirror {@code spec} builds; see {@link #mirror(RequestMirror)}. */
    public Builder mirror(Consumer<RequestMirror.Builder> spec) {
      RequestMirror built = built("mirror", spec, RequestMirror.builder(), RequestMirror.Builder::build);
      return built == null ? this : mirror(built);
    }

    /**
     * Sends requests to the {@link dev.portico.gateway.upstream.UpstreamGroup} named {@code name},
     * defined on the gateway with
     * {@link Gateway.Builder#upstreamGroup(dev.portico.gateway.upstream.UpstreamGroup)}; replaces an
     * {@code upstream(...)}.
     */
    public Builder upstreamGroup(String name) {
      requireNonNull(name, "name");
      if (name.isBlank()) {
        errors.add("upstreamGroup: blank name");
      } else {
        this.upstreamGroup = name;
        this.upstream = null;
        this.upstreamError = null;
        this.split = null;
      }
      return this;
    }

    /** Tries failed requests again under {@code policy}; see {@link RetryPolicy} for the safety rules. */
    public Builder retry(RetryPolicy policy) {
      this.retryPolicy = requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Accepts WebSocket upgrades with {@link WebSocketSettings#defaults()}; see
     * {@link #websocket(WebSocketSettings)}.
     */
    public Builder websocket() {
      return websocket(WebSocketSettings.defaults());
    }

    /**
     * Accepts WebSocket upgrades: a {@code GET} with {@code Upgrade: websocket} that passes the
     * route's filters (authentication and rate limits included) is proxied as a WebSocket
     * connection. The gateway connects to the upstream first and switches the client's connection
     * only after the upstream answered 101 with a valid {@code Sec-WebSocket-Accept}; then frames
     * are relayed both ways. Supported on the Jetty core adapter, and on the servlet adapter through
     * the container's Jakarta WebSocket server (Jetty ee10, Tomcat 10.1 and later); a servlet
     * context without one answers 501 {@link ProblemType#WEBSOCKET_UNSUPPORTED}.
     */
    public Builder websocket(WebSocketSettings settings) {
      this.webSocket = requireNonNull(settings, "settings");
      return this;
    }

    /** Removes the first {@code segments} path segments before calling the upstream. */
    public Builder stripPrefix(int segments) {
      try {
        return rewrite(PathRewrite.stripPrefix(segments));
      } catch (IllegalArgumentException e) {
        this.rewriteError = new IllegalArgumentException("stripPrefix: " + e.getMessage(), e);
        return this;
      }
    }

    /** Rewrites the path with a template over the path variables, e.g. {@code /v2/users/{id}}. */
    public Builder rewritePath(String template) {
      try {
        return rewrite(PathRewrite.template(template));
      } catch (IllegalArgumentException e) {
        this.rewriteError = new IllegalArgumentException("rewritePath: " + e.getMessage(), e);
        return this;
      }
    }

    /** Sets the path rewrite. */
    public Builder rewrite(PathRewrite rewrite) {
      this.rewrite = requireNonNull(rewrite, "rewrite");
      this.rewriteError = null;
      return this;
    }

    /** Sends the client's {@code Host} upstream instead of the upstream's own authority. */
    public Builder preserveHost() {
      this.preserveHost = true;
      return this;
    }

    /** Sets all timeouts. */
    public Builder timeouts(Timeouts timeouts) {
      this.timeouts = requireNonNull(timeouts, "timeouts");
      declared.addAll(EnumSet.of(PolicySlot.CONNECT_TIMEOUT, PolicySlot.RESPONSE_TIMEOUT, PolicySlot.IDLE_TIMEOUT,
          PolicySlot.REQUEST_BODY_TIMEOUT));
      return this;
    }

    /** Limits connecting (TCP and TLS) to the upstream. */
    public Builder connectTimeout(Duration timeout) {
      this.timeouts = timeouts.withConnect(timeout);
      declared.add(PolicySlot.CONNECT_TIMEOUT);
      return this;
    }

    /** Limits the wait from sending the request to the upstream's response headers. */
    public Builder responseTimeout(Duration timeout) {
      this.timeouts = timeouts.withResponse(timeout);
      declared.add(PolicySlot.RESPONSE_TIMEOUT);
      return this;
    }

    /** Limits silence in either direction once the exchange is under way. */
    public Builder idleTimeout(Duration timeout) {
      this.timeouts = timeouts.withIdle(timeout);
      declared.add(PolicySlot.IDLE_TIMEOUT);
      return this;
    }

    /**
     * Limits the time the client's request body may take to arrive, from the gateway's first read
     * of it to its last byte ({@link Timeouts#requestBody()}, 60 s by default); when it runs out
     * the upstream request is aborted and the client gets 408.
     */
    public Builder requestBodyTimeout(Duration timeout) {
      this.timeouts = timeouts.withRequestBody(timeout);
      declared.add(PolicySlot.REQUEST_BODY_TIMEOUT);
      return this;
    }

    /** Adds a filter that runs for this route, after the gateway's global filters. */
    public Builder filter(Filter filter) {
      filters.add(requireNonNull(filter, "filter"));
      return this;
    }

    /** Authenticates this route's requests with {@code authenticator} instead of the gateway's default. */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = requireNonNull(authenticator, "authenticator");
      declared.add(PolicySlot.AUTHENTICATION);
      return this;
    }

    /**
     * Lets anyone through without authentication, even when the gateway has a default
     * authenticator. Anonymous access is never the accidental default: it must be said.
     */
    public Builder permitAll() {
      this.permitAll = true;
      declared.add(PolicySlot.AUTHENTICATION);
      return this;
    }

    /** Adds an access rule; all of a route's rules must allow (403 otherwise). */
    public Builder authorize(AccessRule rule) {
      accessRules.add(requireNonNull(rule, "rule"));
      declared.add(PolicySlot.ACCESS_RULES);
      return this;
    }

    /** Sets what the upstream is told about the authenticated caller. */
    public Builder identityForwarding(IdentityForwarding forwarding) {
      this.identityForwarding = requireNonNull(forwarding, "forwarding");
      declared.add(PolicySlot.IDENTITY_FORWARDING);
      return this;
    }

    /** Applies {@code rules} to the upstream request's headers (after the route's filters). */
    public Builder requestHeaders(HeaderRules rules) {
      this.requestHeaders = requireNonNull(rules, "rules");
      declared.add(PolicySlot.REQUEST_HEADERS);
      return this;
    }

    /** Applies the header rules {@code spec} builds to the upstream request. */
    public Builder requestHeaders(Consumer<HeaderRules.Builder> spec) {
      HeaderRules rules = built("requestHeaders", spec, HeaderRules.builder(), HeaderRules.Builder::build);
      return rules == null ? this : requestHeaders(rules);
    }

    /** Applies {@code rules} to the upstream's response headers (before the route's filters see them). */
    public Builder responseHeaders(HeaderRules rules) {
      this.responseHeaders = requireNonNull(rules, "rules");
      declared.add(PolicySlot.RESPONSE_HEADERS);
      return this;
    }

    /** Applies the header rules {@code spec} builds to the upstream's response. */
    public Builder responseHeaders(Consumer<HeaderRules.Builder> spec) {
      HeaderRules rules = built("responseHeaders", spec, HeaderRules.builder(), HeaderRules.Builder::build);
      return rules == null ? this : responseHeaders(rules);
    }

    /** Applies {@code rules} to the upstream request's query parameters. */
    public Builder requestQuery(QueryRules rules) {
      this.requestQuery = requireNonNull(rules, "rules");
      declared.add(PolicySlot.REQUEST_QUERY);
      return this;
    }

    /** Applies the query rules {@code spec} builds to the upstream request. */
    public Builder requestQuery(Consumer<QueryRules.Builder> spec) {
      QueryRules rules = built("requestQuery", spec, QueryRules.builder(), QueryRules.Builder::build);
      return rules == null ? this : requestQuery(rules);
    }

    /** Sends {@code method} upstream instead of the client's (the route still matches on the client's). */
    public Builder methodOverride(String method) {
      requireNonNull(method, "method");
      if (!HttpSyntax.isToken(method)) {
        errors.add("methodOverride: '" + method + "' (expected: an HTTP method token such as POST)");
      } else {
        this.methodOverride = method.toUpperCase(Locale.ROOT);
      }
      return this;
    }

    /** Transforms JSON request bodies with {@code transform} before they go upstream. */
    public Builder requestJson(JsonTransform transform) {
      this.requestJson = requireNonNull(transform, "transform");
      return this;
    }

    /** Transforms JSON request bodies with the transform {@code spec} builds. */
    public Builder requestJson(Consumer<JsonTransform.Builder> spec) {
      JsonTransform transform = built("requestJson", spec, JsonTransform.builder(), JsonTransform.Builder::build);
      return transform == null ? this : requestJson(transform);
    }

    /** Transforms the upstream's JSON response bodies with {@code transform}. */
    public Builder responseJson(JsonTransform transform) {
      this.responseJson = requireNonNull(transform, "transform");
      return this;
    }

    /** Transforms the upstream's JSON response bodies with the transform {@code spec} builds. */
    public Builder responseJson(Consumer<JsonTransform.Builder> spec) {
      JsonTransform transform = built("responseJson", spec, JsonTransform.builder(), JsonTransform.Builder::build);
      return transform == null ? this : responseJson(transform);
    }

    /** Validates requests with {@code validation} (after authentication, before the route's filters). */
    public Builder validate(RequestValidation validation) {
      this.validation = requireNonNull(validation, "validation");
      declared.add(PolicySlot.VALIDATION);
      return this;
    }

    /** Validates requests with the validation {@code spec} builds. */
    public Builder validate(Consumer<RequestValidation.Builder> spec) {
      RequestValidation v = built("validate", spec, RequestValidation.builder(), RequestValidation.Builder::build);
      return v == null ? this : validate(v);
    }

    /** Answers browsers with {@code policy} instead of the gateway's CORS policy. */
    public Builder cors(CorsPolicy policy) {
      this.cors = requireNonNull(policy, "policy");
      declared.add(PolicySlot.CORS);
      return this;
    }

    /** Answers browsers with the CORS policy {@code spec} builds. */
    public Builder cors(Consumer<CorsPolicy.Builder> spec) {
      CorsPolicy policy = built("cors", spec, CorsPolicy.builder(), CorsPolicy.Builder::build);
      return policy == null ? this : cors(policy);
    }

    /**
     * Lets through only the client addresses {@code rules} permit (after the gateway's own rules),
     * refusing the others with 403 {@code ip-refused} before CORS, authentication and rate limits;
     * {@link IpRules#none()} drops the rules the route would inherit from the route defaults.
     */
    public Builder ipRules(IpRules rules) {
      this.ipRules = requireNonNull(rules, "rules");
      declared.add(PolicySlot.IP_RULES);
      return this;
    }

    /**
     * Lets through only the client addresses the rules {@code spec} builds permit; an invalid CIDR
     * block is reported by {@link #build()}.
     *
     * <pre>{@code
     * .ipRules(ip -> ip.allow("10.0.0.0/8", "fd00::/8").deny("10.66.0.0/16"))
     * }</pre>
     */
    public Builder ipRules(Consumer<IpRules.Builder> spec) {
      IpRules rules = built("ipRules", spec, IpRules.builder(), IpRules.Builder::build);
      return rules == null ? this : ipRules(rules);
    }

    /** Renders this route's problems with {@code mapper} instead of the gateway's. */
    public Builder errorMapper(ErrorMapper mapper) {
      this.errorMapper = requireNonNull(mapper, "mapper");
      return this;
    }

    /** Sets what happens to the upstream's 5xx responses on this route. */
    public Builder upstreamErrors(UpstreamErrors handling) {
      this.upstreamErrors = requireNonNull(handling, "handling");
      return this;
    }

    private <B, T> @Nullable T built(String field, Consumer<B> spec, B builder, java.util.function.Function<B, T> build) {
      requireNonNull(spec, "spec");
      spec.accept(builder);
      try {
        return build.apply(builder);
      } catch (IllegalArgumentException | IllegalStateException e) {
        errors.add(field + ": " + e.getMessage());
        return null;
      }
    }

    private @Nullable String unknownVariable(String field, List<String> used, PathPattern path) {
      for (String v : used) {
        if (!path.variableNames().contains(v)) {
          return field + " uses {var." + v + "}, which path '" + path.pattern() + "' does not capture (it captures "
              + path.variableNames() + ")";
        }
      }
      return null;
    }

    /**
     * Adds a rate limiter; a request passes only if every limiter of the gateway and the route
     * allows it. Limiters run after authentication and authorization, before the route's filters.
     */
    public Builder rateLimiter(RateLimiter limiter) {
      rateLimiters.add(requireNonNull(limiter, "limiter"));
      declared.add(PolicySlot.RATE_LIMITERS);
      return this;
    }

    /** Limits how many of the route's requests are in flight at once; see {@link ConcurrencyLimit}. */
    public Builder concurrencyLimit(ConcurrencyLimit limit) {
      this.concurrencyLimit = requireNonNull(limit, "limit");
      declared.add(PolicySlot.CONCURRENCY_LIMIT);
      return this;
    }

    /**
     * Refuses request bodies larger than {@code bytes} with 413: at once when {@code Content-Length}
     * says so, before any upstream call; when a chunked body grows past it, the upstream request
     * is aborted and the client is answered 413 if its response has not started.
     */
    public Builder maxRequestBodySize(long bytes) {
      if (bytes < 0) {
        errors.add("maxRequestBodySize: " + bytes + " (expected: >= 0)");
      } else {
        this.maxRequestBodySize = bytes;
        declared.add(PolicySlot.MAX_REQUEST_BODY_SIZE);
      }
      return this;
    }

    /** Drops the rate limiters the route would inherit from the gateway's route defaults (and any set before). */
    public Builder noRateLimit() {
      rateLimiters.clear();
      declared.add(PolicySlot.RATE_LIMITERS);
      return this;
    }

    /** Drops the concurrency limit the route would inherit from the gateway's route defaults. */
    public Builder noConcurrencyLimit() {
      this.concurrencyLimit = null;
      declared.add(PolicySlot.CONCURRENCY_LIMIT);
      return this;
    }

    /**
     * Caches the upstream's cacheable GET responses in memory, by RFC 9111's shared-cache rules;
     * see {@link CachePolicy}. The cache is the route's own, and a new gateway (a reconfiguration)
     * starts with an empty one.
     */
    public Builder cache(CachePolicy policy) {
      this.cache = requireNonNull(policy, "policy");
      declared.add(PolicySlot.CACHE);
      return this;
    }

    /** Caches with the policy that {@code spec} builds; see {@link #cache(CachePolicy)}. */
    public Builder cache(Consumer<CachePolicy.Builder> spec) {
      requireNonNull(spec, "spec");
      CachePolicy.Builder builder = CachePolicy.builder();
      spec.accept(builder);
      try {
        return cache(builder.build());
      } catch (IllegalStateException e) {
        errors.add("cache: " + e.getMessage());
        return this;
      }
    }

    /** Drops the response cache the route would inherit from the gateway's route defaults. */
    public Builder noCache() {
      this.cache = null;
      declared.add(PolicySlot.CACHE);
      return this;
    }

    /** Drops the request body limit the route would inherit from the gateway's route defaults. */
    public Builder noMaxRequestBodySize() {
      this.maxRequestBodySize = -1;
      declared.add(PolicySlot.MAX_REQUEST_BODY_SIZE);
      return this;
    }

    /** Drops the request validation the route would inherit from the gateway's route defaults. */
    public Builder noValidation() {
      this.validation = null;
      declared.add(PolicySlot.VALIDATION);
      return this;
    }

    /** Drops the CORS policy the route would inherit from the gateway (no CORS headers, no preflight answers). */
    public Builder noCors() {
      this.cors = null;
      declared.add(PolicySlot.CORS);
      return this;
    }

    /** Sets the route's authentication as a whole: an authenticator, or anonymous access, or neither. */
    Builder authentication(@Nullable Authenticator authenticator, boolean permitAll) {
      this.authenticator = authenticator;
      this.permitAll = permitAll;
      declared.add(PolicySlot.AUTHENTICATION);
      return this;
    }

    /**
     * Applies the policies {@code spec} builds to this route's requests with {@code method} only;
     * see {@link #methodPolicies(String, Policies)}.
     *
     * <pre>{@code
     * .route("orders", r -> r
     *     .path("/orders/**")
     *     .authenticator(jwt)
     *     .methodPolicies("POST", m -> m
     *         .authorize(AccessRule.scopes("orders:write"))
     *         .validate(v -> v.contentTypes("application/json").jsonSchema(orderSchema))))
     * }</pre>
     */
    public Builder methodPolicies(String method, Consumer<Policies.Builder> spec) {
      requireNonNull(spec, "spec");
      Policies.Builder builder = Policies.builder();
      spec.accept(builder);
      try {
        return methodPolicies(method, builder.build());
      } catch (IllegalStateException e) {
        errors.add("methodPolicies: " + method + ": " + e.getMessage());
        return this;
      }
    }

    /**
     * Applies {@code policies} to this route's requests with {@code method} only: their access rules
     * are added to the route's, and every other policy they set replaces the route's for that
     * method. The method is written in any case and kept in upper case; a request's method is
     * compared exactly (one with a lower-case letter is refused before routing), and a {@code HEAD}
     * request takes the {@code GET} block when there is none for {@code HEAD}. A block cannot set
     * {@code cors} (a preflight is answered per route) or {@code ipRules} (checked per route, before
     * a preflight), and its method must be one the route
     * takes.
     */
    public Builder methodPolicies(String method, Policies policies) {
      requireNonNull(method, "method");
      requireNonNull(policies, "policies");
      if (!HttpSyntax.isToken(method)) {
        errors.add("methodPolicies: '" + method + "' (expected: an HTTP method token such as POST)");
      } else if (policies.slots().contains(PolicySlot.CORS)) {
        errors.add("methodPolicies: " + method + ": cors is set per route, not per method (a preflight is answered"
            + " before any method's policies)");
      } else if (policies.slots().contains(PolicySlot.IP_RULES)) {
        errors.add("methodPolicies: " + method + ": ipRules is set per route, not per method (client addresses are"
            + " checked before the method's policies are chosen, preflights included)");
      } else if (methodPolicies.putIfAbsent(method.toUpperCase(Locale.ROOT), policies) != null) {
        errors.add("methodPolicies: " + method.toUpperCase(Locale.ROOT) + " is given twice");
      }
      return this;
    }

    /**
     * Returns the immutable route.
     *
     * @throws IllegalStateException naming the route and field: no or invalid path, an invalid
     *     method, host, header or query condition, no or invalid upstream, an invalid rewrite, an
     *     invalid header, query, JSON, validation or CORS rule, or a rewrite or template that uses a
     *     variable the path does not capture
     */
    public Route build() {
      if (pathError != null) {
        throw new IllegalStateException("route '" + id + "': path: " + pathError.getMessage(), pathError);
      }
      if (path == null) {
        throw new IllegalStateException("route '" + id + "': no path");
      }
      if (!errors.isEmpty()) {
        throw new IllegalStateException("route '" + id + "': " + errors.get(0));
      }
      if (upstreamError != null) {
        throw new IllegalStateException("route '" + id + "': upstream: " + upstreamError.getMessage(), upstreamError);
      }
      if (upstream == null && upstreamGroup == null) {
        throw new IllegalStateException("route '" + id + "': no upstream");
      }
      if (rewriteError != null) {
        throw new IllegalStateException("route '" + id + "': " + rewriteError.getMessage(), rewriteError);
      }
      for (String v : rewrite.variables()) {
        if (!path.variableNames().contains(v)) {
          throw new IllegalStateException("route '" + id + "': rewritePath uses {" + v
              + "}, which path '" + path.pattern() + "' does not capture (it captures " + path.variableNames() + ")");
        }
      }
      if (permitAll && authenticator != null) {
        throw new IllegalStateException("route '" + id + "': permitAll() and authenticator() contradict each other");
      }
      if (permitAll && !accessRules.isEmpty()) {
        throw new IllegalStateException("route '" + id + "': permitAll() with authorize() rules: rules need an identity");
      }
      String unknown = unknownVariable("requestHeaders", requestHeaders.pathVariables(), path);
      if (unknown == null) {
        unknown = unknownVariable("responseHeaders", responseHeaders.pathVariables(), path);
      }
      if (unknown == null) {
        unknown = unknownVariable("requestQuery", requestQuery.pathVariables(), path);
      }
      if (unknown == null && requestJson != null) {
        unknown = unknownVariable("requestJson", requestJson.pathVariables(), path);
      }
      if (unknown == null && responseJson != null) {
        unknown = unknownVariable("responseJson", responseJson.pathVariables(), path);
      }
      if (unknown != null) {
        throw new IllegalStateException("route '" + id + "': " + unknown);
      }
      Route route = new Route(this, path, upstream, upstreamGroup, Map.of());
      return methodPolicies.isEmpty() ? route : new Route(this, path, upstream, upstreamGroup, methodRoutes(route));
    }

    /** The route as each method with policies of its own sees it, and HEAD as GET when HEAD has none. */
    private Map<String, Route> methodRoutes(Route route) {
      Map<String, Route> byMethod = new LinkedHashMap<>();
      for (Map.Entry<String, Policies> block : methodPolicies.entrySet()) {
        String method = block.getKey();
        if (!methods.isEmpty() && !methods.contains(method)) {
          throw new IllegalStateException("route '" + id + "': methodPolicies: " + method
              + " is not a method the route takes (it takes " + new java.util.TreeSet<>(methods) + ")");
        }
        Builder b = route.toBuilder();
        b.methodPolicies.clear();
        block.getValue().applyTo(b, Set.of());
        try {
          byMethod.put(method, b.build());
        } catch (IllegalStateException e) {
          String prefix = "route '" + id + "': ";
          String detail = String.valueOf(e.getMessage());
          throw new IllegalStateException(prefix + "methodPolicies: " + method + ": "
              + (detail.startsWith(prefix) ? detail.substring(prefix.length()) : detail), e);
        }
      }
      if (byMethod.containsKey("GET") && !byMethod.containsKey("HEAD")) {
        byMethod.put("HEAD", byMethod.get("GET"));
      }
      return byMethod;
    }
  }
}
