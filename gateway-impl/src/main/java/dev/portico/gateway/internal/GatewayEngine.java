package dev.portico.gateway.internal;

import dev.portico.gateway.AccessLog;
import dev.portico.gateway.ErrorMapper;
import dev.portico.gateway.Explanation;
import dev.portico.gateway.Filter;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Problem;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.Route;
import dev.portico.gateway.Upstream;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.internal.chain.AuthenticationStep;
import dev.portico.gateway.internal.chain.ChainStep;
import dev.portico.gateway.internal.chain.CompiledCors;
import dev.portico.gateway.internal.chain.ConcurrencyLimitStep;
import dev.portico.gateway.internal.chain.ProblemRenderer;
import dev.portico.gateway.internal.chain.RateLimitStep;
import dev.portico.gateway.internal.chain.RequestSizeStep;
import dev.portico.gateway.internal.chain.RoutePolicies;
import dev.portico.gateway.internal.http.FieldsHttpHeaders;
import dev.portico.gateway.internal.http.IncomingHeaders;
import dev.portico.gateway.internal.http.UnforwardableRequest;
import dev.portico.gateway.internal.proxy.Forwarding;
import dev.portico.gateway.internal.proxy.UpstreamClients;
import dev.portico.gateway.internal.routing.PathInContext;
import dev.portico.gateway.internal.routing.PathNormalizer;
import dev.portico.gateway.internal.routing.RawQuery;
import dev.portico.gateway.internal.routing.RouteLookup;
import dev.portico.gateway.internal.routing.RouteTable;
import dev.portico.gateway.internal.upstream.CircuitGuard;
import dev.portico.gateway.internal.upstream.LiveGroup;
import dev.portico.gateway.internal.upstream.RetryBudget;
import dev.portico.gateway.internal.upstream.resilience4j.Resilience4jCircuit;
import dev.portico.gateway.internal.websocket.WebSocketConnector;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.upstream.Endpoint;
import dev.portico.gateway.upstream.OutlierDetection;
import dev.portico.gateway.upstream.RetryPolicy;
import dev.portico.gateway.upstream.UpstreamGroup;
import dev.portico.gateway.upstream.UpstreamProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.thread.Scheduler;
import org.jspecify.annotations.Nullable;

/**
 * One compiled configuration of a {@link Gateway}: route table, each route's chain and policies,
 * forwarding rules and access log. Immutable once built; a {@link GatewayRuntime} runs one at a
 * time and swaps it for another on reconfiguration, while exchanges in flight finish on the one
 * they started on (each {@link ExchangeRun} holds its engine). What outlives a configuration (the
 * upstream clients, the timers, the observer, the exchanges in flight) belongs to the runtime.
 * Not public API.
 *
 * <p>{@link #handle} does the synchronous part of an exchange on the caller's thread (normalize
 * the path, match a route), then everything else is asynchronous: the filter chain's stages, the
 * upstream call's listeners and the client writes' callbacks drive it to the end.
 */
public final class GatewayEngine {
  private final Gateway gateway;
  private final GatewayRuntime runtime;
  private final RouteTable table;
  private final Map<Route, CompiledRoute> compiled = new IdentityHashMap<>();
  private final Forwarding forwarding;
  /** What is dropped from every client request before anything reads it (identity headers, Connection's nominees). */
  private final IncomingHeaders incomingHeaders;
  private final AccessLog accessLog;
  private final String requestIdHeader;
  private final @Nullable HttpHeader requestIdHeaderKnown;
  /** The gateway's CORS policy and error mapper, for exchanges refused before a route matched. */
  private final @Nullable CompiledCors cors;
  private final ErrorMapper errorMapper;
  /** Bulkheads by route id: a reconfiguration that keeps a route's ConcurrencyLimit keeps its permits. */
  private final Map<String, ConcurrencyLimitStep> bulkheads = new HashMap<>();
  // Exchanges in flight on this configuration, and whether a newer one replaced it: when both say
  // so the configuration is drained and the runtime releases what only it used (see enter/exit).
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean retired;
  private final AtomicBoolean drained = new AtomicBoolean();
  private volatile @Nullable Runnable onDrained;
  // Upstream groups of this configuration: the named ones, shared by their routes, and one per route
  // with an inline upstream. A named group whose UpstreamGroup instance the previous configuration
  // also ran is carried over (health, ejections, in-flight counts, circuit): this configuration then
  // owns it, and the previous one no longer stops it.
  private final List<LiveGroup> groups = new ArrayList<>();
  /** The client the health probes of each group with a health check use. */
  private final Map<LiveGroup, HttpClient> probeClients = new IdentityHashMap<>();
  /** WebSocket connectors, one per group that a websocket() route sends to; websocket-core loads only then. */
  private final Map<LiveGroup, WebSocketConnector> webSocketConnectors = new IdentityHashMap<>();
  private final Set<HttpClient> webSocketClients = Collections.newSetFromMap(new IdentityHashMap<>());
  /** Named groups by name, for the next configuration to carry over. */
  private final Map<String, LiveGroup> namedGroups = new LinkedHashMap<>();
  /** Groups this configuration starts (carried-over ones run already) and stops. */
  private final List<LiveGroup> toStart = new ArrayList<>();
  private boolean upstreamsStarted;

  GatewayEngine(Gateway gateway, GatewayRuntime runtime, @Nullable GatewayEngine previous) {
    this.gateway = gateway;
    this.runtime = runtime;
    this.table = RouteTable.of(gateway.routes());
    UpstreamClients clients = runtime.clients();
    Scheduler timers = runtime.timers();
    Map<String, LiveGroup> named = new LinkedHashMap<>();
    for (UpstreamGroup group : gateway.upstreamGroups()) {
      LiveGroup kept = previous == null ? null : previous.namedGroups.get(group.name());
      LiveGroup live = kept != null && kept.settings() == group ? adopt(previous, kept) : liveGroup(group, clients);
      named.put(group.name(), live);
      namedGroups.put(group.name(), live);
    }
    for (Route route : gateway.routes()) {
      // The engine's policy steps, between the global filters and the route's own, in this order.
      List<ChainStep> steps = new ArrayList<>(4);
      route.maxRequestBodySize().ifPresent(max -> steps.add(new RequestSizeStep(max)));
      Authenticator authenticator = gateway.authenticatorFor(route).orElse(null);
      boolean needsStep = authenticator != null || !route.identityForwarding().identityHeaders().isEmpty()
          || route.identityForwarding().stripCredentials() || !route.identityForwarding().stripHeaders().isEmpty();
      AuthenticationStep step = needsStep ? new AuthenticationStep(authenticator,
          route.accessRules(), route.identityForwarding()) : null;
      if (step != null) {
        steps.add(step);
      }
      List<RateLimiter> limiters = new ArrayList<>(gateway.rateLimiters());
      limiters.addAll(route.rateLimiters());
      if (!limiters.isEmpty()) {
        steps.add(new RateLimitStep(limiters, gateway.rateLimitHeaders()));
      }
      route.concurrencyLimit().ifPresent(limit -> {
        // Carry-over: the same ConcurrencyLimit instance on the same route id keeps its bulkhead.
        ConcurrencyLimitStep kept = previous == null ? null : previous.bulkheads.get(route.id());
        ConcurrencyLimitStep bulkhead = kept != null && kept.limit() == limit
            ? kept : new ConcurrencyLimitStep(limit, timers);
        bulkheads.put(route.id(), bulkhead);
        steps.add(bulkhead);
      });
      // The route's upstream: a shared group, or its inline upstream as a group of one.
      LiveGroup group = route.upstreamGroup().map(named::get)
          .orElseGet(() -> liveGroup(inlineGroup(route, route.upstream().orElseThrow()), clients));
      RetryPolicy retry = route.retryPolicy();
      RetryBudget budget = retry.enabled()
          ? new RetryBudget(retry.budgetPercent(), retry.minRetriesPerSecond(), System::nanoTime) : null;
      // One WebSocket connector per group, over its HTTP/1.1 client (the first websocket() route's connect timeout).
      WebSocketConnector ws = route.webSocket().isEmpty() ? null : webSocketConnectors.computeIfAbsent(group, g -> {
        HttpClient http11 = clients.client(g.settings().toBuilder().protocol(UpstreamProtocol.HTTP_1_1).build(),
            route.timeouts().connect().toMillis());
        webSocketClients.add(http11);
        return new WebSocketConnector(http11);
      });
      compiled.put(route, new CompiledRoute(route, gateway.filters(), steps,
          clients.client(group.settings(), route.timeouts().connect().toMillis()),
          RoutePolicies.compile(gateway, route), group, budget, ws));
    }
    this.forwarding = new Forwarding(gateway.trustedProxies());
    this.incomingHeaders = IncomingHeaders.of(gateway);
    this.accessLog = gateway.accessLog().orElseGet(AccessLogs::slf4j);
    this.requestIdHeader = gateway.requestIdHeader();
    this.requestIdHeaderKnown = HttpHeader.CACHE.get(requestIdHeader);
    this.cors = gateway.cors().map(c -> new CompiledCors(c, gateway.requestIdHeader())).orElse(null);
    this.errorMapper = gateway.errorMapper().orElse(ProblemRenderer.DEFAULT);
  }

  /** Returns the definition this engine runs. */
  public Gateway gateway() {
    return gateway;
  }

  public GatewayRuntime runtime() {
    return runtime;
  }

  /** Returns the upstream clients this configuration's routes use. */
  Set<HttpClient> clientsInUse() {
    Set<HttpClient> used = Collections.newSetFromMap(new IdentityHashMap<>());
    for (CompiledRoute route : compiled.values()) {
      used.add(route.client());
    }
    used.addAll(probeClients.values());
    used.addAll(webSocketClients);
    return used;
  }

  /** Starts the groups' endpoint sources and health checks and the WebSocket connectors: this configuration goes live. */
  synchronized void startUpstreams() throws Exception {
    if (upstreamsStarted) {
      return;
    }
    upstreamsStarted = true;
    ScheduledExecutorService scheduler = runtime.upstreamScheduler();
    for (LiveGroup group : toStart) {
      group.start(scheduler, probeClients.get(group));
    }
    for (WebSocketConnector connector : webSocketConnectors.values()) {
      connector.start();
    }
  }

  /** Stops health checks, endpoint sources and WebSocket connectors: the configuration was replaced and drained, or the gateway stops. */
  synchronized void stopUpstreams() {
    upstreamsStarted = false;
    for (LiveGroup group : groups) {
      group.stop();
    }
    for (WebSocketConnector connector : webSocketConnectors.values()) {
      try {
        connector.stop();
      } catch (Exception e) {
        org.slf4j.LoggerFactory.getLogger(GatewayEngine.class).warn("cannot stop a WebSocket connector: {}", e.toString());
      }
    }
  }

  /**
   * Takes {@code group} over from {@code previous}: it keeps running (it is not started again) and
   * this configuration stops it; the previous one no longer does. Under the runtime's lock.
   */
  private LiveGroup adopt(GatewayEngine previous, LiveGroup group) {
    synchronized (previous) {
      previous.groups.remove(group);
      previous.toStart.remove(group);
      HttpClient probe = previous.probeClients.get(group);
      if (probe != null) {
        probeClients.put(group, probe);
      }
    }
    groups.add(group);
    return group;
  }

  /** Returns this configuration's upstream groups (for the admin view and readiness). */
  List<LiveGroup> groups() {
    return groups;
  }

  private LiveGroup liveGroup(UpstreamGroup settings, UpstreamClients clients) {
    // Health and circuit changes reach the runtime's observer (metrics gauges, for one).
    CircuitGuard circuit = settings.circuitBreaker()
        .map(cb -> Resilience4jCircuit.create(settings.name(), cb, System::nanoTime,
            state -> runtime.observer().circuitStateChanged(settings.name(), state)))
        .orElse(CircuitGuard.none());
    LiveGroup group = new LiveGroup(settings, circuit, System::nanoTime,
        (address, healthy) -> runtime.observer().endpointHealthChanged(settings.name(), address, healthy));
    groups.add(group);
    toStart.add(group);
    // Probes connect within the probe timeout; otherwise they share the group's TLS, protocol and pool settings.
    settings.healthCheck().ifPresent(check -> probeClients.put(group, clients.client(settings, check.timeout().toMillis())));
    return group;
  }

  /**
   * A route's inline {@code upstream(...)} as a group of one: no outlier detection (its only
   * endpoint is never ejected) and the connection pool the engine always gave single upstreams.
   */
  private static UpstreamGroup inlineGroup(Route route, Upstream upstream) {
    UpstreamGroup.Builder b = UpstreamGroup.builder("route:" + route.id())
        .endpoint(Endpoint.of(upstream))
        .outlierDetection(OutlierDetection.disabled())
        .maxConnectionsPerEndpoint(1024);
    upstream.tls().ifPresent(b::tls);
    return b.build();
  }

  /**
   * Counts an exchange in; false when this configuration was replaced in the meantime (the caller
   * then takes the runtime's current one). Every true is matched by one {@link #exit()}.
   */
  boolean enter() {
    inFlight.incrementAndGet();
    if (retired) {
      exit();
      return false;
    }
    return true;
  }

  /** Counts an exchange out; the last one out of a replaced configuration reports it drained. */
  void exit() {
    if (inFlight.decrementAndGet() == 0 && retired) {
      drained();
    }
  }

  /** Marks this configuration replaced; {@code whenDrained} runs once its last exchange has ended. */
  void retire(Runnable whenDrained) {
    onDrained = whenDrained;
    retired = true;
    if (inFlight.get() == 0) {
      drained();
    }
  }

  private void drained() {
    Runnable listener = onDrained;
    if (listener != null && drained.compareAndSet(false, true)) {
      listener.run();
    }
  }

  public String requestIdHeader() {
    return requestIdHeader;
  }

  /** The request id header for {@code requestId}, its name already matched to Jetty's known headers. */
  public HttpField requestIdField(String requestId) {
    return new HttpField(requestIdHeaderKnown, requestIdHeader, requestId);
  }

  public Forwarding forwarding() {
    return forwarding;
  }

  IncomingHeaders incomingHeaders() {
    return incomingHeaders;
  }

  AccessLog accessLog() {
    return accessLog;
  }

  @Nullable CompiledCors cors() {
    return cors;
  }

  ErrorMapper errorMapper() {
    return errorMapper;
  }

  /**
   * Handles one exchange. Returns false, having touched nothing, when no route matches and
   * {@code handBackOnNoRoute} is true; otherwise takes the exchange over and ends it later with
   * {@link ClientExchange#succeeded()} or {@link ClientExchange#failed(Throwable)}.
   */
  public boolean handle(ClientExchange client, boolean handBackOnNoRoute) {
    long start = System.nanoTime();
    String method = client.method();
    String rawPath = client.rawPath();
    // A message the gateway could route as one thing and forward as another is refused, on every
    // route and before a hand-back: a lower-case method, a transfer coding under the chunks, two media types.
    Problem unforwardable = UnforwardableRequest.check(method, client.headers());
    if (unforwardable != null) {
      refuse(client, start, method, rawPath != null ? rawPath : "", HttpHeaders.empty(), unforwardable.type(),
          unforwardable.detail());
      return true;
    }
    PathNormalizer.Result normalized = rawPath != null ? PathNormalizer.normalize(rawPath)
        : PathNormalizer.Result.rejected(PathInContext.NOT_FOUND);
    if (!normalized.isOk()) {
      refuse(client, start, method, rawPath != null ? rawPath : "", HttpHeaders.empty(), ProblemType.BAD_PATH,
          normalized.reason());
      return true;
    }
    String path = normalized.path();
    // The query is forwarded byte for byte; what cannot be is refused before any route sees it.
    String queryRefusal = RawQuery.refusal(client.rawQuery());
    if (queryRefusal != null) {
      refuse(client, start, method, path, HttpHeaders.empty(), ProblemType.BAD_PATH, queryRefusal);
      return true;
    }
    // Identity headers and the fields the client's Connection names are gone before anything reads them.
    HttpFields fields = incomingHeaders.screen(client.headers());
    HttpHeaders headers = new FieldsHttpHeaders(fields);
    String authority = client.authority();
    if (CompiledCors.isPreflight(method, client.headers()) && answeredPreflight(client, start, path, authority, headers)) {
      return true;
    }
    RouteLookup lookup = table.lookup(method, path, authority, headers, client.rawQuery());
    if (lookup instanceof RouteLookup.Found && runtime.isDraining()) {
      // Graceful shutdown: exchanges already in flight finish, new ones are turned away.
      refuse(client, start, method, path, HttpHeaders.empty(), ProblemType.SHUTTING_DOWN,
          "The gateway is shutting down; retry on another instance.");
      return true;
    }
    if (lookup instanceof RouteLookup.Found found) {
      InetSocketAddress remote = client.remoteAddress();
      String peerIp = ipOf(remote);
      boolean trusted = forwarding.isTrusted(remote);
      String clientIp = forwarding.clientIp(peerIp, trusted, client.headers());
      String requestId = RequestIds.acceptOrCreate(fields.get(requestIdHeader));
      CompiledRoute route = compiled.get(found.route());
      ExchangeRun run = new ExchangeRun(this, client, start, requestId, method, path, route, found.variables(),
          trusted, peerIp, clientIp);
      GatewayRequest request = GatewayRequest.builder(method, path)
          .rawQuery(client.rawQuery())
          .headers(headers)
          .scheme(client.isSecure() ? "https" : "http")
          .authority(authority)
          .build();
      run.start(new DefaultExchange(run, request));
      return true;
    }
    if (lookup instanceof RouteLookup.MethodNotAllowed notAllowed) {
      String allow = String.join(", ", notAllowed.allowed());
      refuse(client, start, method, path,
          HttpHeaders.builder().add("Allow", allow).build(),
          ProblemType.METHOD_NOT_ALLOWED, "Method " + method + " is not allowed here; allowed: " + allow + ".");
      return true;
    }
    if (handBackOnNoRoute) {
      return false;
    }
    refuse(client, start, method, path, HttpHeaders.empty(), ProblemType.NO_ROUTE, "No route matches this request.");
    return true;
  }

  /**
   * Answers a CORS preflight when the route that would take the request it announces (matched by
   * its Access-Control-Request-Method, not by OPTIONS) has a CORS policy: without calling the
   * upstream or any filter, so also on routes that authenticate. When no route here takes that
   * method but one that takes another has a CORS policy, that policy refuses the method (403
   * {@code cors-rejected} naming it). Otherwise returns false, and the OPTIONS request is routed
   * like any other (404 or hand-back, 405, or proxied).
   */
  private boolean answeredPreflight(ClientExchange client, long start, String path, String authority,
      HttpHeaders headers) {
    String requested = client.headers().get(CompiledCors.REQUEST_METHOD).trim();
    PreflightTarget target = preflightTarget(requested, path, authority, headers, client.rawQuery());
    if (target == null) {
      return false;
    }
    CompiledRoute route = target.route();
    RouteLookup.Found found = target.found();
    CompiledCors policy = route.policies().cors();
    InetSocketAddress remote = client.remoteAddress();
    String peerIp = ipOf(remote);
    boolean trusted = forwarding.isTrusted(remote);
    ExchangeRun run = new ExchangeRun(this, client, start, RequestIds.acceptOrCreate(client.headers().get(requestIdHeader)),
        client.method(), path, route, found.variables(), trusted, peerIp, forwarding.clientIp(peerIp, trusted, client.headers()));
    run.respondPreflight(target.allowed().isEmpty() ? policy.preflight(client.headers())
        : policy.methodNotRouted(client.headers(), requested, String.join(", ", target.allowed())));
    return true;
  }

  /**
   * The route whose CORS policy answers a preflight that announces {@code requested}: the route
   * that takes that method here; or, when routes on this path take only other methods
   * ({@code allowed}, then not empty), the route of one of those, whose policy refuses the method.
   */
  private record PreflightTarget(RouteLookup.Found found, CompiledRoute route, Set<String> allowed) {}

  private @Nullable PreflightTarget preflightTarget(String requested, String path, String authority, HttpHeaders headers,
      @Nullable String rawQuery) {
    // Matched as sent, like the request it announces: a method in another case is not the route's.
    if (!isToken(requested) || UnforwardableRequest.hasLowerCase(requested)) {
      return null;
    }
    RouteLookup lookup = table.lookup(requested, path, authority, headers, rawQuery);
    if (lookup instanceof RouteLookup.Found found) {
      CompiledRoute route = compiled.get(found.route());
      return route.policies().cors() == null ? null : new PreflightTarget(found, route, Set.of());
    }
    if (lookup instanceof RouteLookup.MethodNotAllowed notAllowed) {
      // Rare, and not a hot path: the first route on this path (by method) that has a CORS policy.
      for (String method : notAllowed.allowed()) {
        if (table.lookup(method, path, authority, headers, rawQuery) instanceof RouteLookup.Found found
            && compiled.get(found.route()).policies().cors() != null) {
          return new PreflightTarget(found, compiled.get(found.route()), notAllowed.allowed());
        }
      }
    }
    return null;
  }

  /**
   * Returns what {@link #handle} would do with a request, without doing it: the same path
   * normalization, preflight detection and route lookup, and the upstream URI the route's rewrite
   * gives (before filters and request transforms change the request).
   */
  Explanation explain(String method, String rawPath, @Nullable String rawQuery, String authority, HttpHeaders headers) {
    HttpFields sent = FieldsHttpHeaders.fields(headers);
    Problem unforwardable = UnforwardableRequest.check(method, sent);
    if (unforwardable != null) {
      return new Explanation(Explanation.Verdict.UNFORWARDABLE, method, rawPath, Optional.of(unforwardable.detail()),
          Optional.empty(), Map.of(), Optional.empty(), List.of(), Set.of());
    }
    PathNormalizer.Result normalized = PathNormalizer.normalize(rawPath);
    String queryRefusal = normalized.isOk() ? RawQuery.refusal(rawQuery) : null;
    if (!normalized.isOk() || queryRefusal != null) {
      return new Explanation(Explanation.Verdict.BAD_PATH, method, rawPath,
          Optional.of(queryRefusal != null ? queryRefusal : normalized.reason()),
          Optional.empty(), Map.of(), Optional.empty(), List.of(), Set.of());
    }
    String path = normalized.path();
    // Routed on what handle() would keep of the headers.
    HttpFields fields = incomingHeaders.screen(sent);
    HttpHeaders kept = new FieldsHttpHeaders(fields);
    if (CompiledCors.isPreflight(method, fields)) {
      String requested = fields.get(CompiledCors.REQUEST_METHOD).trim();
      PreflightTarget target = preflightTarget(requested, path, authority, kept, rawQuery);
      if (target != null) {
        Optional<String> refusal = target.allowed().isEmpty() ? Optional.empty()
            : Optional.of("Method '" + requested + "' is not allowed for cross-origin requests here; allowed: "
                + String.join(", ", target.allowed()) + ".");
        return new Explanation(Explanation.Verdict.PREFLIGHT, method, path, refusal,
            Optional.of(target.found().route().id()), target.found().variables(), Optional.empty(),
            List.of("cors-preflight"), target.allowed());
      }
    }
    RouteLookup lookup = table.lookup(method, path, authority, kept, rawQuery);
    if (lookup instanceof RouteLookup.MethodNotAllowed notAllowed) {
      return new Explanation(Explanation.Verdict.METHOD_NOT_ALLOWED, method, path,
          Optional.of("Method " + method + " is not allowed here; allowed: " + String.join(", ", notAllowed.allowed()) + "."),
          Optional.empty(), Map.of(), Optional.empty(), List.of(), notAllowed.allowed());
    }
    if (!(lookup instanceof RouteLookup.Found found)) {
      return new Explanation(Explanation.Verdict.NO_ROUTE, method, path, Optional.of("No route matches this request."),
          Optional.empty(), Map.of(), Optional.empty(), List.of(), Set.of());
    }
    CompiledRoute route = compiled.get(found.route());
    List<String> policies = policies(route.id());
    // An inline upstream is one address; a group's endpoint is only chosen per request, so the
    // explanation names the group instead of an address.
    Optional<Upstream> inline = route.route().upstream();
    String rawUpstreamPath = inline.map(Upstream::basePath).orElse("")
        + route.route().rewrite().apply(path, found.variables());
    PathNormalizer.Result rewritten = PathNormalizer.normalize(rawUpstreamPath);
    if (!rewritten.isOk()) {
      return new Explanation(Explanation.Verdict.BAD_UPSTREAM_PATH, method, path,
          Optional.of("The path to send upstream is not valid: " + rewritten.reason()), Optional.of(route.id()),
          found.variables(), Optional.empty(), policies, Set.of());
    }
    String origin = inline.map(u -> u.scheme() + "://" + u.authority())
        .orElseGet(() -> "upstream-group:" + route.route().upstreamGroup().orElse("?"));
    String uri = origin + rewritten.path() + (rawQuery == null ? "" : "?" + rawQuery);
    return new Explanation(Explanation.Verdict.ROUTED, method, path, Optional.empty(), Optional.of(route.id()),
        found.variables(), Optional.of(uri), policies, Set.of());
  }

  /** Returns the step names of route {@code routeId}'s chain, then {@code proxy}; empty when unknown. */
  List<String> policies(String routeId) {
    for (CompiledRoute route : compiled.values()) {
      if (route.id().equals(routeId)) {
        List<String> names = new ArrayList<>();
        for (ChainStep step : route.steps()) {
          names.add(step.name());
        }
        names.add("proxy");
        return List.copyOf(names);
      }
    }
    return List.of();
  }

  private void refuse(ClientExchange client, long start, String method, String path, HttpHeaders headers,
      ProblemType type, String detail) {
    InetSocketAddress remote = client.remoteAddress();
    String peerIp = ipOf(remote);
    boolean trusted = forwarding.isTrusted(remote);
    String requestId = RequestIds.acceptOrCreate(client.headers().get(requestIdHeader));
    ExchangeRun run = new ExchangeRun(this, client, start, requestId, method, path, null, Map.of(), trusted,
        peerIp, forwarding.clientIp(peerIp, trusted, client.headers()));
    run.writeProblem(new Problem(type, detail, headers), headers);
  }

  private static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
        return false;
      }
    }
    return true;
  }

  private static String ipOf(InetSocketAddress address) {
    InetAddress inet = address.getAddress();
    return inet != null ? inet.getHostAddress() : address.getHostString();
  }
}
