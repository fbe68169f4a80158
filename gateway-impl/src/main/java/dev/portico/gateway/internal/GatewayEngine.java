package dev.portico.gateway.internal;

import dev.portico.gateway.AccessLog;
import dev.portico.gateway.ErrorMapper;
import dev.portico.gateway.Explanation;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.internal.chain.CompiledCors;
import dev.portico.gateway.internal.chain.ConcurrencyLimitStep;
import dev.portico.gateway.internal.chain.ProblemRenderer;
import dev.portico.gateway.internal.http.IncomingHeaders;
import dev.portico.gateway.internal.proxy.Forwarding;
import dev.portico.gateway.internal.proxy.UpstreamRequests;
import dev.portico.gateway.internal.upstream.LiveGroup;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.HttpClient;
import org.jspecify.annotations.Nullable;

/**
 * One compiled configuration of a {@link Gateway}: its routes ({@link CompiledRoutes}, compiled by
 * {@link RouteCompiler}), its upstream side ({@link EngineUpstreams}), the rules every exchange
 * shares (incoming headers, forwarding, request ids, access log, the gateway's CORS policy and
 * error mapper), and the count of exchanges in flight on it. Immutable once built; a
 * {@link GatewayRuntime} runs one at a time and swaps it for another on reconfiguration, while
 * exchanges in flight finish on the one they started on (each {@link ExchangeRun} holds its
 * engine). What outlives a configuration (the upstream clients, the timers, the observer, the
 * exchanges in flight) belongs to the runtime. Not public API.
 *
 * <p>{@link #handle} does the synchronous part of an exchange on the caller's thread
 * ({@link Dispatcher}), then everything else is asynchronous: the chain's stages, the upstream
 * call's listeners and the client writes' callbacks drive it to the end.
 */
final class GatewayEngine {
  private final Gateway gateway;
  private final GatewayRuntime runtime;
  private final EngineUpstreams upstreams;
  private final CompiledRoutes routes;
  /** Bulkheads by route id: a reconfiguration that keeps a route's ConcurrencyLimit keeps its permits. */
  private final Map<String, java.util.List<ConcurrencyLimitStep>> bulkheads;
  private final UpstreamRequests requests;
  /** What is dropped from every client request before anything reads it (identity headers, Connection's nominees). */
  private final IncomingHeaders incomingHeaders;
  private final AccessLog accessLog;
  /** The gateway's CORS policy and error mapper, for exchanges refused before a route matched. */
  private final @Nullable CompiledCors cors;
  private final ErrorMapper errorMapper;
  private final Dispatcher dispatcher;
  private final Explainer explainer;
  // Exchanges in flight on this configuration, and whether a newer one replaced it: when both say
  // so the configuration is drained and the runtime releases what only it used (see enter/exit).
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean retired;
  private final AtomicBoolean drained = new AtomicBoolean();
  private volatile @Nullable Runnable onDrained;

  /**
   * Compiles {@code gateway}, carrying over from {@code previous} the upstream groups and
   * bulkheads it keeps.
   *
   * @throws IllegalStateException naming the route, when a policy cannot be compiled
   */
  GatewayEngine(Gateway gateway, GatewayRuntime runtime, @Nullable GatewayEngine previous) {
    this.gateway = gateway;
    this.runtime = runtime;
    this.upstreams = new EngineUpstreams(runtime, gateway.upstreamGroups(), previous == null ? null : previous.upstreams);
    this.requests = new UpstreamRequests(new Forwarding(gateway.trustedProxies()), gateway.requestIdHeader());
    RouteCompiler compiler = new RouteCompiler(gateway, runtime, upstreams, requests,
        previous == null ? Map.of() : previous.bulkheads);
    this.routes = new CompiledRoutes(gateway.routes(), compiler);
    this.bulkheads = compiler.bulkheads();
    this.incomingHeaders = IncomingHeaders.of(gateway);
    this.accessLog = gateway.accessLog().orElseGet(AccessLogs::slf4j);
    this.cors = gateway.cors().map(c -> new CompiledCors(c, gateway.requestIdHeader())).orElse(null);
    this.errorMapper = gateway.errorMapper().orElse(ProblemRenderer.DEFAULT);
    this.dispatcher = new Dispatcher(this, routes);
    this.explainer = new Explainer(routes, incomingHeaders);
  }

  /** Returns the definition this engine runs. */
  Gateway gateway() {
    return gateway;
  }

  GatewayRuntime runtime() {
    return runtime;
  }

  UpstreamRequests requests() {
    return requests;
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

  /** Returns this configuration's upstream groups (for the admin view and readiness). */
  List<LiveGroup> groups() {
    return upstreams.groups();
  }

  /** Returns the live state of this configuration's response caches. */
  List<dev.portico.gateway.cache.CacheStatus> cacheStatus() {
    return routes.cacheStatus();
  }

  /** Returns the upstream clients this configuration uses. */
  Set<HttpClient> clientsInUse() {
    Set<HttpClient> used = routes.clientsInUse();
    upstreams.addClientsInUse(used);
    return used;
  }

  /** Starts the groups' endpoint sources and health checks and the WebSocket connectors: this configuration goes live. */
  void startUpstreams() throws Exception {
    upstreams.start();
  }

  /** Stops health checks, endpoint sources and WebSocket connectors: replaced and drained, or the gateway stops. */
  void stopUpstreams() {
    upstreams.stop();
  }

  /**
   * Handles one exchange. Returns false, having touched nothing, when no route matches and
   * {@code handBackOnNoRoute} is true; otherwise takes the exchange over and ends it later with
   * {@link ClientExchange#succeeded()} or {@link ClientExchange#failed(Throwable)}.
   */
  boolean handle(ClientExchange client, boolean handBackOnNoRoute) {
    return dispatcher.handle(client, handBackOnNoRoute);
  }

  /** Returns what {@link #handle} would do with a request, without doing it (see {@link Explainer}). */
  Explanation explain(String method, String uri, HttpHeaders headers) {
    return explainer.explain(method, uri, headers);
  }

  /** Returns the step names of route {@code routeId}'s chain, then {@code proxy}; empty when unknown. */
  List<String> policies(String routeId) {
    return routes.policies(routeId);
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
}
