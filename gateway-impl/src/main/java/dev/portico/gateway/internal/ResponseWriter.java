package dev.portico.gateway.internal;

import dev.portico.gateway.ErrorMapper;
import dev.portico.gateway.ErrorResponse;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Problem;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.ResponseBody;
import dev.portico.gateway.internal.body.UpstreamBody;
import dev.portico.gateway.internal.chain.CompiledCors;
import dev.portico.gateway.internal.chain.ProblemRenderer;
import dev.portico.gateway.internal.http.FieldsHttpHeaders;
import dev.portico.gateway.internal.http.GrpcStatus;
import dev.portico.gateway.internal.http.HopByHop;
import dev.portico.gateway.internal.websocket.WebSocketCall;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client response of one exchange, written once: the chain's answer (an upstream body streamed
 * with back-pressure, bytes, or a switch to WebSocket) or a problem rendered by the error mapper in
 * force, every head with the request id and the CORS headers of the policy in force. It ends the
 * exchange ({@link ExchangeRun#finish}) when the last write completes or fails. Not public API.
 */
final class ResponseWriter {
  private static final Logger LOG = LoggerFactory.getLogger(ResponseWriter.class);

  private final ExchangeRun run;
  private final ExchangeLog log;
  private final AtomicBoolean responded = new AtomicBoolean();
  private volatile boolean clientWriteFailed;
  /**
   * The trailers that end a gRPC response whose upstream failed mid-body ({@code UNAVAILABLE}),
   * instead of the upstream's, which never came.
   */
  private volatile @Nullable HttpFields failedCallTrailers;
  /** Whether this exchange is a CORS preflight the gateway answers: its head needs no CORS decoration. */
  private volatile boolean preflight;

  ResponseWriter(ExchangeRun run, ExchangeLog log) {
    this.run = run;
    this.log = log;
  }

  /** Returns whether the response has started (or been given up for the client's sake). */
  boolean started() {
    return responded.get();
  }

  /** Answers a CORS preflight (the head carries its own CORS headers). */
  void respondPreflight(GatewayResponse response) {
    preflight = true;
    respond(response);
  }

  /** Writes the chain's final response to the client; only the first call counts. */
  void respond(GatewayResponse response) {
    if (!responded.compareAndSet(false, true)) {
      return;
    }
    UpstreamBody body = run.upstreamBody();
    if (body != null && response.body() != body) {
      body.discard(new CancellationException("a filter replaced the upstream response"));
    }
    CompiledRoute route = run.routeOrNull();
    // Only websocket() routes look for a tunnel, so websocket-core loads only where it is used.
    if (route != null && route.webSocketConnector() != null && response.body() instanceof WebSocketCall.Tunnel tunnel) {
      switchToWebSocket(tunnel);
      return;
    }
    Throwable gone = run.clientFailure();
    if (gone != null) {
      run.finish(false, "client-abort", gone);
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
      log.status(response.status());
      if (run.client().httpVersion().getVersion() >= 20) {
        // The upstream's trailers (a gRPC call's status) follow its body; HTTP/1.1 clients get none.
        run.client().responseTrailers(() -> {
          HttpFields failed = failedCallTrailers;
          return failed != null ? failed : upstream.trailers();
        });
      }
      run.client().responseHead(response.status(), head);
      stream(upstream);
    } else if (responseBody instanceof ResponseBody.BytesBody bytes) {
      HttpFields.Mutable head = headFrom(response.headers(), true);
      if (response.status() != 204 && response.status() != 304) { // these never carry Content-Length
        head.put(HttpHeader.CONTENT_LENGTH, bytes.size());
      }
      finishHead(head, false);
      log.status(response.status());
      run.client().responseHead(response.status(), head);
      ByteBuffer[] buffer = new ByteBuffer[1];
      bytes.writeTo(b -> buffer[0] = b);
      log.bytesOut(bytes.size());
      run.client().write(true, buffer[0], Callback.from(() -> run.finish(true, "ok", null),
          x -> run.finish(false, "client-abort", x)));
    } else {
      LOG.warn("{} route '{}': unsupported response body {}", run.requestId(), run.route().id(),
          responseBody.getClass().getName());
      responded.set(false);
      respond(GatewayResponse.problem(ProblemType.INTERNAL.withDetail("The gateway failed to process the request.")));
    }
  }

  /** The upstream accepted the WebSocket: now switch the client's connection; the relay ends the exchange. */
  private void switchToWebSocket(WebSocketCall.Tunnel tunnel) {
    log.status(101);   // before the switch: the relay may end (and log) before upgradeToWebSocket returns
    if (run.clientFailure() == null && run.client().upgradeToWebSocket(tunnel)) {
      return;
    }
    log.status(0);
    tunnel.abandon("the client connection could not be upgraded");
    Throwable gone = run.clientFailure();
    if (gone == null) {
      writeProblem(ProblemType.BAD_WEBSOCKET_HANDSHAKE.withDetail("The request is not a valid WebSocket upgrade."),
          HttpHeaders.empty());
    } else {
      run.finish(false, "client-abort", gone);
    }
  }

  /**
   * Answers {@code problem}, rendered by the route's (or the gateway's) {@link ErrorMapper}, RFC 9457
   * JSON by default, with the problem's own headers.
   */
  void writeProblem(Problem problem, HttpHeaders extraHeaders) {
    responded.set(true);
    if (GrpcStatus.isGrpc(run.client().headers())) {
      writeGrpcProblem(problem, extraHeaders);
      return;
    }
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
    log.status(rendered.status());
    run.client().responseHead(rendered.status(), head);
    log.bytesOut(rendered.length());
    ByteBuffer[] body = new ByteBuffer[1];
    rendered.writeTo(b -> body[0] = b);
    run.client().write(true, body[0], Callback.from(() -> run.finish(true, "problem", null),
        x -> run.finish(false, "client-abort", x)));
  }

  /**
   * Answers {@code problem} to a gRPC call as gRPC does: trailers-only, HTTP 200 with
   * {@code grpc-status} and {@code grpc-message} in the head and no body ({@link GrpcStatus}), with
   * the problem's own headers ({@code WWW-Authenticate}, {@code Retry-After}). The error mapper is
   * not asked: a gRPC client reads no body. The access log and metrics record the refusal's HTTP
   * status (401, 429...), what the exchange was refused as.
   */
  private void writeGrpcProblem(Problem problem, HttpHeaders extraHeaders) {
    HttpFields.Mutable head = headFrom(extraHeaders, true);
    for (String name : problem.headers().names()) {
      head.remove(name);
    }
    FieldsHttpHeaders.copy(problem.headers(), head);
    head.remove(HttpHeader.CONTENT_LENGTH);
    head.put(HttpHeader.CONTENT_TYPE, "application/grpc");
    for (HttpField field : GrpcStatus.fields(GrpcStatus.fromHttp(problem.status()),
        problem.detail().isEmpty() ? problem.type().title() : problem.detail())) {
      head.put(field);
    }
    finishHead(head, true);
    log.status(problem.status());
    run.client().responseHead(200, head);
    run.client().write(true, BufferUtil.EMPTY_BUFFER, Callback.from(() -> run.finish(true, "problem", null),
        x -> run.finish(false, "client-abort", x)));
  }

  /** Renders {@code problem} with the mapper in force; a mapper that breaks falls back to RFC 9457 JSON. */
  private ErrorResponse renderProblem(Problem problem) {
    CompiledRoute r = run.routeOrNull();
    ErrorMapper mapper = r != null ? r.policies().errorMapper() : run.engine().errorMapper();
    ErrorMapper.Context context = new ProblemContext(run.requestId(), r == null ? Optional.empty() : Optional.of(r.id()),
        run.method(), run.path());
    if (mapper != ProblemRenderer.DEFAULT) {
      try {
        ErrorResponse rendered = mapper.map(problem, context);
        if (rendered != null) {
          return rendered;
        }
        LOG.warn("{} route '{}': error mapper returned null; sending the default problem", run.requestId(),
            r == null ? "-" : r.id());
      } catch (RuntimeException e) {
        LOG.warn("{} route '{}': error mapper failed ({}); sending the default problem", run.requestId(),
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
    CompiledRoute r = run.routeOrNull();
    CompiledCors cors = r != null ? r.policies().cors() : run.engine().cors();
    if (cors != null && !preflight) {
      cors.decorate(run.client().headers(), head, problem);
    }
  }

  private HttpFields.Mutable headFrom(HttpHeaders headers, boolean ownBody) {
    HttpFields fields = FieldsHttpHeaders.fields(headers);
    HttpFields.Mutable head = HttpFields.build(fields.size() + 4);
    Set<String> tokens = HopByHop.connectionTokens(fields);
    String requestIdHeader = run.engine().requests().requestIdHeader();
    for (HttpField field : fields) {
      if (HopByHop.isHopByHop(field, tokens) || ownBody && field.getHeader() == HttpHeader.CONTENT_LENGTH
          || field.is(requestIdHeader)) {
        continue;
      }
      head.add(field);
    }
    head.add(run.engine().requests().requestIdField(run.requestId()));
    return head;
  }

  /**
   * Ends a gRPC call whose upstream failed mid-body with {@code grpc-status: 14} (UNAVAILABLE) in
   * trailers, which is what the client can act on (a stream reset reads as CANCELLED or INTERNAL).
   * Returns false, having done nothing, for any other exchange: its client connection or HTTP/2
   * stream is aborted, so that a truncated body never looks complete.
   */
  private boolean endGrpcCall(Throwable failure) {
    if (run.client().httpVersion().getVersion() < 20 || !GrpcStatus.isGrpc(run.client().headers())) {
      return false;
    }
    failedCallTrailers = GrpcStatus.fields(GrpcStatus.UNAVAILABLE, "The upstream failed during the call.");
    run.client().write(true, BufferUtil.EMPTY_BUFFER, Callback.from(
        () -> run.finish(true, "upstream-abort", failure), x -> run.finish(false, "upstream-abort", x)));
    return true;
  }

  /** Streams the upstream body to the client: each chunk is written before the next is demanded. */
  private void stream(UpstreamBody body) {
    Content.Sink counting = (last, buffer, callback) -> {
      log.addBytesOut(buffer.remaining());
      run.client().write(last, buffer, new Callback() {
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
        run.finish(true, "ok", null);
      }

      @Override
      public void failed(Throwable x) {
        boolean clientSide = clientWriteFailed || run.clientFailure() != null;
        body.discard(x);
        if (!clientSide && endGrpcCall(x)) {
          return;
        }
        if (LOG.isDebugEnabled()) {
          LOG.debug("{} {} during response body: {}", run.requestId(), clientSide ? "client failed" : "upstream failed",
              String.valueOf(x));
        }
        run.finish(false, clientSide ? "client-abort" : "upstream-abort", x);
      }

      @Override
      public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
      }
    });
  }
}
