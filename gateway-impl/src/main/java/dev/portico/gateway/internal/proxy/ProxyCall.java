package dev.portico.gateway.internal.proxy;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.Route;
import dev.portico.gateway.internal.body.ReplayableBody;
import dev.portico.gateway.internal.http.FieldsHttpHeaders;
import dev.portico.gateway.internal.http.GrpcStatus;
import dev.portico.gateway.internal.http.GrpcTimeout;
import dev.portico.gateway.internal.mirror.Mirror;
import dev.portico.gateway.internal.mirror.MirrorCopy;
import dev.portico.gateway.internal.routing.PathNormalizer;
import dev.portico.gateway.internal.upstream.Backoff;
import dev.portico.gateway.internal.upstream.CircuitGuard;
import dev.portico.gateway.internal.upstream.EndpointState;
import dev.portico.gateway.internal.upstream.LiveGroup;
import dev.portico.gateway.internal.upstream.RetryBudget;
import dev.portico.gateway.upstream.RetryPolicy;
import dev.portico.gateway.upstream.UpstreamProtocol;
import java.io.EOFException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpVersion;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy step of one exchange: picks an endpoint of the route's group, asks the group's circuit
 * breaker, sends a try ({@link UpstreamCall}), reports the outcome to passive health and the
 * circuit, and, when the route's {@link RetryPolicy} and its safety rules allow, tries again on
 * another endpoint after a back-off. Everything happens before the response has started towards
 * the client: the chain's stage completes once, with the answer that is kept. Not public API.
 */
public final class ProxyCall {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyCall.class);

  private final ProxyContext run;
  private final Exchange exchange;
  private final ProxyRoute compiled;
  private final LiveGroup group;
  private final RetryPolicy policy;
  private final String method;
  private final String path;
  private final @Nullable String query;
  private final HttpFields headers;
  private final @Nullable ReplayableBody replayable;
  private final byte @Nullable [] buffered;
  private final boolean hasBody;
  private final HttpVersion version;
  private final long startNanos = System.nanoTime();
  /** When the retry deadline ends the call, tries in flight included ({@link System#nanoTime} based), or {@link Long#MAX_VALUE}. */
  private final long deadlineNanos;
  private final List<EndpointState> tried = new ArrayList<>(2);
  private final CompletableFuture<GatewayResponse> result = new CompletableFuture<>();
  private int tries;

  private ProxyCall(ProxyContext run, Exchange exchange, String path, HttpFields headers, long callTimeoutNanos) {
    this.run = run;
    this.exchange = exchange;
    this.compiled = run.upstream();
    this.group = compiled.group();
    this.policy = compiled.route().retryPolicy();
    GatewayRequest request = exchange.request();
    this.method = request.method();
    this.path = path;
    this.query = request.rawQuery().orElse(null);
    this.headers = headers;
    this.hasBody = run.clientHasBody();
    // A body policy (validation, JSON transform) may already hold the body whole: every try sends
    // those bytes, with their length, and there is nothing to keep for replay.
    this.buffered = run.requestBody();
    // With retries possible, keep a copy of the body for replay: up to the policy's cap for requests
    // that may be retried once sent, nothing for the others (they are retried only if no byte was read).
    this.replayable = buffered == null && hasBody && policy.enabled()
        ? new ReplayableBody(run.newClientBody(), policy.mayRetrySent(method) ? policy.maxReplayBytes() : 0)
        : null;
    long retryDeadline = policy.deadline().isPresent()
        ? startNanos + policy.deadline().get().toNanos() : Long.MAX_VALUE;
    // A gRPC client's grpc-timeout bounds the call too: the earlier deadline wins.
    this.deadlineNanos = callTimeoutNanos < 0 || callTimeoutNanos == Long.MAX_VALUE ? retryDeadline
        : retryDeadline == Long.MAX_VALUE || retryDeadline - (startNanos + callTimeoutNanos) > 0
            ? startNanos + callTimeoutNanos : retryDeadline;
    this.version = group.settings().protocol() == UpstreamProtocol.HTTP_2 ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1;
  }

  /** Proxies {@code exchange} to the route's upstream group. */
  public static CompletionStage<GatewayResponse> send(ProxyContext run, Exchange exchange) {
    ProxyRoute upstream = run.upstream();
    Route route = upstream.route();
    // The base path of each endpoint is added at each try; the inline upstream of a route is a group of one.
    PathNormalizer.Result rewritten = UpstreamRequests.path("", route, exchange);
    if (!rewritten.isOk()) {
      return CompletableFuture.completedFuture(GatewayResponse.problem(
          ProblemType.BAD_PATH.withDetail("The path to send upstream is not valid: " + rewritten.reason())));
    }
    long callTimeout = GrpcStatus.isGrpc(run.clientHeaders()) ? GrpcTimeout.nanos(run.clientHeaders()) : GrpcTimeout.ABSENT;
    if (callTimeout == GrpcTimeout.MALFORMED) {
      return CompletableFuture.completedFuture(GatewayResponse.problem(ProblemType.BAD_REQUEST.withDetail(
          "The grpc-timeout header is not a timeout (1 to 8 digits and a unit of H, M, S, m, u or n).")));
    }
    HttpFields headers = upstream.requests().headers(run, route, exchange.request());
    ProxyCall call = new ProxyCall(run, exchange, rewritten.path(), headers, callTimeout);
    RetryBudget budget = upstream.retryBudget();
    if (budget != null) {
      budget.request();
    }
    call.attempt();
    return call.result;
  }

  /**
   * Returns the request body of one try: the client's body streamed (through the replay copy when
   * the route may retry), or null without a body. A body that a policy already holds whole can be
   * sent again as it is by every try.
   */
  private Request.@Nullable Content newTryBody() {
    Mirror mirror = compiled.mirror();
    if (mirror != null && tries == 1) {
      return mirrored(mirror, tryBody());
    }
    return tryBody();
  }

  /**
   * Starts the request's copy to the route's mirror, if it is sampled: a body already complete is
   * copied at once, a streamed one through a tap of the first try's content.
   */
  private Request.@Nullable Content mirrored(Mirror mirror, Request.@Nullable Content body) {
    long length = body == null ? 0 : body.getLength();
    MirrorCopy copy = mirror.start(method, path, query, headers, length);
    if (copy == null) {
      return body;
    }
    if (body == null || buffered != null) {
      copy.sendWhole(buffered);
      return body;
    }
    run.whenFinished(copy::abandon);
    return copy.tap(body);
  }

  private Request.@Nullable Content tryBody() {
    if (buffered != null) {
      // No content type of its own: the headers carry the request's (or none), never a made-up one.
      return new BytesRequestContent((String) null, buffered);
    }
    if (replayable != null) {
      return replayable.newAttempt();
    }
    return hasBody ? run.newClientBody() : null;
  }

  private void attempt() {
    if (run.clientGone()) {
      finish(GatewayResponse.problem(ProblemType.UPSTREAM_UNAVAILABLE.withDetail("The client went away.")));
      return;
    }
    EndpointState endpoint = group.select(exchange, tried);
    if (endpoint == null) {
      finish(GatewayResponse.problem(ProblemType.NO_HEALTHY_UPSTREAM.withDetail(
          "No instance of the upstream is available right now.")));
      return;
    }
    CircuitGuard circuit = group.circuit();
    if (!circuit.tryAcquire()) {
      finish(GatewayResponse.problem(ProblemType.CIRCUIT_OPEN
          .withDetail("The upstream is failing; the gateway stopped calling it for a while.")
          .withHeader("Retry-After", Long.toString(circuit.retryAfter().toSeconds()))));
      return;
    }
    tries++;
    tried.add(endpoint);
    endpoint.acquired();
    Request.Content body = newTryBody();
    long responseTimeout = policy.perTryTimeout().orElse(compiled.route().timeouts().response()).toMillis();
    HttpClient client = compiled.client();
    long tryStart = System.nanoTime();
    UpstreamCall.send(run, client, endpoint.endpoint(), method, path, query, headers, body, version,
            compiled.route().timeouts(), responseTimeout, deadlineNanos)
        .whenComplete((outcome, failure) -> {
          if (failure != null) {
            endpoint.released();
            circuit.release();
            result.completeExceptionally(failure);
          } else {
            judge(endpoint, outcome, System.nanoTime() - tryStart);
          }
        });
  }

  private void judge(EndpointState endpoint, UpstreamCall.Outcome outcome, long nanos) {
    CircuitGuard circuit = group.circuit();
    boolean clientGone = run.clientGone();
    if (outcome instanceof UpstreamCall.Failed failed && (clientGone || !failed.countsAgainstUpstream())) {
      circuit.release();   // no verdict on the upstream: the client went away, or its body was too large
    } else {
      boolean failure = outcome instanceof UpstreamCall.Failed
          || outcome instanceof UpstreamCall.Responded r && r.status() >= 500;
      group.record(endpoint, failure);
      circuit.onResult(nanos, failure);
    }
    long wait = Backoff.nanos(tries, policy.baseBackoff().toNanos(), policy.maxBackoff().toNanos(),
        ThreadLocalRandom.current());
    if (!clientGone && mayRetry(outcome, wait)) {
      endpoint.released();
      if (outcome instanceof UpstreamCall.Responded r) {
        r.body().discard(new CancellationException("retried"));
      }
      if (LOG.isDebugEnabled()) {
        LOG.debug("{} retry {} of route '{}' in {} ms after {}", run.requestId(), tries, compiled.id(),
            wait / 1_000_000, describe(outcome));
      }
      if (wait <= 0) {
        attempt();
      } else {
        compiled.client().getScheduler().schedule(this::attempt, wait, TimeUnit.NANOSECONDS);
      }
      return;
    }
    // The kept try holds its endpoint until the exchange ends (body streamed), for least-requests.
    run.whenFinished(endpoint::released);
    if (outcome instanceof UpstreamCall.Responded r) {
      run.upstreamResponded(r.body());
      finish(GatewayResponse.of(r.status(), new FieldsHttpHeaders(r.headers()), r.body()));
    } else {
      finish(((UpstreamCall.Failed) outcome).problem());
    }
  }

  /** The safety rules of {@link RetryPolicy}, then the limits: tries, deadline, budget. */
  private boolean mayRetry(UpstreamCall.Outcome outcome, long waitNanos) {
    if (tries == 1 && isClosedConnection(outcome)) {
      return true;
    }
    if (!policy.enabled() || tries > policy.maxRetries()) {
      return false;
    }
    boolean sent;
    if (outcome instanceof UpstreamCall.Failed failed) {
      if (!failed.countsAgainstUpstream()) {
        return false;
      }
      sent = failed.sent();
    } else {
      UpstreamCall.Responded responded = (UpstreamCall.Responded) outcome;
      if (!policy.retryOnStatuses().contains(responded.status())) {
        return false;
      }
      sent = true;
    }
    if (sent && !policy.mayRetrySent(method)) {
      return false;
    }
    if (replayable != null && !replayable.replayable()) {
      return false;
    }
    if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() + waitNanos - deadlineNanos >= 0) {
      return false;
    }
    RetryBudget budget = compiled.retryBudget();
    if (budget != null && !budget.tryRetry()) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("{} route '{}': retry budget exhausted", run.requestId(), compiled.id());
      }
      return false;
    }
    return true;
  }

  /**
   * Whether the first try of a request that is safe to send again (an idempotent method, no body
   * or a body held whole) failed because the connection closed under it before any byte of the
   * response: what an upstream ending an idle kept-alive connection just as the gateway reuses it
   * looks like. Such a request is sent once more, on a new connection, whatever the route's retry
   * policy says, as nginx and Go's HTTP client do; a POST is not.
   */
  private boolean isClosedConnection(UpstreamCall.Outcome outcome) {
    if (!(outcome instanceof UpstreamCall.Failed failed) || !failed.countsAgainstUpstream()
        || !RetryPolicy.none().mayRetrySent(method)   // without retryNonIdempotent: idempotent methods only
        || hasBody && buffered == null) {
      return false;
    }
    for (Throwable t = failed.failure(); t != null; t = t.getCause()) {
      if (t instanceof EOFException || t instanceof ClosedChannelException
          || t instanceof SocketException && String.valueOf(t.getMessage()).contains("Connection reset")) {
        return true;
      }
    }
    return false;
  }

  private void finish(GatewayResponse response) {
    if (replayable != null) {
      replayable.done();
    }
    result.complete(response);
  }

  private static String describe(UpstreamCall.Outcome outcome) {
    return outcome instanceof UpstreamCall.Responded r ? "status " + r.status()
        : String.valueOf(((UpstreamCall.Failed) outcome).failure());
  }
}
