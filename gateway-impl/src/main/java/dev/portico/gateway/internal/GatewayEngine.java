package dev.portico.gateway.internal;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.AccessLog;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Filter;
import dev.portico.gateway.Problem;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.Route;
import dev.portico.gateway.Upstream;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.internal.upstream.CircuitGuard;
import dev.portico.gateway.internal.upstream.LiveGroup;
import dev.portico.gateway.internal.upstream.RetryBudget;
import dev.portico.gateway.internal.upstream.resilience4j.Resilience4jCircuit;
import dev.portico.gateway.internal.websocket.WebSocketConnector;
import dev.portico.gateway.upstream.Endpoint;
import dev.portico.gateway.upstream.OutlierDetection;
import dev.portico.gateway.upstream.RetryPolicy;
import dev.portico.gateway.upstream.UpstreamGroup;
import dev.portico.gateway.upstream.UpstreamProtocol;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.internal.routing.PathNormalizer;
import dev.portico.gateway.internal.routing.RouteLookup;
import dev.portico.gateway.internal.routing.RouteTable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;
import org.jspecify.annotations.Nullable;

/**
 * The running form of a {@link Gateway}: compiled route table, upstream clients, forwarding rules
 * and access log, shared by every adapter. Not public API.
 *
 * <p>{@link #handle} does the synchronous part of an exchange on the caller's thread (normalize
 * the path, match a route), then everything else is asynchronous: the filter chain's stages, the
 * upstream call's listeners and the client writes' callbacks drive it to the end.
 */
public final class GatewayEngine {
  private final Gateway gateway;
  private final RouteTable table;
  private final Map<Route, CompiledRoute> compiled = new IdentityHashMap<>();
  private final UpstreamClients clients;
  private final Forwarding forwarding;
  private final AccessLog accessLog;
  private final String requestIdHeader;
  /** Timers of the engine's own policies (concurrency-limit queue timeouts). */
  private final Scheduler timers = new ScheduledExecutorScheduler("portico-timers", true);
  /** Upstream groups: the named ones, shared by their routes, and one per route with an inline upstream. */
  private final List<LiveGroup> groups = new ArrayList<>();
  /** The client the health probes of each group with a health check use. */
  private final Map<LiveGroup, HttpClient> probeClients = new IdentityHashMap<>();
  /** Runs health probes and endpoint-source polls; created by start(), never blocked by a probe. */
  private @Nullable ScheduledExecutorService upstreamScheduler;
  /** WebSocket connectors, one per group that a websocket() route sends to; websocket-core loads only then. */
  private final Map<LiveGroup, WebSocketConnector> webSocketConnectors = new IdentityHashMap<>();

  private GatewayEngine(Gateway gateway) {
    this.gateway = gateway;
    this.table = RouteTable.of(gateway.routes());
    this.clients = new UpstreamClients();
    Map<String, LiveGroup> named = new LinkedHashMap<>();
    for (UpstreamGroup group : gateway.upstreamGroups()) {
      named.put(group.name(), liveGroup(group));
    }
    for (Route route : gateway.routes()) {
      // The engine's policy steps, between the global filters and the route's own, in this order.
      List<Filter> steps = new ArrayList<>(4);
      route.maxRequestBodySize().ifPresent(max -> steps.add(new RequestSizeStep(GatewayEngine::runOf, max)));
      Authenticator authenticator = gateway.authenticatorFor(route).orElse(null);
      boolean needsStep = authenticator != null || !route.identityForwarding().identityHeaders().isEmpty()
          || route.identityForwarding().stripCredentials() || !route.identityForwarding().stripHeaders().isEmpty();
      AuthenticationStep step = needsStep ? new AuthenticationStep(GatewayEngine::runOf, authenticator,
          route.accessRules(), route.identityForwarding()) : null;
      if (step != null) {
        steps.add(step);
      }
      List<RateLimiter> limiters = new ArrayList<>(gateway.rateLimiters());
      limiters.addAll(route.rateLimiters());
      if (!limiters.isEmpty()) {
        steps.add(new RateLimitStep(limiters, gateway.rateLimitHeaders()));
      }
      route.concurrencyLimit().ifPresent(limit -> steps.add(new ConcurrencyLimitStep(GatewayEngine::runOf, limit, timers)));
      // The route's upstream: a shared group, or its inline upstream as a group of one.
      LiveGroup group = route.upstreamGroup().map(named::get)
          .orElseGet(() -> liveGroup(inlineGroup(route, route.upstream().orElseThrow())));
      RetryPolicy retry = route.retryPolicy();
      RetryBudget budget = retry.enabled()
          ? new RetryBudget(retry.budgetPercent(), retry.minRetriesPerSecond(), System::nanoTime) : null;
      // One WebSocket connector per group, over its HTTP/1.1 client (the first websocket() route's connect timeout).
      WebSocketConnector ws = route.webSocket().isEmpty() ? null : webSocketConnectors.computeIfAbsent(group,
          g -> new WebSocketConnector(clients.client(g.settings().toBuilder().protocol(UpstreamProtocol.HTTP_1_1).build(),
              route.timeouts().connect().toMillis())));
      compiled.put(route, new CompiledRoute(route, gateway.filters(), steps,
          clients.client(group.settings(), route.timeouts().connect().toMillis()), group, budget, ws));
    }
    this.forwarding = new Forwarding(gateway.trustedProxies());
    this.accessLog = gateway.accessLog().orElseGet(AccessLogs::slf4j);
    this.requestIdHeader = gateway.requestIdHeader();
  }

  /** Compiles {@code gateway}; does no I/O until {@link #start()}. */
  public static GatewayEngine create(Gateway gateway) {
    return new GatewayEngine(requireNonNull(gateway, "gateway"));
  }

  /** Returns the definition this engine runs. */
  public Gateway gateway() {
    return gateway;
  }

  /** Starts the upstream clients, the engine's timers, and the groups' endpoint sources and health checks. */
  public void start() throws Exception {
    timers.start();
    clients.start();
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "portico-upstreams");
      thread.setDaemon(true);
      return thread;
    });
    scheduler.setRemoveOnCancelPolicy(true);
    upstreamScheduler = scheduler;
    for (LiveGroup group : groups) {
      group.start(scheduler, probeClients.get(group));
    }
    for (WebSocketConnector connector : webSocketConnectors.values()) {
      connector.start();
    }
  }

  /** Stops health checks, endpoint sources, the upstream clients and the engine's timers; exchanges still in flight fail. */
  public void stop() throws Exception {
    try {
      for (LiveGroup group : groups) {
        group.stop();
      }
      for (WebSocketConnector connector : webSocketConnectors.values()) {
        connector.stop();
      }
      ScheduledExecutorService scheduler = upstreamScheduler;
      if (scheduler != null) {
        scheduler.shutdownNow();
        upstreamScheduler = null;
      }
      clients.stop();
    } finally {
      timers.stop();
    }
  }

  private LiveGroup liveGroup(UpstreamGroup settings) {
    CircuitGuard circuit = settings.circuitBreaker()
        .map(cb -> Resilience4jCircuit.create(settings.name(), cb, System::nanoTime))
        .orElse(CircuitGuard.none());
    LiveGroup group = new LiveGroup(settings, circuit, System::nanoTime);
    groups.add(group);
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

  String requestIdHeader() {
    return requestIdHeader;
  }

  Forwarding forwarding() {
    return forwarding;
  }

  AccessLog accessLog() {
    return accessLog;
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
    PathNormalizer.Result normalized = PathNormalizer.normalize(rawPath);
    if (!normalized.isOk()) {
      refuse(client, start, method, rawPath, HttpHeaders.empty(), ProblemType.BAD_PATH, normalized.reason());
      return true;
    }
    String path = normalized.path();
    HttpHeaders headers = new FieldsHttpHeaders(client.headers());
    String authority = client.authority();
    RouteLookup lookup = table.lookup(method, path, authority, headers, client.rawQuery());
    if (lookup instanceof RouteLookup.Found found) {
      InetSocketAddress remote = client.remoteAddress();
      String peerIp = ipOf(remote);
      boolean trusted = forwarding.isTrusted(remote);
      String clientIp = forwarding.clientIp(peerIp, trusted, client.headers());
      String requestId = RequestIds.acceptOrCreate(client.headers().get(requestIdHeader));
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

  private static ExchangeRun runOf(dev.portico.gateway.Exchange exchange) {
    if (exchange instanceof DefaultExchange engineExchange) {
      return engineExchange.run();
    }
    throw new IllegalStateException("a filter passed on an exchange the engine did not create: " + exchange.getClass().getName());
  }

  private static String ipOf(InetSocketAddress address) {
    InetAddress inet = address.getAddress();
    return inet != null ? inet.getHostAddress() : address.getHostString();
  }
}
