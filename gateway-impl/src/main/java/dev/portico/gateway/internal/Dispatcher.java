package dev.portico.gateway.internal;

import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.IpRules;
import dev.portico.gateway.Problem;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.internal.chain.CompiledCors;
import dev.portico.gateway.internal.http.FieldsHttpHeaders;
import dev.portico.gateway.internal.http.UnforwardableRequest;
import dev.portico.gateway.internal.proxy.Forwarding;
import dev.portico.gateway.internal.routing.PathInContext;
import dev.portico.gateway.internal.routing.PathNormalizer;
import dev.portico.gateway.internal.routing.RawQuery;
import dev.portico.gateway.internal.routing.RouteLookup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.jspecify.annotations.Nullable;

/**
 * The synchronous start of every exchange, on the adapter's thread: refuses what cannot be
 * forwarded, normalizes the path, screens the headers, answers CORS preflights, matches a route,
 * and hands the exchange to an {@link ExchangeRun} (or back to the host when no route matches and
 * the adapter asks for that). No I/O, nothing allocated for the upstream. Not public API.
 */
final class Dispatcher {
  private final GatewayEngine engine;
  private final CompiledRoutes routes;
  private final Forwarding forwarding;
  private final String requestIdHeader;
  /** The gateway's own client address check, for the refusals before a route; null without rules. */
  private final @Nullable IpGate gatewayIpGate;

  Dispatcher(GatewayEngine engine, CompiledRoutes routes) {
    this.engine = engine;
    this.routes = routes;
    this.gatewayIpGate = IpGate.of(engine.gateway().ipRules(), IpRules.none());
    this.forwarding = engine.requests().forwarding();
    this.requestIdHeader = engine.requests().requestIdHeader();
  }

  /** See {@link GatewayEngine#handle}. */
  boolean handle(ClientExchange client, boolean handBackOnNoRoute) {
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
    HttpFields fields = engine.incomingHeaders().screen(client.headers());
    HttpHeaders headers = new FieldsHttpHeaders(fields);
    String authority = client.authority();
    if (CompiledCors.isPreflight(method, client.headers()) && answeredPreflight(client, start, path, authority, headers)) {
      return true;
    }
    RouteLookup lookup = routes.lookup(method, path, authority, headers, client.rawQuery());
    if (lookup instanceof RouteLookup.Found && engine.runtime().isDraining()) {
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
      CompiledRoute route = routes.of(found, method);
      ExchangeRun run = new ExchangeRun(engine, client, start, requestId, method, path, route,
          found.variables(), trusted, peerIp, clientIp);
      // Client address rules first: a refused client costs no filter, token check or rate-limit token.
      Problem ipRefusal = route.ipGate() == null ? null : route.ipGate().refusal(clientIp);
      if (ipRefusal != null) {
        run.refuse(ipRefusal, HttpHeaders.empty());
        return true;
      }
      GatewayRequest request = GatewayRequest.builder(method, path)
          .rawQuery(client.rawQuery())
          .headers(headers)
          .scheme(client.isSecure() ? "https" : "http")
          .authority(authority)
          .build();
      run.start(new DefaultExchange(run, request));
      return true;
    }
    if (gatewayIpGate != null && !(lookup instanceof RouteLookup.NotFound && handBackOnNoRoute)
        && refusedByGateway(client, start, method, path)) {
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
    CompiledRoutes.PreflightTarget target = routes.preflightTarget(requested, path, authority, headers,
        client.rawQuery());
    if (target == null) {
      return false;
    }
    CompiledRoute route = target.route();
    CompiledCors policy = route.policies().cors();
    InetSocketAddress remote = client.remoteAddress();
    String peerIp = ipOf(remote);
    boolean trusted = forwarding.isTrusted(remote);
    String clientIp = forwarding.clientIp(peerIp, trusted, client.headers());
    ExchangeRun run = new ExchangeRun(engine, client, start, RequestIds.acceptOrCreate(client.headers().get(requestIdHeader)),
        client.method(), path, route, target.found().variables(), trusted, peerIp, clientIp);
    // A refused client learns nothing of the route's CORS policy.
    Problem ipRefusal = route.ipGate() == null ? null : route.ipGate().refusal(clientIp);
    if (ipRefusal != null) {
      run.refuse(ipRefusal, HttpHeaders.empty());
      return true;
    }
    run.respondPreflight(target.allowed().isEmpty() ? policy.preflight(client.headers())
        : policy.methodNotRouted(client.headers(), requested, String.join(", ", target.allowed())));
    return true;
  }

  /**
   * Refuses, with 403 {@code ip-refused}, a request the gateway would answer 404 or 405 when its
   * client address is one the gateway's own rules refuse; returns whether it did.
   */
  private boolean refusedByGateway(ClientExchange client, long start, String method, String path) {
    InetSocketAddress remote = client.remoteAddress();
    String peerIp = ipOf(remote);
    boolean trusted = forwarding.isTrusted(remote);
    String clientIp = forwarding.clientIp(peerIp, trusted, client.headers());
    Problem refusal = gatewayIpGate == null ? null : gatewayIpGate.refusal(clientIp);
    if (refusal == null) {
      return false;
    }
    ExchangeRun run = new ExchangeRun(engine, client, start, RequestIds.acceptOrCreate(client.headers().get(requestIdHeader)),
        method, path, null, Map.of(), trusted, peerIp, clientIp);
    run.refuse(refusal, HttpHeaders.empty());
    return true;
  }

  private void refuse(ClientExchange client, long start, String method, String path, HttpHeaders headers,
      ProblemType type, String detail) {
    InetSocketAddress remote = client.remoteAddress();
    String peerIp = ipOf(remote);
    boolean trusted = forwarding.isTrusted(remote);
    String requestId = RequestIds.acceptOrCreate(client.headers().get(requestIdHeader));
    ExchangeRun run = new ExchangeRun(engine, client, start, requestId, method, path, null, Map.of(), trusted,
        peerIp, forwarding.clientIp(peerIp, trusted, client.headers()));
    run.refuse(new Problem(type, detail, headers), headers);
  }

  private static String ipOf(InetSocketAddress address) {
    InetAddress inet = address.getAddress();
    return inet != null ? inet.getHostAddress() : address.getHostString();
  }
}
