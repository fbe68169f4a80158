package dev.portico.gateway.internal.proxy;

import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.Timeouts;
import dev.portico.gateway.internal.body.BodyDeadline;
import dev.portico.gateway.internal.body.ClientBodyContent;
import dev.portico.gateway.internal.body.Deadlines;
import dev.portico.gateway.internal.body.UpstreamBody;
import dev.portico.gateway.internal.http.HopByHop;
import dev.portico.gateway.observe.UpstreamObserver;
import dev.portico.gateway.upstream.Endpoint;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One try of the proxy step: one upstream request to one endpoint, sent with the Jetty client. Its
 * outcome completes as soon as the response headers arrive (the body streams later) or the try
 * fails; {@link ProxyCall} decides what to do with it (answer, or try again). Not public API.
 */
public final class UpstreamCall implements Response.BeginListener, Response.ContentSourceListener,
    Response.CompleteListener, Deadlines.Watched {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamCall.class);

  /** How a try ended. */
  sealed interface Outcome permits Responded, Failed {}

  /** The upstream answered: its status, its headers less hop-by-hop ones, and its body, unread. */
  record Responded(int status, HttpFields headers, UpstreamBody body) implements Outcome {}

  /**
   * No answer: {@code sent} says whether the request reached the upstream (its head was written), the
   * response is the problem the client gets if nothing else is tried.
   */
  record Failed(boolean sent, boolean countsAgainstUpstream, GatewayResponse problem, Throwable failure)
      implements Outcome {}

  // The phases of a try, for its timeouts: waiting for a connection (connect timeout), sending the
  // request (no timeout but the idle timeout and the retry deadline), waiting for the response head
  // (response timeout), done (the head arrived or the try failed).
  private static final int CONNECTING = 0;
  private static final int SENDING = 1;
  private static final int WAITING = 2;
  private static final int DONE = 3;

  private final ProxyContext run;
  private final Request upstreamRequest;
  private final CompletableFuture<Outcome> result = new CompletableFuture<>();
  private final long connectTimeoutMillis;
  private final long responseTimeoutMillis;
  /** When the route's retry deadline ends this try ({@link System#nanoTime} based), or {@link Long#MAX_VALUE}. */
  private final long deadlineNanos;
  private final Deadlines<UpstreamCall> timeouts;
  private volatile int phase = CONNECTING;
  private volatile long expireNanoTime = Long.MAX_VALUE;
  /** Whether the request head was written: the upstream may have seen the request (a retry must be safe). */
  private volatile boolean headWritten;
  /** This try's observer (metrics, a client span): connected, responded, finished. */
  private final UpstreamObserver observer;

  private UpstreamCall(ProxyContext run, Request upstreamRequest, long connectTimeoutMillis,
      long responseTimeoutMillis, long deadlineNanos, UpstreamObserver observer) {
    this.run = run;
    this.observer = observer;
    this.upstreamRequest = upstreamRequest;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.responseTimeoutMillis = responseTimeoutMillis;
    this.deadlineNanos = deadlineNanos;
    this.timeouts = run.upstreamTimeouts();
  }

  /**
   * Sends one try to {@code endpoint}: {@code path} is the normalized upstream path without the
   * endpoint's base path, {@code query} the raw query, {@code body} the content of this try. The try
   * is aborted when {@code deadlineNanos} ({@link System#nanoTime} based; {@link Long#MAX_VALUE} for
   * none) passes, whatever it is doing.
   */
  static CompletableFuture<Outcome> send(ProxyContext run, HttpClient client, Endpoint endpoint, String method,
      String path, @Nullable String query, HttpFields headers, Request.@Nullable Content body, HttpVersion version,
      Timeouts timeouts, long responseTimeoutMillis, long deadlineNanos) {
    String fullPath = endpoint.basePath() + path;
    String upstreamUri = endpoint.scheme() + "://" + endpoint.authority() + fullPath;
    // Observability: each try is its own hop, with its observer (metrics, a client span) and the
    // trace context it carries.
    UpstreamHop hop = run.startUpstream(method, upstreamUri, endpoint.host() + ":" + endpoint.port());
    Request upstreamRequest = UpstreamRequests.newRequest(client, endpoint, method, fullPath, query, headers, body,
        version, timeouts.idle().toMillis(), hop.trace());
    if (body != null && version == HttpVersion.HTTP_2 && run.clientCarriesTrailers()) {
      // The client's trailers (a gRPC client's, say) follow its body upstream: Jetty asks once the
      // content ended, when the last chunk handed them over.
      upstreamRequest.trailersSupplier(() -> HopByHop.relayedTrailers(run.clientTrailers()));
    }
    run.upstreamStarted(upstreamRequest, upstreamUri);

    UpstreamCall call = new UpstreamCall(run, upstreamRequest, timeouts.connect().toMillis(),
        responseTimeoutMillis, deadlineNanos, hop.observer());
    // The client's own connect timeout covers TCP only; a TLS handshake that stalls would wait for the idle
    // timeout. So the connect timeout runs from here until the request's headers are written, which needs the
    // connection fully established: queueing for a connection, TCP connect and TLS handshake.
    upstreamRequest.onRequestCommit(r -> {
      call.headWritten = true;
      call.connected();
    });
    upstreamRequest.onRequestSuccess(r -> call.sent());
    // send() registers the call for every listener interface it implements (begin, content source, complete).
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} upstream request {} {}", run.requestId(), method, upstreamRequest.getURI());
    }
    call.startTimeouts();
    upstreamRequest.send(call);
    return call.result;
  }

  private void startTimeouts() {
    expireNanoTime = earlier(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(connectTimeoutMillis));
    timeouts.watch(this);
  }

  /** The connection is ready and the request head written: the connect timeout no longer applies. */
  private void connected() {
    // Always told: a fast upstream may have answered (done) before Jetty notifies the commit.
    observer.connected();
    if (phase == CONNECTING) {
      phase = SENDING;
      expireNanoTime = deadlineNanos;
    }
  }

  /** The whole request was sent: the response timeout starts. */
  private void sent() {
    if (phase == SENDING) {
      expireNanoTime = earlier(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(responseTimeoutMillis));
      phase = WAITING;
      timeouts.moved(this);
    }
  }

  private void done() {
    phase = DONE;
    expireNanoTime = Long.MAX_VALUE;
    timeouts.forget(this);
  }

  /** Returns the earlier of {@code nanos} and the retry deadline. */
  private long earlier(long nanos) {
    return deadlineNanos != Long.MAX_VALUE && deadlineNanos - nanos < 0 ? deadlineNanos : nanos;
  }

  @Override
  public long getExpireNanoTime() {
    return expireNanoTime;
  }

  /**
   * The timer found this try's deadline passed: aborts it with the timeout that ran out. Returns
   * whether the timer may forget the try (false when its deadline moved meanwhile).
   */
  @Override
  public boolean expired() {
    int now = phase;
    if (now == DONE) {
      return true;
    }
    long overdue = System.nanoTime() - expireNanoTime;
    if (overdue < 0) {
      return false;   // moved to a later phase in the meantime
    }
    TimeoutException timeout;
    if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0) {
      timeout = new DeadlineException();
    } else if (now == CONNECTING) {
      timeout = new ConnectTimeoutException(connectTimeoutMillis);
    } else if (now == WAITING) {
      timeout = new ResponseTimeoutException(responseTimeoutMillis);
    } else {
      return false;
    }
    upstreamRequest.abort(timeout);
    return true;
  }

  @Override
  public void onBegin(Response response) {
    done();
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
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} upstream response {}", run.requestId(), response.getStatus());
    }
    result.complete(new Responded(response.getStatus(), headers.asImmutable(), body));
  }

  @Override
  public void onComplete(Result complete) {
    done(); // not connected() now: a request that failed before its head was written never connected
    observer.finished(complete.getFailure());
    if (!complete.isFailed() || result.isDone()) {
      return;
    }
    Throwable failure = complete.getFailure();
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} upstream failed before responding: {}", run.requestId(), String.valueOf(failure));
    }
    ClientBodyContent.TooLargeException tooLarge = tooLarge(failure);
    BodyDeadline.Expired bodyTimeout = BodyDeadline.find(failure);
    boolean sent = headWritten;
    if (bodyTimeout != null) {
      // The client's body did not arrive in time: the upstream request was aborted with it.
      result.complete(new Failed(sent, false, BodyDeadline.problem(bodyTimeout), failure));
    } else if (tooLarge != null) {
      // The client's chunked body grew past the route's maximum: the upstream request was aborted.
      result.complete(new Failed(sent, false, GatewayResponse.problem(ProblemType.PAYLOAD_TOO_LARGE.withDetail(
          "The request body is larger than this route accepts (" + tooLarge.maxBytes() + " bytes).")), failure));
    } else if (isTimeout(failure)) {
      result.complete(new Failed(sent, true, GatewayResponse.problem(ProblemType.UPSTREAM_TIMEOUT.withDetail(
          failure instanceof ResponseTimeoutException
              ? "The upstream did not respond within " + responseTimeoutMillis + " ms."
              : failure instanceof DeadlineException
              ? "The upstream did not respond within the call's deadline (the route's retry deadline or the"
                  + " client's grpc-timeout)."
              : failure instanceof ConnectTimeoutException
                  ? "The upstream connection was not established within " + connectTimeoutMillis + " ms."
                  : "The upstream did not connect or send data in time.")), failure));
    } else {
      result.complete(new Failed(sent, true, GatewayResponse.problem(ProblemType.UPSTREAM_UNAVAILABLE.withDetail(
          "The upstream could not be reached or sent an invalid response.")), failure));
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

  /** The route's retry deadline passed while a try was in flight. */
  static final class DeadlineException extends TimeoutException {
    DeadlineException() {
      super("the retry deadline passed");
    }
  }

  /** The upstream's response headers did not arrive within the route's response timeout. */
  static final class ResponseTimeoutException extends TimeoutException {
    ResponseTimeoutException(long millis) {
      super("no response within " + millis + " ms");
    }
  }
}
