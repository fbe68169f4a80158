package dev.portico.gateway.internal;

import dev.portico.gateway.AccessLog;
import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.ErrorMapper;
import dev.portico.gateway.ErrorResponse;
import dev.portico.gateway.Exchange;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Problem;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.ResponseBody;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.internal.body.BodyBuffer;
import dev.portico.gateway.internal.body.BodyDeadline;
import dev.portico.gateway.internal.body.UpstreamBody;
import dev.portico.gateway.internal.chain.CompiledCors;
import dev.portico.gateway.internal.chain.FilterChainLink;
import dev.portico.gateway.internal.chain.ProblemRenderer;
import dev.portico.gateway.internal.chain.StepContext;
import dev.portico.gateway.internal.http.FieldsHttpHeaders;
import dev.portico.gateway.internal.http.HopByHop;
import dev.portico.gateway.internal.proxy.ProxyCall;
import dev.portico.gateway.internal.websocket.WebSocketCall;
import dev.portico.gateway.internal.websocket.WebSocketHandshake;
import dev.portico.gateway.observe.ExchangeObserver;
import dev.portico.gateway.observe.ExchangeStart;
import dev.portico.gateway.observe.TraceContext;
import dev.portico.gateway.observe.UpstreamObserver;
import dev.portico.gateway.observe.UpstreamStart;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one exchange from arrival to the last byte: runs the chain, writes the response
 * (streaming an upstream body, or rendering a problem), reacts to either side failing, and writes
 * the access log entry exactly once. Not public API.
 *
 * <p>Legs are named as in Jetty's proxy: {@code clientRequest} (read through the adapter),
 * {@code upstreamRequest} and {@code upstreamResponse} (Jetty client), {@code clientResponse}.
 */
public final class ExchangeRun implements StepContext {
  private static final Logger LOG = LoggerFactory.getLogger(ExchangeRun.class);

  private final GatewayEngine engine;
  private final ClientExchange client;
  private final long startNanos;
  private final String requestId;
  private final String method;
  private final String path;
  private final @Nullable CompiledRoute route;
  private final Map<String, String> pathVariables;
  private final boolean trusted;
  private final String peerIp;
  private final String clientIp;

  private final AtomicBoolean responded = new AtomicBoolean();
  private final AtomicBoolean finished = new AtomicBoolean();
  private volatile @Nullable Throwable clientFailure;
  private volatile @Nullable Request upstreamRequest;
  private volatile @Nullable String upstreamUri;
  private volatile @Nullable UpstreamBody upstreamBody;
  private volatile int status;
  private volatile long bytesIn;
  private volatile long bytesOut;
  private volatile boolean clientWriteFailed;
  private volatile @Nullable Identity identity;
  /** What the rate limits decided, for the access log; null until they have. */
  private volatile AccessLogEntry.@Nullable RateLimitOutcome rateLimit;
  /** Run once when the exchange ends; guarded by {@code this}, null until the first is added. */
  private @Nullable List<Runnable> finishListeners;
  // Body policies (validation, JSON transforms): the client's body read whole under a cap, or what a
  // policy replaced it with; sent upstream instead of streaming the client's. Null: stream it.
  private volatile byte @Nullable [] requestBody;
  private @Nullable CompletableFuture<BodyBuffer.Result> requestBodyRead;
  /** The client's body under the route's request body deadline, made at the first read; guarded by {@code this}. */
  private @Nullable BodyDeadline bodyDeadline;
  /** Whether this exchange is a CORS preflight the gateway answers: its head needs no CORS decoration. */
  private volatile boolean preflight;
  // Observability: the W3C trace context the exchange runs under, and the observer watching it.
  private final TraceContext trace;
  private final ExchangeObserver observer;
  /** Whether a graceful shutdown's deadline ended this exchange. */
  private volatile boolean abortedByShutdown;

  ExchangeRun(GatewayEngine engine, ClientExchange client, long startNanos, String requestId, String method,
      String path, @Nullable CompiledRoute route, Map<String, String> pathVariables, boolean trusted,
      String peerIp, String clientIp) {
    this.engine = engine;
    this.client = client;
    this.startNanos = startNanos;
    this.requestId = requestId;
    this.method = method;
    this.path = path;
    this.route = route;
    this.pathVariables = pathVariables;
    this.trusted = trusted;
    this.peerIp = peerIp;
    this.clientIp = clientIp;
    // The client's traceparent when well formed (its trace continues), else a new trace.
    TraceContext incoming = TraceContext.parse(client.headers().get(TraceContext.TRACEPARENT),
        client.headers().get(TraceContext.TRACESTATE)).orElse(null);
    TraceContext own = incoming != null ? incoming.newSpan() : TraceContext.newTrace();
    this.observer = engine.runtime().observer().exchangeStarted(new ExchangeStart(requestId, method, path,
        route == null ? Optional.empty() : Optional.of(route.route()), Optional.ofNullable(incoming), own, clientIp));
    this.trace = observer.traceContext().orElse(own);
    engine.runtime().exchangeStarted(this);
  }

  public GatewayEngine engine() {
    return engine;
  }

  public ClientExchange client() {
    return client;
  }

  public String requestId() {
    return requestId;
  }

  public CompiledRoute route() {
    CompiledRoute r = route;
    if (r == null) {
      throw new IllegalStateException("no route");
    }
    return r;
  }

  Map<String, String> pathVariables() {
    return pathVariables;
  }

  public boolean trusted() {
    return trusted;
  }

  public String peerIp() {
    return peerIp;
  }

  String clientIp() {
    return clientIp;
  }

  @Nullable Identity identity() {
    return identity;
  }

  public void authenticated(Identity identity) {
    this.identity = identity;
  }

  /** Records what the rate limits decided, for the access log. */
  public void rateLimited(AccessLogEntry.RateLimitOutcome outcome) {
    this.rateLimit = outcome;
  }

  /** Returns the observer of this exchange (metrics, spans). */
  public ExchangeObserver observer() {
    return observer;
  }

  /** Returns the trace context this exchange runs under. */
  TraceContext trace() {
    return trace;
  }

  /**
   * Tells the observer an upstream request starts, and returns its observer with the trace context
   * to send upstream: a new span of this exchange's trace, or the observer's own (a client span).
   */
  public UpstreamHop startUpstream(String method, String uri, String endpoint) {
    TraceContext proposed = trace.newSpan();
    UpstreamObserver watch = observer.upstreamStarted(new UpstreamStart(method, uri, endpoint, proposed));
    return new UpstreamHop(watch, watch.traceContext().orElse(proposed));
  }

  /** An upstream request's observer and the trace context it carries upstream. */
  public record UpstreamHop(UpstreamObserver observer, TraceContext trace) {}

  /**
   * A graceful shutdown's grace period ran out: answers 503 {@code shutting-down} if no response
   * has started, and aborts the upstream request, which cuts a response that is streaming.
   */
  void abortForShutdown() {
    abortedByShutdown = true;
    respond(GatewayResponse.problem(ProblemType.SHUTTING_DOWN.withDetail(
        "The gateway is shutting down and could not finish this request in time.")));
    Request request = upstreamRequest;
    if (request != null) {
      request.abort(new CancellationException("the gateway is shutting down"));
    }
  }

  public void addBytesIn(int n) {
    bytesIn += n;
  }

  /**
   * Runs {@code listener} once when the exchange ends, however it ends (response sent, problem
   * written, either side failed), before the adapter is told; at once if it has already ended.
   * This is how a policy that holds something for the whole exchange (a concurrency permit) gives
   * it back. Listeners must be quick and must not throw.
   */
  public void whenFinished(Runnable listener) {
    synchronized (this) {
      if (!finished.get()) {
        if (finishListeners == null) {
          finishListeners = new ArrayList<>(2);
        }
        finishListeners.add(listener);
        return;
      }
    }
    runFinishListener(listener);
  }

  @Override
  public long contentLength() {
    return client.contentLength();
  }

  @Override
  public boolean hasRequestBody() {
    byte[] body = requestBody;
    return body != null ? body.length > 0 : client.hasBody();
  }

  /**
   * Reads the client's body whole, up to {@code cap} bytes, once per exchange: later calls see the
   * same bytes, or what {@link #replaceRequestBody} put in their place. A body declared larger than
   * the cap is not read at all. From then on the upstream gets the bytes in memory, with their
   * length. Fails when the client's body fails (the client went away).
   */
  public synchronized CompletionStage<BodyBuffer.Result> bufferRequestBody(long policyCap) {
    // The route's own request size limit also bounds what a body policy may hold.
    CompiledRoute sizeLimited = route;
    long cap = sizeLimited != null && sizeLimited.maxRequestBodySize() >= 0
        ? Math.min(policyCap, sizeLimited.maxRequestBodySize()) : policyCap;
    byte[] body = requestBody;
    if (body != null) {
      return CompletableFuture.completedFuture(body.length > cap ? new BodyBuffer.Overflow(new byte[0])
          : new BodyBuffer.Complete(body));
    }
    if (requestBodyRead != null) {
      return requestBodyRead.thenApply(r -> r instanceof BodyBuffer.Complete c && c.bytes().length > cap
          ? new BodyBuffer.Overflow(new byte[0]) : r);
    }
    if (!client.hasBody()) {
      return CompletableFuture.completedFuture(new BodyBuffer.Complete(new byte[0]));
    }
    long declared = client.contentLength();
    if (declared > cap) {
      return CompletableFuture.completedFuture(new BodyBuffer.Overflow(new byte[0]));
    }
    CompletableFuture<BodyBuffer.Result> read = BodyBuffer.read(clientBody(), cap, declared, this::addBytesIn);
    requestBodyRead = read;
    return read.whenComplete((result, failure) -> {
      if (failure != null) {
        clientBodyFailed(failure);
      } else if (result instanceof BodyBuffer.Complete complete) {
        requestBody = complete.bytes();
      }
    });
  }

  /**
   * Returns the client's request body under the route's request body deadline
   * ({@link BodyDeadline}): the same source at every call, the one every reader of the body uses.
   */
  public synchronized Content.Source clientBody() {
    BodyDeadline deadline = bodyDeadline;
    if (deadline == null) {
      deadline = new BodyDeadline(client.body(), route().route().timeouts().requestBody().toNanos(),
          engine.runtime().bodyDeadlines());
      bodyDeadline = deadline;
    }
    return deadline;
  }

  /** Sends {@code body} upstream instead of the client's (already buffered) body. */
  public void replaceRequestBody(byte[] body) {
    this.requestBody = body;
  }

  /** Returns the body to send upstream from memory, or null to stream the client's. */
  public byte @Nullable [] requestBody() {
    return requestBody;
  }

  /** Answers a CORS preflight (the head carries its own CORS headers) without running the chain. */
  void respondPreflight(GatewayResponse response) {
    preflight = true;
    respond(response);
  }

  /** Runs the route's chain for {@code exchange} and answers with its outcome. */
  void start(Exchange exchange) {
    client.onClientFailure(this::clientFailed);
    CompletionStage<GatewayResponse> stage;
    try {
      stage = FilterChainLink.first(route().steps(), route().id(), this, this::proxy).proceed(exchange);
    } catch (RuntimeException | Error e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((response, failure) -> {
      if (failure != null) {
        chainFailed(failure);
      } else {
        respond(response);
      }
    });
  }

  /** The proxy step, called by the last chain link. */
  public CompletionStage<GatewayResponse> proxy(Exchange exchange) {
    if (clientFailure != null || abortedByShutdown) {
      return CompletableFuture.completedFuture(GatewayResponse.problem(
          ProblemType.UPSTREAM_UNAVAILABLE.withDetail("The client went away.")));
    }
    CompiledRoute compiled = route();
    if (compiled.webSocketConnector() != null && WebSocketHandshake.isRequested(client.headers())) {
      // A WebSocket upgrade on a route that allows it: checked in full before the upstream is
      // contacted, then relayed as WebSocket (WebSocketCall), if the adapter can.
      Problem refused = WebSocketHandshake.check(client);
      if (refused == null && !client.canUpgradeToWebSocket()) {
        refused = ProblemType.WEBSOCKET_UNSUPPORTED.withDetail("This server cannot proxy WebSocket connections.");
      }
      return refused != null ? CompletableFuture.completedFuture(GatewayResponse.problem(refused))
          : WebSocketCall.send(this, exchange, compiled.route().webSocket().orElseThrow(), compiled.webSocketConnector());
    }
    Problem tunnel = WebSocketHandshake.tunnel(client);
    if (tunnel != null) {
      return CompletableFuture.completedFuture(GatewayResponse.problem(tunnel));
    }
    // Endpoint selection, circuit breaker and retries wrap the upstream call (ProxyCall -> UpstreamCall per try).
    return ProxyCall.send(this, exchange);
  }

  public void upstreamStarted(@Nullable Request request, String uri) {
    this.upstreamRequest = request;
    this.upstreamUri = uri;
    Throwable failed = clientFailure;
    if (failed != null && request != null) {
      request.abort(failed);
    } else if (abortedByShutdown) {
      request.abort(new CancellationException("the gateway is shutting down"));
    }
  }

  /** Returns whether the client connection failed: nothing more is worth trying upstream. */
  public boolean clientGone() {
    return clientFailure != null;
  }

  public void upstreamResponded(UpstreamBody body) {
    this.upstreamBody = body;
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
    Request request = upstreamRequest;
    if (request != null) {
      request.abort(failure);
    }
    if (responded.get() && !finished.get()) {
      // The response is streaming: the copy loop fails on its next write and finishes the exchange.
      return;
    }
  }

  /**
   * The client's body failed: the client went away or sent a broken body, unless the body's
   * deadline ran out ({@link BodyDeadline.Expired}), which the reader answers with 408 itself.
   */
  public void clientBodyFailed(Throwable failure) {
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
    respond(GatewayResponse.problem(ProblemType.INTERNAL.withDetail("The gateway failed to process the request.")));
  }

  /** Writes the chain's final response to the client. */
  void respond(GatewayResponse response) {
    if (!responded.compareAndSet(false, true)) {
      return;
    }
    UpstreamBody body = upstreamBody;
    if (body != null && response.body() != body) {
      body.discard(new CancellationException("a filter replaced the upstream response"));
    }
    // Only websocket() routes look for a tunnel, so websocket-core loads only where it is used.
    if (route != null && route.webSocketConnector() != null && response.body() instanceof WebSocketCall.Tunnel tunnel) {
      // The upstream accepted the WebSocket: now switch the client's connection; the relay ends the exchange.
      status = 101;   // before the switch: the relay may end (and log) before upgradeToWebSocket returns
      if (clientFailure != null || !client.upgradeToWebSocket(tunnel)) {
        status = 0;
        tunnel.abandon("the client connection could not be upgraded");
        if (clientFailure == null) {
          writeProblem(ProblemType.BAD_WEBSOCKET_HANDSHAKE.withDetail("The request is not a valid WebSocket upgrade."),
              HttpHeaders.empty());
        } else {
          finish(false, "client-abort", clientFailure);
        }
        return;
      }
      return;
    }
    Throwable gone = clientFailure;
    if (gone != null) {
      finish(false, "client-abort", gone);
      return;
    }
    Optional<Problem> problem = response.problem();
    if (problem.isPresent()) {
      writeProblem(problem.get(), response.headers());
      return;
    }
    ResponseBody responseBody = response.body();
    if (responseBody instanceof UpstreamBody upstream) {
      HttpFields.Mutable head = headFrom(response.headers(), false);
      finishHead(head, false);
      status = response.status();
      client.responseHead(status, head);
      stream(upstream);
    } else if (responseBody instanceof ResponseBody.BytesBody bytes) {
      HttpFields.Mutable head = headFrom(response.headers(), true);
      if (response.status() != 204 && response.status() != 304) { // these never carry Content-Length
        head.put(HttpHeader.CONTENT_LENGTH, bytes.size());
      }
      finishHead(head, false);
      status = response.status();
      client.responseHead(status, head);
      ByteBuffer[] buffer = new ByteBuffer[1];
      bytes.writeTo(b -> buffer[0] = b);
      bytesOut = bytes.size();
      client.write(true, buffer[0], Callback.from(() -> finish(true, "ok", null), x -> finish(false, "client-abort", x)));
    } else {
      LOG.warn("{} route '{}': unsupported response body {}", requestId, route().id(), responseBody.getClass().getName());
      responded.set(false);
      respond(GatewayResponse.problem(ProblemType.INTERNAL.withDetail("The gateway failed to process the request.")));
    }
  }

  /**
   * Answers {@code problem}, rendered by the route's (or the gateway's) {@link ErrorMapper}, RFC 9457
   * JSON by default, with the problem's own headers.
   */
  void writeProblem(Problem problem, HttpHeaders extraHeaders) {
    responded.set(true);
    ErrorResponse rendered = renderProblem(problem);
    HttpFields.Mutable head = headFrom(extraHeaders, true);
    for (String name : rendered.headers().names()) {
      head.remove(name);
    }
    FieldsHttpHeaders.copy(rendered.headers(), head);
    head.remove(HttpHeader.CONTENT_LENGTH);
    head.put(HttpHeader.CONTENT_LENGTH, rendered.length());
    if (!head.contains(HttpHeader.CACHE_CONTROL)) {
      head.put(HttpHeader.CACHE_CONTROL, "no-store");
    }
    finishHead(head, true);
    status = rendered.status();
    client.responseHead(status, head);
    bytesOut = rendered.length();
    ByteBuffer[] body = new ByteBuffer[1];
    rendered.writeTo(b -> body[0] = b);
    client.write(true, body[0], Callback.from(() -> finish(true, "problem", null),
        x -> finish(false, "client-abort", x)));
  }

  /** Renders {@code problem} with the mapper in force; a mapper that breaks falls back to RFC 9457 JSON. */
  private ErrorResponse renderProblem(Problem problem) {
    CompiledRoute r = route;
    ErrorMapper mapper = r != null ? r.policies().errorMapper() : engine.errorMapper();
    ErrorMapper.Context context = new ProblemContext(requestId, r == null ? Optional.empty() : Optional.of(r.id()),
        method, path);
    if (mapper != ProblemRenderer.DEFAULT) {
      try {
        ErrorResponse rendered = mapper.map(problem, context);
        if (rendered != null) {
          return rendered;
        }
        LOG.warn("{} route '{}': error mapper returned null; sending the default problem", requestId, r == null ? "-" : r.id());
      } catch (RuntimeException e) {
        LOG.warn("{} route '{}': error mapper failed ({}); sending the default problem", requestId,
            r == null ? "-" : r.id(), e.toString());
      }
    }
    return ProblemRenderer.DEFAULT.map(problem, context);
  }

  /** What an error mapper learns about the exchange. */
  private record ProblemContext(String requestId, Optional<String> routeId, String method, String path)
      implements ErrorMapper.Context {}

  /**
   * Adds what a response policy puts on every answer, upstream or gateway-made: the CORS headers of
   * the route's (or, before routing, the gateway's) policy, which on the gateway's own refusals
   * ({@code problem}) also expose the headers a browser app needs to act on them. A preflight's
   * answer has its own.
   */
  private void finishHead(HttpFields.Mutable head, boolean problem) {
    CompiledRoute r = route;
    CompiledCors cors = r != null ? r.policies().cors() : engine.cors();
    if (cors != null && !preflight) {
      cors.decorate(client.headers(), head, problem);
    }
  }

  private HttpFields.Mutable headFrom(HttpHeaders headers, boolean ownBody) {
    HttpFields fields = FieldsHttpHeaders.fields(headers);
    HttpFields.Mutable head = HttpFields.build(fields.size() + 4);
    java.util.Set<String> tokens = HopByHop.connectionTokens(fields);
    for (HttpField field : fields) {
      if (HopByHop.isHopByHop(field, tokens) || ownBody && field.getHeader() == HttpHeader.CONTENT_LENGTH
          || field.is(engine.requestIdHeader())) {
        continue;
      }
      head.add(field);
    }
    head.add(engine.requestIdField(requestId));
    return head;
  }

  /** Streams the upstream body to the client: each chunk is written before the next is demanded. */
  private void stream(UpstreamBody body) {
    Content.Sink counting = (last, buffer, callback) -> {
      bytesOut += buffer.remaining();
      client.write(last, buffer, new Callback() {
        @Override
        public void succeeded() {
          callback.succeeded();
        }

        @Override
        public void failed(Throwable x) {
          clientWriteFailed = true;
          callback.failed(x);
        }

        @Override
        public InvocationType getInvocationType() {
          return InvocationType.NON_BLOCKING;
        }
      });
    };
    Content.copy(body.source(), counting, new Callback() {
      @Override
      public void succeeded() {
        finish(true, "ok", null);
      }

      @Override
      public void failed(Throwable x) {
        boolean clientSide = clientWriteFailed || clientFailure != null;
        body.discard(x);
        if (LOG.isDebugEnabled()) {
          LOG.debug("{} {} during response body: {}", requestId, clientSide ? "client failed" : "upstream failed", String.valueOf(x));
        }
        finish(false, clientSide ? "client-abort" : "upstream-abort", x);
      }

      @Override
      public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
      }
    });
  }

  /** The WebSocket relay ended: both sessions closed. The adapter's upgrade already completed its exchange. */
  public void webSocketEnded() {
    if (status == 101) {
      finish(true, "websocket", null, false);
    }
  }

  private void finish(boolean ok, String outcome, @Nullable Throwable failure) {
    finish(ok, outcome, failure, true);
  }

  private void finish(boolean ok, String outcome, @Nullable Throwable failure, boolean completeAdapter) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    List<Runnable> listeners;
    BodyDeadline deadline;
    synchronized (this) {
      listeners = finishListeners;
      finishListeners = null;
      deadline = bodyDeadline;
    }
    if (deadline != null) {
      deadline.end();   // a body left unread: its deadline no longer matters
    }
    if (listeners != null) {
      listeners.forEach(this::runFinishListener);
    }
    // The entry is written before the adapter completes the exchange, but the last write already went out: the client
    // may have the whole response before the entry (and the observer's metrics) exist.
    logAccess(abortedByShutdown ? "shutdown" : outcome);
    engine.runtime().exchangeEnded(this);
    if (!completeAdapter) {
      return;
    }
    if (ok) {
      client.succeeded();
    } else {
      client.failed(failure != null ? failure : new CancellationException(outcome));
    }
  }

  private void runFinishListener(Runnable listener) {
    try {
      listener.run();
    } catch (RuntimeException e) {
      LOG.warn("{} exchange end listener failed: {}", requestId, e.toString());
    }
  }

  private void logAccess(String outcome) {
    if (observer == ExchangeObserver.NONE && engine.accessLog() == AccessLog.disabled()) {
      return;   // nobody reads the entry: not even built
    }
    CompiledRoute r = route;
    Identity caller = identity;
    AccessLogEntry entry = new AccessLogEntry(
        requestId,
        r == null ? Optional.empty() : Optional.of(r.id()),
        method,
        path,
        status,
        Optional.ofNullable(upstreamUri),
        clientIp,
        Duration.ofNanos(System.nanoTime() - startNanos),
        bytesIn,
        bytesOut,
        outcome,
        Optional.of(trace.traceId()),
        caller == null ? Optional.empty() : Optional.of(caller.subject()),
        caller == null ? Optional.empty() : Optional.of(caller.method()),
        AccessLogEntry.userAgentOf(client.headers().get(HttpHeader.USER_AGENT)),
        Optional.ofNullable(rateLimit));
    try {
      engine.accessLog().log(entry);
    } catch (RuntimeException e) {
      LOG.warn("{} access log failed: {}", requestId, e.toString());
    }
    observer.finished(entry);
  }
}
