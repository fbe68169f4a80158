package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.ratelimit.RateLimitHeaders;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.cors.CorsPolicy;
import dev.portico.gateway.routing.FieldCondition;
import dev.portico.gateway.routing.PathPattern;
import dev.portico.gateway.upstream.UpstreamGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A validated, immutable gateway definition: its routes, global filters and client-facing
 * settings. Building one does no I/O; an adapter from {@code gateway-impl} turns it into a
 * running handler.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.builder()
 *     .route("orders", r -> r
 *         .path("/api/orders/**")
 *         .methods("GET", "POST")
 *         .stripPrefix(1)
 *         .upstream("http://orders:8080"))
 *     .route("static", r -> r.path("/static/**").upstream("http://cdn:8080"))
 *     .trustedProxies("10.0.0.0/8")
 *     .build();
 *
 * server.setHandler(JettyGatewayHandler.create(gateway));        // Jetty 12 core
 * context.addServlet(new GatewayServlet(gateway), "/*");         // any Servlet 6 container
 * }</pre>
 *
 * <h2>What happens to a request</h2>
 * <ol>
 *   <li>The path is normalized; an ambiguous path is refused with 400
 *       ({@link ProblemType#BAD_PATH}) before any route is considered.
 *   <li>What no client may send is dropped: the identity headers the gateway sets on any route
 *       (see {@link dev.portico.gateway.auth.IdentityForwarding}), the
 *       {@link #strippedClientHeaders() stripped client headers}, and the fields the client's
 *       {@code Connection} names.
 *   <li>Routes are matched: the most specific path pattern wins, ties go to the route declared
 *       first. No match: the Jetty handler hands the request back to the host, the servlet answers
 *       404; a path match with the wrong method answers 405 with {@code Allow}. The route runs
 *       as its request's method sees it ({@link Route#forMethod(String)}: the method's own
 *       policies over the route's, and the route's over the {@link #routeDefaults() route
 *       defaults}), all resolved when the gateway is built.
 *   <li>The global filters run in the order they were added. Then the engine's own steps: a
 *       {@code Content-Length} over the route's {@link Route#maxRequestBodySize()} is refused with
 *       413; the request is authenticated and authorized (401, 403 or 503 on refusal); the gateway's rate limiters, then the
 *       route's, are asked (429 with {@code Retry-After} when one says no); the route's
 *       concurrency limit takes a permit (503 when none comes free in time), held until the
 *       response has been sent. Then the route's filters run.
 *   <li>A CORS preflight is matched by the method it announces and, when that route has a
 *       {@link #corsFor(Route) CORS policy}, answered by the gateway at once.
 *   <li>The global filters run in the order they were added, then authentication and the
 *       route's access rules (401, 403 or 503 on refusal), then the route's validation (400, 413,
 *       415), then the route's filters.
 *   <li>The route's request transforms (headers, query, method, JSON body) adapt the request.
 *   <li>The proxy step sends the request to the route's upstream, without hop-by-hop headers and
 *       with {@code X-Forwarded-*} and {@code Forwarded} set, and streams both bodies (only a
 *       validation or JSON transform holds one, under its cap). For an
 *       {@link dev.portico.gateway.upstream.UpstreamGroup upstream group} it picks an endpoint in
 *       rotation (503 when there is none), asks the group's circuit breaker (503 when open), and
 *       retries as the route's {@link dev.portico.gateway.upstream.RetryPolicy} allows.
 *   <li>On the way back, upstream errors may be replaced, then the response transforms run, then
 *       the filters see the response. CORS headers go on every response of a route with a policy;
 *       problems are rendered by the {@link #errorMapperFor(Route) error mapper}.
 *   <li>One access log entry is written when the response ends.
 * </ol>
 */
public final class Gateway {
  /** The default request id header. */
  public static final String DEFAULT_REQUEST_ID_HEADER = "X-Request-Id";

  /**
   * Headers some servers and frameworks read to change a request's URL or method after routing
   * ({@code X-Original-URL}, {@code X-Rewrite-URL}, {@code X-HTTP-Method-Override} and their
   * kin): removed from every client's request on every route, unless kept with
   * {@link Builder#keepClientHeaders(String...)}.
   */
  public static final List<String> REQUEST_OVERRIDE_HEADERS = List.of("X-Original-URL", "X-Rewrite-URL",
      "X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override", "X-Original-Method");

  /** The {@link #REQUEST_OVERRIDE_HEADERS} that change a request's method. */
  private static final List<String> METHOD_OVERRIDE_HEADERS = List.of("X-HTTP-Method-Override", "X-HTTP-Method",
      "X-Method-Override", "X-Original-Method");

  private final List<Route> routes;
  private final List<Route> declaredRoutes;
  private final Policies routeDefaults;
  private final List<Filter> filters;
  private final List<IpRange> trustedProxies;
  private final IpRules ipRules;
  private final String requestIdHeader;
  private final @Nullable AccessLog accessLog;
  private final List<RateLimiter> rateLimiters;
  private final RateLimitHeaders rateLimitHeaders;
  private final @Nullable ErrorMapper errorMapper;
  private final UpstreamErrors upstreamErrors;
  private final List<UpstreamGroup> upstreamGroups;
  private final List<String> keptClientHeaders;
  private final List<String> strippedClientHeaders;
  private final List<String> identityHeaders;

  /** What the gateway reads credentials, framing and the body's type from: never an identity header. */
  private static final Set<String> NEVER_IDENTITY = Set.of("authorization", "proxy-authorization", "cookie",
      "host", "content-type", "content-length", "content-encoding", "transfer-encoding");

  private Gateway(Builder b, Policies routeDefaults, List<Route> routes) {
    this.routes = List.copyOf(routes);
    this.declaredRoutes = List.copyOf(b.routes.values());
    this.routeDefaults = routeDefaults;
    this.filters = List.copyOf(b.filters);
    this.trustedProxies = List.copyOf(b.trustedProxies);
    this.ipRules = b.ipRules;
    this.requestIdHeader = b.requestIdHeader;
    this.accessLog = b.accessLog;
    this.rateLimiters = List.copyOf(b.rateLimiters);
    this.rateLimitHeaders = b.rateLimitHeaders;
    this.errorMapper = b.errorMapper;
    this.upstreamErrors = b.upstreamErrors;
    this.upstreamGroups = List.copyOf(b.upstreamGroups.values());
    this.keptClientHeaders = List.copyOf(b.keptClientHeaders);
    this.strippedClientHeaders = List.copyOf(b.strippedClientHeaders);
    this.identityHeaders = identityHeaders(this.routes, routeDefaults.authenticatorOrNull());
  }

  private static List<String> identityHeaders(List<Route> routes, @Nullable Authenticator authenticator) {
    List<String> names = new ArrayList<>(IdentityForwarding.headersOnly().identityHeaders());
    List<String> credentials = new ArrayList<>(NEVER_IDENTITY);
    if (authenticator != null) {
      credentials.addAll(authenticator.credentialHeaders());
    }
    for (Route declared : routes) {
      List<Route> forms = new ArrayList<>(declared.methodRoutes());
      forms.add(declared);
      for (Route route : forms) {
        names.addAll(route.identityForwarding().identityHeaders());
        names.addAll(route.requestHeaders().identityHeaders());
        route.authenticator().ifPresent(a -> credentials.addAll(a.credentialHeaders()));
      }
    }
    List<String> identity = new ArrayList<>();
    for (String name : names) {
      if (credentials.stream().noneMatch(name::equalsIgnoreCase) && identity.stream().noneMatch(name::equalsIgnoreCase)) {
        identity.add(name);
      }
    }
    return List.copyOf(identity);
  }

  /** Returns a new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the routes in declaration order, as they run: with the {@link #routeDefaults() route
   * defaults} applied (see {@link Route#inheritedPolicies()}).
   */
  public List<Route> routes() {
    return routes;
  }

  /**
   * Returns the route defaults: the policies every route inherits unless it sets its own. The
   * gateway's {@link #authenticator()} and {@link #cors()} are two of them.
   */
  public Policies routeDefaults() {
    return routeDefaults;
  }

  /** Returns the route named {@code id}, if any. */
  public Optional<Route> route(String id) {
    return routes.stream().filter(r -> r.id().equals(id)).findFirst();
  }

  /** Returns the global filters, in the order they run. */
  public List<Filter> filters() {
    return filters;
  }

  /** Returns the peers whose forwarding headers are trusted; empty means none are. */
  public List<IpRange> trustedProxies() {
    return trustedProxies;
  }

  /**
   * Returns the gateway's client address rules, checked on every request the gateway answers
   * (routed, refused 404 or 405, or a CORS preflight), before any route's own; {@link IpRules#none()}
   * when none are set.
   */
  public IpRules ipRules() {
    return ipRules;
  }

  /** Returns the request id header name. */
  public String requestIdHeader() {
    return requestIdHeader;
  }

  /** Returns the access log, or empty for the engine's default SLF4J log. */
  public Optional<AccessLog> accessLog() {
    return Optional.ofNullable(accessLog);
  }

  /** Returns the default authenticator of routes that neither set their own nor say {@code permitAll()}. */
  public Optional<Authenticator> authenticator() {
    return Optional.ofNullable(routeDefaults.authenticatorOrNull());
  }

  /**
   * Returns the authenticator that runs for {@code route}: its own, else the gateway's default, and
   * none on a {@code permitAll()} route.
   */
  public Optional<Authenticator> authenticatorFor(Route route) {
    if (route.permitAll()) {
      return Optional.empty();
    }
    return route.authenticator().or(this::authenticator);
  }

  /** Returns the gateway-wide rate limiters, asked for every route before the route's own. */
  public List<RateLimiter> rateLimiters() {
    return rateLimiters;
  }

  /** Returns which quota headers rate-limited responses carry. */
  public RateLimitHeaders rateLimitHeaders() {
    return rateLimitHeaders;
  }

  /** Returns the CORS policy of routes that do not set their own, if any. */
  public Optional<CorsPolicy> cors() {
    return Optional.ofNullable(routeDefaults.corsOrNull());
  }

  /**
   * Returns the CORS policy that applies to {@code route}: its own, else the gateway's; none when
   * the route says {@link Route.Builder#noCors()}.
   */
  public Optional<CorsPolicy> corsFor(Route route) {
    return route.declares(PolicySlot.CORS) ? route.cors() : route.cors().or(this::cors);
  }

  /** Returns the error mapper of routes that do not set their own, and of refusals before routing. */
  public Optional<ErrorMapper> errorMapper() {
    return Optional.ofNullable(errorMapper);
  }

  /** Returns the error mapper that renders {@code route}'s problems: its own, else the gateway's. */
  public Optional<ErrorMapper> errorMapperFor(Route route) {
    return route.errorMapper().or(this::errorMapper);
  }

  /** Returns what routes that do not say otherwise do with upstream 5xx responses. */
  public UpstreamErrors upstreamErrors() {
    return upstreamErrors;
  }

  /** Returns what {@code route} does with upstream 5xx responses: its own setting, else the gateway's. */
  public UpstreamErrors upstreamErrorsFor(Route route) {
    return route.upstreamErrors().orElse(upstreamErrors);
  }

  /** Returns the upstream groups, in the order they were defined. */
  public List<UpstreamGroup> upstreamGroups() {
    return upstreamGroups;
  }

  /** Returns the upstream group named {@code name}, if defined. */
  public Optional<UpstreamGroup> upstreamGroup(String name) {
    return upstreamGroups.stream().filter(g -> g.name().equals(name)).findFirst();
  }

  /**
   * Returns the headers removed from every client's request on every route, before the global
   * filters: {@link #REQUEST_OVERRIDE_HEADERS} less the ones kept, then the ones added with
   * {@link Builder#stripClientHeaders(String...)}. The {@link #identityHeaders() identity headers}
   * are removed as well, always; they are not listed here.
   */
  public List<String> strippedClientHeaders() {
    List<String> names = new ArrayList<>();
    for (String name : REQUEST_OVERRIDE_HEADERS) {
      if (keptClientHeaders.stream().noneMatch(name::equalsIgnoreCase)) {
        names.add(name);
      }
    }
    names.addAll(strippedClientHeaders);
    return List.copyOf(names);
  }

  /**
   * Returns the identity headers: every header the gateway may set from a caller's identity, on any
   * route. These are {@code X-Auth-Subject}, {@code X-Auth-Scopes}, {@code X-Auth-Issuer} and
   * {@code X-Auth-Method} (the {@link IdentityForwarding#headersOnly()} names), every route's
   * {@link IdentityForwarding#identityHeaders()}, and every header a route's request header rules
   * fill from the identity ({@link dev.portico.gateway.transform.HeaderRules#identityHeaders()}),
   * less the headers the gateway reads credentials, framing or the body's type from
   * ({@code Authorization}, {@code Cookie}, {@code Content-Type}, each authenticator's
   * {@link Authenticator#credentialHeaders()}, ...). They are removed from every client request on
   * every route, whatever their case, before the route is matched.
   */
  public List<String> identityHeaders() {
    return identityHeaders;
  }

  /** Returns a builder that starts from this gateway. */
  public Builder toBuilder() {
    Builder b = new Builder();
    for (Route r : declaredRoutes) {
      b.routes.put(r.id(), r);
    }
    b.routeDefaults = routeDefaults.toBuilder();
    b.filters.addAll(filters);
    b.trustedProxies.addAll(trustedProxies);
    b.ipRules = ipRules;
    b.requestIdHeader = requestIdHeader;
    b.accessLog = accessLog;
    b.rateLimiters.addAll(rateLimiters);
    b.rateLimitHeaders = rateLimitHeaders;
    b.errorMapper = errorMapper;
    b.upstreamErrors = upstreamErrors;
    for (UpstreamGroup g : upstreamGroups) {
      b.upstreamGroups.put(g.name(), g);
    }
    b.keptClientHeaders.addAll(keptClientHeaders);
    b.strippedClientHeaders.addAll(strippedClientHeaders);
    return b;
  }

  @Override
  public String toString() {
    return "Gateway{routes=" + routes.stream().map(Route::id).toList() + "}";
  }

  /**
   * Builds a {@link Gateway}. {@link #build()} validates the whole definition and names the route
   * and field of the first error it finds.
   */
  public static final class Builder {
    private final Map<String, Route> routes = new LinkedHashMap<>();
    private final List<String> errors = new ArrayList<>();
    private final List<Filter> filters = new ArrayList<>();
    private final List<IpRange> trustedProxies = new ArrayList<>();
    private IpRules ipRules = IpRules.none();
    private String requestIdHeader = DEFAULT_REQUEST_ID_HEADER;
    private @Nullable AccessLog accessLog;
    private Policies.Builder routeDefaults = Policies.builder();
    private final List<RateLimiter> rateLimiters = new ArrayList<>();
    private RateLimitHeaders rateLimitHeaders = RateLimitHeaders.IETF;
    private @Nullable ErrorMapper errorMapper;
    private UpstreamErrors upstreamErrors = UpstreamErrors.PASS_THROUGH;
    private final Map<String, UpstreamGroup> upstreamGroups = new LinkedHashMap<>();
    private final List<String> keptClientHeaders = new ArrayList<>();
    private final List<String> strippedClientHeaders = new ArrayList<>();

    Builder() {}

    /** Adds a route named {@code id}, configured by {@code spec}. */
    public Builder route(String id, Consumer<Route.Builder> spec) {
      requireNonNull(spec, "spec");
      Route.Builder builder = Route.builder(id);
      spec.accept(builder);
      try {
        return route(builder.build());
      } catch (IllegalStateException e) {
        errors.add(e.getMessage());
        return this;
      }
    }

    /** Adds a built route. */
    public Builder route(Route route) {
      requireNonNull(route, "route");
      if (routes.containsKey(route.id())) {
        errors.add("route '" + route.id() + "' is declared twice (route ids must be unique)");
      } else {
        routes.put(route.id(), route);
      }
      return this;
    }

    /** Removes the route named {@code id}, if present (useful with {@link Gateway#toBuilder()}). */
    public Builder removeRoute(String id) {
      routes.remove(id);
      return this;
    }

    /** Adds a global filter; global filters run before the route's own, in the order added. */
    public Builder filter(Filter filter) {
      filters.add(requireNonNull(filter, "filter"));
      return this;
    }

    /**
     * Trusts forwarding headers ({@code Forwarded}, {@code X-Forwarded-*}) from peers in these
     * blocks ({@code 10.0.0.0/8}, {@code 127.0.0.1}). From any other peer they are replaced.
     */
    public Builder trustedProxies(String... cidrs) {
      for (String cidr : cidrs) {
        trustedProxies.add(IpRange.parse(cidr));
      }
      return this;
    }

    /**
     * Lets through only the client addresses {@code rules} permit, on every request the gateway
     * answers: the others are refused with 403 {@code ip-refused} before routing's 404 and 405,
     * CORS, authentication and rate limits. The client address honours {@link #trustedProxies}.
     * A request the gateway hands back to its host (no route matches, in a servlet filter) is the
     * host's to answer. Routes may add their own rules ({@link Route.Builder#ipRules(IpRules)}).
     */
    public Builder ipRules(IpRules rules) {
      this.ipRules = requireNonNull(rules, "rules");
      return this;
    }

    /** Lets through only the client addresses the rules {@code spec} builds permit; see {@link #ipRules(IpRules)}. */
    public Builder ipRules(Consumer<IpRules.Builder> spec) {
      requireNonNull(spec, "spec");
      IpRules.Builder builder = IpRules.builder();
      spec.accept(builder);
      try {
        return ipRules(builder.build());
      } catch (IllegalArgumentException e) {
        errors.add("gateway ipRules: " + e.getMessage());
        return this;
      }
    }

    /** Sets the request id header (default {@code X-Request-Id}). */
    public Builder requestIdHeader(String name) {
      this.requestIdHeader = HttpHeaders.Builder.checkName(requireNonNull(name, "name"));
      return this;
    }

    /** Sends access log entries to {@code accessLog} instead of the default SLF4J logger. */
    public Builder accessLog(AccessLog accessLog) {
      this.accessLog = requireNonNull(accessLog, "accessLog");
      return this;
    }

    /**
     * Authenticates every route's requests with {@code authenticator}, unless the route sets its
     * own or says {@code permitAll()}.
     */
    public Builder authenticator(Authenticator authenticator) {
      routeDefaults.authenticator(authenticator);
      return this;
    }

    /**
     * Answers browsers with {@code policy} on every route that does not set its own (the same as
     * {@code routeDefaults(d -> d.cors(policy))}).
     */
    public Builder cors(CorsPolicy policy) {
      routeDefaults.cors(policy);
      return this;
    }

    /**
     * Sets policies every route inherits unless it sets its own: header rules, identity
     * forwarding, CORS, rate and concurrency limits, body size, validation, timeouts and the
     * authenticator. Each policy is inherited whole and a route that sets it replaces it; a route
     * drops one with the route builder's {@code no...()} setters. See {@link Policies} for the
     * rules. Calling it again adds to (and, policy by policy, replaces) what was set before.
     *
     * <pre>{@code
     * Gateway.builder()
     *     .routeDefaults(d -> d
     *         .requestHeaders(h -> h.set("X-Gateway", "portico"))
     *         .rateLimiter(perClient)
     *         .maxRequestBodySize(1_000_000))
     *     .route("uploads", r -> r.path("/uploads/**").noMaxRequestBodySize().upstream("http://files:8080"))
     * }</pre>
     */
    public Builder routeDefaults(Consumer<Policies.Builder> spec) {
      requireNonNull(spec, "spec");
      Policies.Builder builder = Policies.builder();
      spec.accept(builder);
      try {
        return routeDefaults(builder.build());
      } catch (IllegalStateException e) {
        errors.add("routeDefaults: " + e.getMessage());
        return this;
      }
    }

    /** Sets {@code defaults} as route defaults, over those set before; see {@link #routeDefaults(Consumer)}. */
    public Builder routeDefaults(Policies defaults) {
      requireNonNull(defaults, "defaults");
      if (defaults.permitAllSet()) {
        errors.add("routeDefaults: permitAll() is said per route, never by default");
      } else if (defaults.slots().contains(PolicySlot.ACCESS_RULES)) {
        errors.add("routeDefaults: authorize() rules are set per route or method, not by default");
      } else {
        Policies merged = routeDefaults.build();
        Policies.Builder next = merged.toBuilder();
        defaults.applyTo(next);
        routeDefaults = next;
      }
      return this;
    }

    /** Answers browsers with the CORS policy {@code spec} builds on every route that does not set its own. */
    public Builder cors(Consumer<CorsPolicy.Builder> spec) {
      requireNonNull(spec, "spec");
      CorsPolicy.Builder builder = CorsPolicy.builder();
      spec.accept(builder);
      try {
        return cors(builder.build());
      } catch (IllegalArgumentException e) {
        errors.add("gateway cors: " + e.getMessage());
        return this;
      }
    }

    /**
     * Renders problems with {@code mapper} instead of RFC 9457 JSON: on every route that does not
     * set its own, and for refusals before routing (400 {@code bad-path}, 404, 405).
     */
    public Builder errorMapper(ErrorMapper mapper) {
      this.errorMapper = requireNonNull(mapper, "mapper");
      return this;
    }

    /** Sets what routes that do not say otherwise do with upstream 5xx responses (default {@code PASS_THROUGH}). */
    public Builder upstreamErrors(UpstreamErrors handling) {
      this.upstreamErrors = requireNonNull(handling, "handling");
      return this;
    }

    /**
     * Adds a gateway-wide rate limiter, asked for every route's requests before the route's own
     * limiters (after authentication and authorization, so it may key by principal or plan).
     */
    public Builder rateLimiter(RateLimiter limiter) {
      rateLimiters.add(requireNonNull(limiter, "limiter"));
      return this;
    }

    /** Sets which quota headers rate-limited responses carry (default {@link RateLimitHeaders#IETF}). */
    public Builder rateLimitHeaders(RateLimitHeaders headers) {
      this.rateLimitHeaders = requireNonNull(headers, "headers");
      return this;
    }

    /**
     * Defines an upstream group that routes send to with
     * {@link Route.Builder#upstreamGroup(String)}; several routes may share it, and with it its
     * balancing state, health and circuit breaker.
     */
    public Builder upstreamGroup(UpstreamGroup group) {
      requireNonNull(group, "group");
      if (upstreamGroups.putIfAbsent(group.name(), group) != null) {
        errors.add("upstream group '" + group.name() + "' is defined twice (group names must be unique)");
      }
      return this;
    }

    /**
     * Lets these {@link Gateway#REQUEST_OVERRIDE_HEADERS} through from clients, for a host whose
     * upstream really needs one ({@code keepClientHeaders("X-HTTP-Method-Override")}). Only those
     * names can be kept: the identity headers the gateway sets never pass from a client.
     */
    public Builder keepClientHeaders(String... names) {
      for (String name : names) {
        keptClientHeaders.add(HttpHeaders.Builder.checkName(requireNonNull(name, "name")));
      }
      return this;
    }

    /**
     * Also removes these headers from every client's request on every route, before the global
     * filters: headers your own filters set and your upstreams trust ({@code X-Internal-User}),
     * so that no client can send them itself.
     */
    public Builder stripClientHeaders(String... names) {
      for (String name : names) {
        strippedClientHeaders.add(HttpHeaders.Builder.checkName(requireNonNull(name, "name")));
      }
      return this;
    }

    /**
     * Validates and returns the immutable gateway.
     *
     * @throws IllegalStateException naming the route and field: an invalid route, a duplicate route
     *     id, or a route that can never match because an earlier route with the same path pattern
     *     (or, for a regex route, an earlier {@code /**} route) accepts every request it would
     */
    public Gateway build() {
      List<String> problems = new ArrayList<>(errors);
      problems.addAll(unreachableRoutes());
      Policies defaults = routeDefaults.build();
      List<Route> effective = new ArrayList<>();
      for (Route declared : routes.values()) {
        Route route;
        try {
          route = declared.withDefaults(defaults);
        } catch (IllegalStateException e) {
          problems.add(e.getMessage() + " (with the route defaults)");
          continue;
        }
        effective.add(route);
        route.upstreamGroup().filter(name -> !upstreamGroups.containsKey(name)).ifPresent(name ->
            problems.add("route '" + route.id() + "': upstream group '" + name
                + "' is not defined (define it with upstreamGroup(...) on the gateway)"));
        route.split().ifPresent(split -> split.sides().stream().skip(1)
            .filter(name -> !upstreamGroups.containsKey(name)).findFirst().ifPresent(name ->
                problems.add("route '" + route.id() + "': split: upstream group '" + name
                    + "' is not defined (define it with upstreamGroup(...) on the gateway)")));
        List<Route> forms = new ArrayList<>(List.of(route));
        forms.addAll(route.methodRoutes());
        for (Route form : forms) {
          if (!form.accessRules().isEmpty() && form.authenticator().isEmpty()) {
            problems.add("route '" + route.id() + "': authorize() needs an authenticator (on the route or the gateway)");
            break;
          }
        }
        if (!route.methodPolicies().isEmpty()) {
          for (String kept : keptClientHeaders) {
            if (METHOD_OVERRIDE_HEADERS.stream().anyMatch(kept::equalsIgnoreCase)) {
              problems.add("route '" + route.id() + "': methodPolicies with keepClientHeaders(" + kept + "): a client"
                  + " could pass one method's policies and have the upstream run another");
            }
          }
        }
      }
      problems.addAll(conditionsOnRemovedHeaders(effective, defaults));
      for (String kept : keptClientHeaders) {
        if (REQUEST_OVERRIDE_HEADERS.stream().noneMatch(kept::equalsIgnoreCase)) {
          problems.add("keepClientHeaders: " + kept + " is not removed from clients by default (only "
              + String.join(", ", REQUEST_OVERRIDE_HEADERS) + " can be kept)");
        } else if (strippedClientHeaders.stream().anyMatch(kept::equalsIgnoreCase)) {
          problems.add("keepClientHeaders: " + kept + " is also given to stripClientHeaders");
        }
      }
      if (!problems.isEmpty()) {
        throw new IllegalStateException(problems.size() == 1 ? problems.get(0)
            : problems.size() + " configuration errors:\n  " + String.join("\n  ", problems));
      }
      return new Gateway(this, defaults, effective);
    }

    /** Finds header conditions no request can meet: on a header the gateway removes from every client request. */
    private List<String> conditionsOnRemovedHeaders(List<Route> effective, Policies defaults) {
      List<String> removed = new ArrayList<>(identityHeaders(effective, defaults.authenticatorOrNull()));
      for (String name : REQUEST_OVERRIDE_HEADERS) {
        if (keptClientHeaders.stream().noneMatch(name::equalsIgnoreCase)) {
          removed.add(name);
        }
      }
      removed.addAll(strippedClientHeaders);
      List<String> found = new ArrayList<>();
      for (Route route : routes.values()) {
        for (FieldCondition condition : route.headers()) {
          if (removed.stream().anyMatch(condition.name()::equalsIgnoreCase)) {
            found.add("route '" + route.id() + "': header condition on " + condition.name() + " can never be met: the gateway"
                + " removes " + condition.name() + " from every client request before routing");
          }
        }
      }
      return found;
    }

    /**
     * Finds routes that can never win. Equally specific patterns go to the route declared first,
     * so a route is unreachable when an earlier route with an equally specific pattern that matches
     * every path it matches also accepts every request it would. Two patterns of equal specificity
     * where one matches all the other's paths have the same shape, with one exception: a regex is
     * as specific as {@code /**}, which matches every path.
     */
    private List<String> unreachableRoutes() {
      List<String> found = new ArrayList<>();
      Map<PathPattern, List<Route>> earlierByPath = new HashMap<>();
      List<Route> earlierMatchAll = new ArrayList<>();
      for (Route later : routes.values()) {
        List<Route> samePath = earlierByPath.computeIfAbsent(later.path(), k -> new ArrayList<>());
        String problem = shadowedBy(later, samePath, false);
        if (problem == null && later.path().isRegex()) {
          problem = shadowedBy(later, earlierMatchAll, true);
        }
        if (problem != null) {
          found.add(problem);
        }
        samePath.add(later);
        if (later.path().shape().equals("/**")) {
          earlierMatchAll.add(later);
        }
      }
      return found;
    }

    private static @Nullable String shadowedBy(Route later, List<Route> earlierRoutes, boolean matchAll) {
      for (Route earlier : earlierRoutes) {
        if (!later.predicatesCoveredBy(earlier)) {
          continue;
        }
        if (matchAll) {
          return "route '" + later.id() + "' can never match: route '" + earlier.id() + "', declared before it with path '"
              + earlier.path().pattern() + "' (which matches every path and is as specific as a regex), accepts every"
              + " request it would";
        }
        return earlier.predicatesCoveredBy(later)
            ? "routes '" + earlier.id() + "' and '" + later.id() + "' have the same predicates (path '"
                + later.path().pattern() + "'): '" + later.id() + "' could never match"
            : "route '" + later.id() + "' can never match: route '" + earlier.id()
                + "', declared before it with the same path '" + later.path().pattern()
                + "', accepts every request it would";
      }
      return null;
    }
  }
}
