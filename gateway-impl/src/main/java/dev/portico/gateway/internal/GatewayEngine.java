package dev.portico.gateway.internal;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.AccessLog;
import dev.portico.gateway.ErrorMapper;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Filter;
import dev.portico.gateway.Problem;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.Route;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.internal.routing.PathNormalizer;
import dev.portico.gateway.internal.routing.RouteLookup;
import dev.portico.gateway.internal.routing.RouteTable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
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
  /** The gateway's CORS policy and error mapper, for exchanges refused before a route matched. */
  private final @Nullable CompiledCors cors;
  private final ErrorMapper errorMapper;

  private GatewayEngine(Gateway gateway) {
    this.gateway = gateway;
    this.table = RouteTable.of(gateway.routes());
    this.clients = new UpstreamClients(gateway.routes());
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
      compiled.put(route, new CompiledRoute(route, gateway.filters(), steps, clients.forRoute(route),
          RoutePolicies.compile(gateway, route, GatewayEngine::runOf)));
    }
    this.forwarding = new Forwarding(gateway.trustedProxies());
    this.accessLog = gateway.accessLog().orElseGet(AccessLogs::slf4j);
    this.requestIdHeader = gateway.requestIdHeader();
    this.cors = gateway.cors().map(CompiledCors::new).orElse(null);
    this.errorMapper = gateway.errorMapper().orElse(ProblemRenderer.DEFAULT);
  }

  /** Compiles {@code gateway}; does no I/O until {@link #start()}. */
  public static GatewayEngine create(Gateway gateway) {
    return new GatewayEngine(requireNonNull(gateway, "gateway"));
  }

  /** Returns the definition this engine runs. */
  public Gateway gateway() {
    return gateway;
  }

  /** Starts the upstream clients and the engine's timers. */
  public void start() throws Exception {
    timers.start();
    clients.start();
  }

  /** Stops the upstream clients and the engine's timers; exchanges still in flight fail. */
  public void stop() throws Exception {
    try {
      clients.stop();
    } finally {
      timers.stop();
    }
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
    PathNormalizer.Result normalized = PathNormalizer.normalize(rawPath);
    if (!normalized.isOk()) {
      refuse(client, start, method, rawPath, HttpHeaders.empty(), ProblemType.BAD_PATH, normalized.reason());
      return true;
    }
    String path = normalized.path();
    HttpHeaders headers = new FieldsHttpHeaders(client.headers());
    String authority = client.authority();
    if (CompiledCors.isPreflight(method, client.headers()) && answeredPreflight(client, start, path, authority, headers)) {
      return true;
    }
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

  /**
   * Answers a CORS preflight when the route that would take the request it announces (matched by
   * its Access-Control-Request-Method, not by OPTIONS) has a CORS policy: without calling the
   * upstream or any filter, so also on routes that authenticate. Otherwise returns false, and the
   * OPTIONS request is routed like any other (404 or hand-back, 405, or proxied).
   */
  private boolean answeredPreflight(ClientExchange client, long start, String path, String authority,
      HttpHeaders headers) {
    String requested = client.headers().get(CompiledCors.REQUEST_METHOD).trim().toUpperCase(java.util.Locale.ROOT);
    if (!isToken(requested)) {
      return false;
    }
    if (!(table.lookup(requested, path, authority, headers, client.rawQuery()) instanceof RouteLookup.Found found)) {
      return false;
    }
    CompiledRoute route = compiled.get(found.route());
    CompiledCors policy = route.policies().cors();
    if (policy == null) {
      return false;
    }
    InetSocketAddress remote = client.remoteAddress();
    String peerIp = ipOf(remote);
    boolean trusted = forwarding.isTrusted(remote);
    ExchangeRun run = new ExchangeRun(this, client, start, RequestIds.acceptOrCreate(client.headers().get(requestIdHeader)),
        client.method(), path, route, found.variables(), trusted, peerIp, forwarding.clientIp(peerIp, trusted, client.headers()));
    run.respondPreflight(policy.preflight(client.headers()));
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
