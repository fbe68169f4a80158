package dev.portico.gateway.internal;

import dev.portico.gateway.AccessLog;
import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.internal.proxy.UpstreamHop;
import dev.portico.gateway.observe.ExchangeObserver;
import dev.portico.gateway.observe.ExchangeStart;
import dev.portico.gateway.observe.TraceContext;
import dev.portico.gateway.observe.UpstreamObserver;
import dev.portico.gateway.observe.UpstreamStart;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What operators learn of one exchange: the W3C trace context it runs under, its observer
 * (metrics, spans), and what its access log entry says, gathered as the exchange goes (the caller,
 * the rate limits' outcome, the upstream, the status, the bytes each way) and written once when it
 * ends. Not public API.
 */
final class ExchangeLog {
  private static final Logger LOG = LoggerFactory.getLogger(ExchangeLog.class);

  private final AccessLog accessLog;
  private final long startNanos;
  private final String requestId;
  private final Optional<String> routeId;
  private final String method;
  private final String path;
  private final String clientIp;
  private final HttpFields clientHeaders;
  private final TraceContext trace;
  private final ExchangeObserver observer;
  private volatile @Nullable Identity identity;
  /** What the rate limits decided, for the access log; null until they have. */
  private volatile AccessLogEntry.@Nullable RateLimitOutcome rateLimit;
  private volatile @Nullable String upstreamUri;
  private volatile int status;
  private volatile long bytesIn;
  private volatile long bytesOut;

  ExchangeLog(GatewayEngine engine, HttpFields clientHeaders, long startNanos, String requestId, String method,
      String path, @Nullable CompiledRoute route, String clientIp) {
    this.accessLog = engine.accessLog();
    this.startNanos = startNanos;
    this.requestId = requestId;
    this.routeId = route == null ? Optional.empty() : Optional.of(route.id());
    this.method = method;
    this.path = path;
    this.clientIp = clientIp;
    this.clientHeaders = clientHeaders;
    // The client's traceparent when well formed (its trace continues), else a new trace.
    TraceContext incoming = TraceContext.parse(clientHeaders.get(TraceContext.TRACEPARENT),
        clientHeaders.get(TraceContext.TRACESTATE)).orElse(null);
    TraceContext own = incoming != null ? incoming.newSpan() : TraceContext.newTrace();
    this.observer = engine.runtime().observer().exchangeStarted(new ExchangeStart(requestId, method, path,
        route == null ? Optional.empty() : Optional.of(route.route()), Optional.ofNullable(incoming), own, clientIp));
    this.trace = observer.traceContext().orElse(own);
  }

  /** Returns the observer of this exchange (metrics, spans). */
  ExchangeObserver observer() {
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
  UpstreamHop startUpstream(String method, String uri, String endpoint) {
    TraceContext proposed = trace.newSpan();
    UpstreamObserver watch = observer.upstreamStarted(new UpstreamStart(method, uri, endpoint, proposed));
    return new UpstreamHop(watch, watch.traceContext().orElse(proposed));
  }

  @Nullable Identity identity() {
    return identity;
  }

  void identity(Identity caller) {
    this.identity = caller;
  }

  void rateLimit(AccessLogEntry.RateLimitOutcome outcome) {
    this.rateLimit = outcome;
  }

  void upstreamUri(String uri) {
    this.upstreamUri = uri;
  }

  /** The status of the response head sent to the client (0: none yet, or the upgrade failed). */
  void status(int sent) {
    this.status = sent;
  }

  int status() {
    return status;
  }

  void addBytesIn(int n) {
    bytesIn += n;
  }

  /** The size of a response body sent whole. */
  void bytesOut(long n) {
    bytesOut = n;
  }

  /** A chunk of a streamed response body went out. */
  void addBytesOut(long n) {
    bytesOut += n;
  }

  /** Writes the access log entry and tells the observer the exchange finished, with {@code outcome}. */
  void finished(String outcome) {
    if (observer == ExchangeObserver.NONE && accessLog == AccessLog.disabled()) {
      return;   // nobody reads the entry: not even built
    }
    Identity caller = identity;
    AccessLogEntry entry = new AccessLogEntry(
        requestId,
        routeId,
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
        AccessLogEntry.userAgentOf(clientHeaders.get(HttpHeader.USER_AGENT)),
        Optional.ofNullable(rateLimit));
    try {
      accessLog.log(entry);
    } catch (RuntimeException e) {
      LOG.warn("{} access log failed: {}", requestId, e.toString());
    }
    observer.finished(entry);
  }
}
