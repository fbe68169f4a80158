package dev.portico.gateway.internal;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.Route;
import dev.portico.gateway.Upstream;
import dev.portico.gateway.internal.routing.PathNormalizer;
import dev.portico.gateway.observe.TraceContext;
import dev.portico.gateway.observe.UpstreamObserver;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.thread.Scheduler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal step of every chain: one upstream request, sent with the Jetty client, whose
 * response completes the chain's stage as soon as its headers arrive (the body streams later).
 * Not public API.
 */
final class UpstreamCall implements Response.BeginListener, Response.ContentSourceListener,
    Response.CompleteListener, Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamCall.class);

  private final ExchangeRun run;
  private final Request upstreamRequest;
  private final CompletableFuture<GatewayResponse> result = new CompletableFuture<>();
  private final long connectTimeoutMillis;
  private final long responseTimeoutMillis;
  private final Scheduler scheduler;
  private volatile Scheduler.@Nullable Task connectTimer;
  private volatile boolean committed;
  private volatile Scheduler.@Nullable Task responseTimer;
  private final UpstreamObserver observer;

  private UpstreamCall(ExchangeRun run, Request upstreamRequest, HttpClient client, long connectTimeoutMillis,
      long responseTimeoutMillis, UpstreamObserver observer) {
    this.run = run;
    this.observer = observer;
    this.upstreamRequest = upstreamRequest;
    this.scheduler = client.getScheduler();
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.responseTimeoutMillis = responseTimeoutMillis;
  }

  /** Builds and sends the upstream request for {@code exchange}. */
  static CompletionStage<GatewayResponse> send(ExchangeRun run, Exchange exchange) {
    CompiledRoute compiled = run.route();
    Route route = compiled.route();
    Upstream upstream = route.upstream();
    GatewayRequest request = exchange.request();
    // A rewrite template filled from captures, or a filter, may have produced dot-segments or
    // ambiguous encodings: the path sent upstream is held to the same rules as the client's, and a
    // dot-segment (which could climb out of the template's prefix) is refused outright.
    String rawUpstreamPath = upstream.basePath() + route.rewrite().apply(request.path(), exchange.pathVariables());
    PathNormalizer.Result rewritten = hasDotSegment(rawUpstreamPath)
        ? PathNormalizer.Result.rejected("it contains a dot-segment")
        : PathNormalizer.normalize(rawUpstreamPath);
    if (!rewritten.isOk()) {
      return CompletableFuture.completedFuture(GatewayResponse.problem(
          ProblemType.BAD_PATH.withDetail("The path to send upstream is not valid: " + rewritten.reason())));
    }
    String path = rewritten.path();
    String target = request.rawQuery().map(q -> path + "?" + q).orElse(path);

    HttpClient client = compiled.client();
    Request upstreamRequest = client.newRequest(upstream.host(), upstream.port())
        .scheme(upstream.scheme())
        .method(request.method())
        .path(target)
        .version(HttpVersion.HTTP_1_1)
        .idleTimeout(route.timeouts().idle().toMillis(), TimeUnit.MILLISECONDS);
    String upstreamUri = upstream.scheme() + "://" + upstream.authority() + path;
    // Observability: this hop's observer (metrics, a client span) and the trace context it carries.
    ExchangeRun.UpstreamHop hop = run.startUpstream(request.method(), upstreamUri, upstream.host() + ":" + upstream.port());
    run.upstreamStarted(upstreamRequest, upstreamUri);

    HttpFields in = FieldsHttpHeaders.fields(request.headers());
    upstreamRequest.headers(out -> {
      Set<String> tokens = HopByHop.connectionTokens(run.client().headers());
      Set<String> ownTokens = in == run.client().headers() ? tokens : HopByHop.connectionTokens(in);
      for (HttpField field : in) {
        if (HopByHop.isHopByHop(field, ownTokens) || tokens != ownTokens && HopByHop.isHopByHop(field, tokens)) {
          continue;
        }
        HttpHeader header = field.getHeader();
        if (header == HttpHeader.HOST || header == HttpHeader.CONTENT_LENGTH || header == HttpHeader.EXPECT
            || Forwarding.isReplacedForwardingHeader(field, run.trusted()) || field.is(run.engine().requestIdHeader())) {
          continue;
        }
        out.add(field);
      }
      if (route.preserveHost()) {
        out.put(HttpHeader.HOST, request.authority());
      }
      run.engine().forwarding().apply(out, run.client().headers(), run.trusted(), run.peerIp(),
          request.scheme(), request.authority(), run.client().localAddress().getPort());
      out.put(run.engine().requestIdHeader(), run.requestId());
      // W3C Trace Context: the client's trace continues (or a new one starts) with this hop's span id.
      out.put(TraceContext.TRACEPARENT, hop.trace().traceparent());
      if (hop.trace().traceState().isEmpty()) {
        out.remove(TraceContext.TRACESTATE);
      } else {
        out.put(TraceContext.TRACESTATE, hop.trace().traceState());
      }
    });

    ClientExchange cx = run.client();
    byte[] buffered = run.requestBody();
    if (buffered != null) {
      // A body policy (validation, JSON transform) read the body whole: send what it left, with its length.
      upstreamRequest.body(new BytesRequestContent(request.headers().first("Content-Type").orElse(null), buffered));
    } else if (cx.hasBody()) {
      upstreamRequest.body(new ClientBodyContent(cx.body(), cx.contentLength(),
          cx.headers().get(HttpHeader.CONTENT_TYPE), run));
    }

    UpstreamCall call = new UpstreamCall(run, upstreamRequest, client, route.timeouts().connect().toMillis(),
        route.timeouts().response().toMillis(), hop.observer());
    // The client's own connect timeout covers TCP only; a TLS handshake that stalls would wait for the idle
    // timeout. So the connect timeout runs from here until the request's headers are written, which needs the
    // connection fully established: queueing for a connection, TCP connect and TLS handshake.
    upstreamRequest.onRequestCommit(r -> call.cancelConnectTimer());
    upstreamRequest.onRequestSuccess(r -> call.startResponseTimer());
    // send() registers the call for every listener interface it implements (begin, content source, complete).
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} upstream request {} {}", run.requestId(), request.method(), upstreamRequest.getURI());
    }
    call.startConnectTimer();
    upstreamRequest.send(call);
    return call.result;
  }

  private static boolean hasDotSegment(String path) {
    int start = 0;
    while (start <= path.length()) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = path.length();
      }
      int len = end - start;
      if (len == 1 && path.charAt(start) == '.' || len == 2 && path.startsWith("..", start)) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  private void startConnectTimer() {
    connectTimer = scheduler.schedule(() -> {
      if (!committed) {
        upstreamRequest.abort(new ConnectTimeoutException(connectTimeoutMillis));
      }
    }, connectTimeoutMillis, TimeUnit.MILLISECONDS);
  }

  private void cancelConnectTimer() {
    if (!committed) {
      observer.connected();
    }
    committed = true;
    Scheduler.Task task = connectTimer;
    if (task != null) {
      task.cancel();
    }
  }

  private void startResponseTimer() {
    if (!result.isDone()) {
      responseTimer = scheduler.schedule(this, responseTimeoutMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void cancelResponseTimer() {
    Scheduler.Task task = responseTimer;
    if (task != null) {
      task.cancel();
    }
  }

  /** The response timeout ran out before the response began. */
  @Override
  public void run() {
    upstreamRequest.abort(new ResponseTimeoutException(responseTimeoutMillis));
  }

  @Override
  public void onBegin(Response response) {
    cancelResponseTimer();
    observer.responded(response.getStatus());
  }

  @Override
  public void onContentSource(Response response, Content.Source source) {
    HttpFields upstreamHeaders = response.getHeaders();
    Set<String> tokens = HopByHop.connectionTokens(upstreamHeaders);
    HttpFields.Mutable headers = HttpFields.build(upstreamHeaders.size());
    for (HttpField field : upstreamHeaders) {
      if (!HopByHop.isHopByHop(field, tokens)) {
        headers.add(field);
      }
    }
    long length = HttpMethod.HEAD.is(upstreamRequest.getMethod()) ? -1 : upstreamHeaders.getLongField(HttpHeader.CONTENT_LENGTH);
    UpstreamBody body = new UpstreamBody(source, response, length);
    run.upstreamResponded(body);
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} upstream response {}", run.requestId(), response.getStatus());
    }
    result.complete(GatewayResponse.of(response.getStatus(), new FieldsHttpHeaders(headers.asImmutable()), body));
  }

  @Override
  public void onComplete(Result complete) {
    committed = true; // not connected() now: a request that failed before its head was written never connected
    cancelConnectTimer();
    cancelResponseTimer();
    observer.finished(complete.getFailure());
    if (!complete.isFailed() || result.isDone()) {
      return;
    }
    Throwable failure = complete.getFailure();
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} upstream failed before responding: {}", run.requestId(), String.valueOf(failure));
    }
    ClientBodyContent.TooLargeException tooLarge = tooLarge(failure);
    if (tooLarge != null) {
      // The client's chunked body grew past the route's maximum: the upstream request was aborted.
      result.complete(GatewayResponse.problem(ProblemType.PAYLOAD_TOO_LARGE.withDetail(
          "The request body is larger than this route accepts (" + tooLarge.maxBytes() + " bytes).")));
    } else if (isTimeout(failure)) {
      result.complete(GatewayResponse.problem(ProblemType.UPSTREAM_TIMEOUT.withDetail(
          failure instanceof ResponseTimeoutException
              ? "The upstream did not respond within " + responseTimeoutMillis + " ms."
              : failure instanceof ConnectTimeoutException
                  ? "The upstream connection was not established within " + connectTimeoutMillis + " ms."
                  : "The upstream did not connect or send data in time.")));
    } else {
      result.complete(GatewayResponse.problem(ProblemType.UPSTREAM_UNAVAILABLE.withDetail(
          "The upstream could not be reached or sent an invalid response.")));
    }
  }

  private static ClientBodyContent.@Nullable TooLargeException tooLarge(@Nullable Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ClientBodyContent.TooLargeException tooLarge) {
        return tooLarge;
      }
    }
    return null;
  }

  private static boolean isTimeout(@Nullable Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException || t instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** No connection (TCP and TLS) to the upstream was ready within the route's connect timeout. */
  static final class ConnectTimeoutException extends TimeoutException {
    ConnectTimeoutException(long millis) {
      super("no connection within " + millis + " ms");
    }
  }

  /** The upstream's response headers did not arrive within the route's response timeout. */
  static final class ResponseTimeoutException extends TimeoutException {
    ResponseTimeoutException(long millis) {
      super("no response within " + millis + " ms");
    }
  }
}
