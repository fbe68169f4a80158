package dev.portico.gateway.internal;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.Problem;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.internal.body.ClientBodyContent;
import dev.portico.gateway.internal.body.Deadlines;
import dev.portico.gateway.internal.body.UpstreamBody;
import dev.portico.gateway.internal.proxy.ProxyCall;
import dev.portico.gateway.internal.proxy.ProxyContext;
import dev.portico.gateway.internal.proxy.ProxyRoute;
import dev.portico.gateway.internal.proxy.UpstreamCall;
import dev.portico.gateway.internal.proxy.UpstreamHop;
import dev.portico.gateway.internal.websocket.WebSocketCall;
import dev.portico.gateway.internal.websocket.WebSocketHandshake;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpFields;
import org.jspecify.annotations.Nullable;

/**
 * One exchange's proxy step ({@link #send}: a WebSocket upgrade, checked in full, or HTTP tries)
 * and the exchange as the proxy leg sees it ({@link ProxyContext}): the route's upstream side, the
 * client's addresses, headers and body, and the upstream request in flight, which a client failure
 * or a shutdown aborts, whichever comes first, before or after it started. Not public API.
 */
final class UpstreamLeg implements ProxyContext {
  private final ExchangeRun run;
  private final ClientExchange client;
  private final ExchangeLog log;
  private volatile @Nullable Request upstreamRequest;
  private volatile @Nullable UpstreamBody upstreamBody;
  /** The trailers that ended the client's body (HTTP/2), or null. */
  private volatile @Nullable HttpFields clientTrailers;
  /** The side of the route's split this exchange goes to, once chosen; null on a route without a split. */
  private volatile @Nullable ProxyRoute chosen;

  UpstreamLeg(ExchangeRun run, ClientExchange client, ExchangeLog log) {
    this.run = run;
    this.client = client;
    this.log = log;
  }

  /** The proxy step, after the last step of the chain: WebSocket or HTTP. */
  CompletionStage<GatewayResponse> send(Exchange exchange) {
    if (run.clientFailure() != null || run.abortedByShutdown()) {
      return CompletableFuture.completedFuture(GatewayResponse.problem(
          ProblemType.UPSTREAM_UNAVAILABLE.withDetail("The client went away.")));
    }
    CompiledRoute compiled = run.route();
    if (compiled.webSocketConnector() != null && WebSocketHandshake.isRequested(client.headers())) {
      // A WebSocket upgrade on a route that allows it: checked in full before the upstream is
      // contacted, then relayed as WebSocket (WebSocketCall), if the adapter can.
      Problem refused = WebSocketHandshake.check(client.method(), client.httpVersion(), client.headers(),
          client.hasBody());
      if (refused == null && !client.canUpgradeToWebSocket()) {
        refused = ProblemType.WEBSOCKET_UNSUPPORTED.withDetail("This server cannot proxy WebSocket connections.");
      }
      return refused != null ? CompletableFuture.completedFuture(GatewayResponse.problem(refused))
          : WebSocketCall.send(this, exchange, compiled.route().webSocket().orElseThrow(), compiled.webSocketConnector());
    }
    Problem tunnel = WebSocketHandshake.tunnel(client.method());
    if (tunnel != null) {
      return CompletableFuture.completedFuture(GatewayResponse.problem(tunnel));
    }
    SplitChooser split = compiled.split();
    if (split != null) {
      // Chosen once, after the filters and authentication: every try of this exchange goes to one side.
      chosen = split.choose(exchange);
    }
    // Endpoint selection, circuit breaker and retries wrap the upstream call (ProxyCall -> UpstreamCall per try).
    return ProxyCall.send(this, exchange);
  }

  /** Aborts the upstream request in flight, if any, with {@code why}; one that starts later aborts itself. */
  void abort(Throwable why) {
    Request request = upstreamRequest;
    if (request != null) {
      request.abort(why);
    }
  }

  /** Returns the upstream's body the response carries, if the upstream answered. */
  @Nullable UpstreamBody upstreamBody() {
    return upstreamBody;
  }

  @Override
  public String requestId() {
    return run.requestId();
  }

  @Override
  public ProxyRoute upstream() {
    ProxyRoute side = chosen;
    return side != null ? side : run.route().upstream();
  }

  @Override
  public HttpFields clientHeaders() {
    return client.headers();
  }

  @Override
  public boolean trusted() {
    return run.trusted();
  }

  @Override
  public String peerIp() {
    return run.peerIp();
  }

  @Override
  public int localPort() {
    return client.localAddress().getPort();
  }

  @Override
  public boolean clientHasBody() {
    return client.hasBody();
  }

  @Override
  public byte @Nullable [] requestBody() {
    return run.requestBody();
  }

  @Override
  public ClientBodyContent newClientBody() {
    return new ClientBodyContent(run.body().source(), client.contentLength(), run.route().maxRequestBodySize(),
        log::addBytesIn, run::clientBodyFailed, trailers -> clientTrailers = trailers);
  }

  @Override
  public @Nullable HttpFields clientTrailers() {
    return clientTrailers;
  }

  @Override
  public boolean clientCarriesTrailers() {
    return client.httpVersion().getVersion() >= 20;
  }

  @Override
  public boolean clientGone() {
    return run.clientFailure() != null;
  }

  @Override
  public void whenFinished(Runnable listener) {
    run.whenFinished(listener);
  }

  @Override
  public Deadlines<UpstreamCall> upstreamTimeouts() {
    return run.engine().runtime().upstreamTimeouts();
  }

  @Override
  public UpstreamHop startUpstream(String method, String uri, String endpoint) {
    return log.startUpstream(method, uri, endpoint);
  }

  @Override
  public void upstreamStarted(@Nullable Request request, String uri) {
    this.upstreamRequest = request;
    log.upstreamUri(uri);
    Throwable failed = run.clientFailure();
    if (failed != null && request != null) {
      request.abort(failed);
    } else if (run.abortedByShutdown() && request != null) {
      request.abort(new CancellationException("the gateway is shutting down"));
    }
  }

  @Override
  public void upstreamResponded(UpstreamBody body) {
    this.upstreamBody = body;
  }

  @Override
  public void webSocketEnded() {
    run.webSocketEnded();
  }
}
