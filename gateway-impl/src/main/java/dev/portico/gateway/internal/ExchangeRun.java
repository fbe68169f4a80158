package dev.portico.gateway.internal;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.Exchange;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Problem;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.internal.body.BodyBuffer;
import dev.portico.gateway.internal.body.BodyDeadline;
import dev.portico.gateway.internal.body.ClientRequestBody;
import dev.portico.gateway.internal.body.UpstreamBody;
import dev.portico.gateway.internal.chain.FilterChainLink;
import dev.portico.gateway.internal.chain.StepContext;
import dev.portico.gateway.observe.ExchangeObserver;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one exchange from arrival to the last byte: runs the chain, whose last link is the
 * proxy step of its {@link UpstreamLeg}, reacts to either side failing, and ends the exchange
 * exactly once ({@link ExchangeEnd}). The policy steps see it as their {@link StepContext}, the
 * proxy leg sees its {@link UpstreamLeg} as a {@code ProxyContext}; the client's body is a
 * {@link ClientRequestBody}, the response a {@link ResponseWriter}, and what operators learn an
 * {@link ExchangeLog}. Not public API.
 *
 * <p>Legs are named as in Jetty's proxy: {@code clientRequest} (read through the adapter),
 * {@code upstreamRequest} and {@code upstreamResponse} (Jetty client), {@code clientResponse}.
 */
final class ExchangeRun implements StepContext {
  private static final Logger LOG = LoggerFactory.getLogger(ExchangeRun.class);

  private final GatewayEngine engine;
  private final ClientExchange client;
  private final String requestId;
  private final String method;
  private final String path;
  private final @Nullable CompiledRoute route;
  private final Map<String, String> pathVariables;
  private final boolean trusted;
  private final String peerIp;
  private final String clientIp;
  private final ExchangeLog log;
  private final ResponseWriter response;
  private final UpstreamLeg leg;
  private final ExchangeEnd end;

  private volatile @Nullable Throwable clientFailure;
  /** The client's body, made at its first use; guarded by {@code this}. */
  private @Nullable ClientRequestBody requestBody;
  /** Whether a graceful shutdown's deadline ended this exchange. */
  private volatile boolean abortedByShutdown;

  ExchangeRun(GatewayEngine engine, ClientExchange client, long startNanos, String requestId, String method,
      String path, @Nullable CompiledRoute route, Map<String, String> pathVariables, boolean trusted,
      String peerIp, String clientIp) {
    client.taken();
    this.engine = engine;
    this.client = client;
    this.requestId = requestId;
    this.method = method;
    this.path = path;
    this.route = route;
    this.pathVariables = pathVariables;
    this.trusted = trusted;
    this.peerIp = peerIp;
    this.clientIp = clientIp;
    this.log = new ExchangeLog(engine, client.headers(), startNanos, requestId, method, path, route, clientIp);
    this.response = new ResponseWriter(this, log);
    this.leg = new UpstreamLeg(this, client, log);
    this.end = new ExchangeEnd(this, client, log);
    engine.runtime().exchangeStarted(this);
  }

  GatewayEngine engine() {
    return engine;
  }

  ClientExchange client() {
    return client;
  }

  String requestId() {
    return requestId;
  }

  String method() {
    return method;
  }

  String path() {
    return path;
  }

  CompiledRoute route() {
    CompiledRoute r = route;
    if (r == null) {
      throw new IllegalStateException("no route");
    }
    return r;
  }

  /** Returns the matched route, or null for an exchange refused before routing. */
  @Nullable CompiledRoute routeOrNull() {
    return route;
  }

  Map<String, String> pathVariables() {
    return pathVariables;
  }

  String clientIp() {
    return clientIp;
  }

  @Nullable Identity identity() {
    return log.identity();
  }

  @Nullable Throwable clientFailure() {
    return clientFailure;
  }

  boolean trusted() {
    return trusted;
  }

  String peerIp() {
    return peerIp;
  }

  boolean abortedByShutdown() {
    return abortedByShutdown;
  }

  @Nullable UpstreamBody upstreamBody() {
    return leg.upstreamBody();
  }

  // ---- what the policy steps see (StepContext) ----

  @Override
  public long contentLength() {
    return client.contentLength();
  }

  @Override
  public boolean hasRequestBody() {
    ClientRequestBody body = existingBody();
    return body != null ? body.present() : client.hasBody();
  }

  @Override
  public byte @Nullable [] requestBody() {
    ClientRequestBody body = existingBody();
    return body != null ? body.held() : null;
  }

  @Override
  public CompletionStage<BodyBuffer.Result> bufferRequestBody(long cap) {
    return body().buffer(cap);
  }

  @Override
  public void replaceRequestBody(byte[] bytes) {
    body().replace(bytes);
  }

  @Override
  public void authenticated(Identity identity) {
    log.identity(identity);
  }

  @Override
  public void rateLimited(AccessLogEntry.RateLimitOutcome outcome) {
    log.rateLimit(outcome);
  }

  @Override
  public ExchangeObserver observer() {
    return log.observer();
  }

  @Override
  public void whenFinished(Runnable listener) {
    end.whenFinished(listener);
  }

  @Override
  public void upstreamResponded(UpstreamBody body) {
    leg.upstreamResponded(body);
  }

  synchronized @Nullable ClientRequestBody existingBody() {
    return requestBody;
  }

  /** Returns the client's body, made at the first use: only exchanges that read or replace a body pay for it. */
  synchronized ClientRequestBody body() {
    ClientRequestBody body = requestBody;
    if (body == null) {
      CompiledRoute r = route();
      body = new ClientRequestBody(client::body, client.hasBody(), client.contentLength(), r.maxRequestBodySize(),
          r.route().timeouts().requestBody().toNanos(), engine.runtime()::bodyDeadlines, log::addBytesIn,
          this::clientFailed);
      requestBody = body;
    }
    return body;
  }

  /** The WebSocket relay ended: both sessions closed. The adapter's upgrade already completed its exchange. */
  void webSocketEnded() {
    if (log.status() == 101) {
      end.finish(true, "websocket", null, false);
    }
  }

  // ---- the exchange's course ----

  /** Runs the route's chain for {@code exchange} and answers with its outcome. */
  void start(Exchange exchange) {
    client.onClientFailure(this::clientFailed);
    CompletionStage<GatewayResponse> stage;
    try {
      stage = FilterChainLink.first(route().steps(), route().id(), this, leg::send).proceed(exchange);
    } catch (RuntimeException | Error e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((answer, failure) -> {
      if (failure != null) {
        chainFailed(failure);
      } else {
        response.respond(answer);
      }
    });
  }

  /** Answers a CORS preflight (the head carries its own CORS headers) without running the chain. */
  void respondPreflight(GatewayResponse answer) {
    response.respondPreflight(answer);
  }

  /** Answers {@code problem} without running the chain: the exchange was refused before routing. */
  void refuse(Problem problem, HttpHeaders extraHeaders) {
    response.writeProblem(problem, extraHeaders);
  }

  /**
   * A graceful shutdown's grace period ran out: answers 503 {@code shutting-down} if no response
   * has started, and aborts the upstream request, which cuts a response that is streaming.
   */
  void abortForShutdown() {
    abortedByShutdown = true;
    response.respond(GatewayResponse.problem(ProblemType.SHUTTING_DOWN.withDetail(
        "The gateway is shutting down and could not finish this request in time.")));
    leg.abort(new CancellationException("the gateway is shutting down"));
  }

  /** The client connection failed: abort the upstream leg; the response cannot be delivered. */
  void clientFailed(Throwable failure) {
    if (clientFailure != null) {
      return;
    }
    clientFailure = failure;
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} client failed: {}", requestId, String.valueOf(failure));
    }
    leg.abort(failure);
    // A response that is streaming ends when the copy loop fails on its next write.
  }

  /**
   * The client's body failed: the client went away or sent a broken body, unless the body's
   * deadline ran out ({@link BodyDeadline.Expired}), which the reader answers with 408 itself.
   */
  void clientBodyFailed(Throwable failure) {
    if (BodyDeadline.find(failure) == null) {
      clientFailed(failure);
    }
  }

  private void chainFailed(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    LOG.warn("{} route '{}': {}", requestId, route == null ? "-" : route.id(), cause.getMessage());
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} chain failure", requestId, cause);
    }
    response.respond(GatewayResponse.problem(ProblemType.INTERNAL.withDetail("The gateway failed to process the request.")));
  }

  /** Ends the exchange: once, whoever calls first; the adapter learns how. */
  void finish(boolean ok, String outcome, @Nullable Throwable failure) {
    end.finish(ok, outcome, failure, true);
  }
}
