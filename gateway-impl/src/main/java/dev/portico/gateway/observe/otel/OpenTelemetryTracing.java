package dev.portico.gateway.observe.otel;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.Route;
import dev.portico.gateway.observe.ExchangeObserver;
import dev.portico.gateway.observe.ExchangeStart;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.observe.TraceContext;
import dev.portico.gateway.observe.UpstreamObserver;
import dev.portico.gateway.observe.UpstreamStart;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Spans with OpenTelemetry: a {@code SERVER} span per exchange, child of the client's
 * {@code traceparent} when it sent one, and a {@code CLIENT} span per upstream call, child of the
 * server span, whose context the gateway sends upstream so the backend's spans nest under it. The
 * access log's trace id is the spans' trace id.
 *
 * <pre>{@code
 * OpenTelemetry openTelemetry = ...;                  // the host's SDK, or GlobalOpenTelemetry.get()
 * JettyGatewayHandler handler = JettyGatewayHandler.builder(gateway)
 *     .observer(OpenTelemetryTracing.create(openTelemetry))
 *     .build();
 * }</pre>
 *
 * <p>Server spans are named {@code METHOD route-pattern} ({@code GET /api/orders/{id}}), or
 * {@code METHOD} for a request refused before routing, and carry {@code http.request.method},
 * {@code url.path}, {@code http.route}, {@code client.address}, {@code http.response.status_code},
 * {@code portico.route.id}, {@code portico.request.id} and {@code portico.outcome}. Client spans are
 * named {@code METHOD} and carry {@code http.request.method}, {@code url.full},
 * {@code server.address}, {@code server.port} and {@code http.response.status_code}. A 5xx, a failed
 * upstream call or an aborted exchange sets the span's status to error. Refusals by
 * authentication or a rate limit are span events.
 *
 * <p>The gateway parses and propagates W3C Trace Context on its own, without this class; what this
 * adds is spans recorded by the host's tracer. Sampling is the tracer's: an unsampled span is
 * propagated with its flags, so the backend does not sample either.
 */
public final class OpenTelemetryTracing implements GatewayObserver {
  /** The instrumentation scope name. */
  public static final String INSTRUMENTATION_NAME = "dev.portico.gateway";

  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  private static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
  private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  private static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
  private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  private static final AttributeKey<String> ROUTE_ID = AttributeKey.stringKey("portico.route.id");
  private static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("portico.request.id");
  private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("portico.outcome");
  private static final AttributeKey<String> REASON = AttributeKey.stringKey("portico.reason");
  private static final AttributeKey<String> LIMITER = AttributeKey.stringKey("portico.limiter");
  private static final AttributeKey<String> DECISION = AttributeKey.stringKey("portico.decision");

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public @Nullable String get(@Nullable Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private final Tracer tracer;

  private OpenTelemetryTracing(Tracer tracer) {
    this.tracer = tracer;
  }

  /** Returns an observer that records spans with {@code openTelemetry}'s tracer provider. */
  public static OpenTelemetryTracing create(OpenTelemetry openTelemetry) {
    requireNonNull(openTelemetry, "openTelemetry");
    return new OpenTelemetryTracing(openTelemetry.getTracer(INSTRUMENTATION_NAME));
  }

  @Override
  public ExchangeObserver exchangeStarted(ExchangeStart start) {
    Context parent = start.incoming().map(OpenTelemetryTracing::remoteParent).orElse(Context.root());
    Optional<Route> route = start.route();
    Span span = tracer.spanBuilder(route.map(r -> start.method() + " " + r.path().pattern()).orElse(start.method()))
        .setSpanKind(SpanKind.SERVER)
        .setParent(parent)
        .setAttribute(METHOD, start.method())
        .setAttribute(URL_PATH, start.path())
        .setAttribute(CLIENT_ADDRESS, start.clientIp())
        .setAttribute(REQUEST_ID, start.requestId())
        .startSpan();
    route.ifPresent(r -> span.setAttribute(HTTP_ROUTE, r.path().pattern()).setAttribute(ROUTE_ID, r.id()));
    return new ExchangeSpan(span);
  }

  /** The client's context as the remote parent of the server span (tracestate parsed by OpenTelemetry). */
  private static Context remoteParent(TraceContext incoming) {
    Map<String, String> carrier = new HashMap<>(4);
    carrier.put(TraceContext.TRACEPARENT, incoming.traceparent());
    if (!incoming.traceState().isEmpty()) {
      carrier.put(TraceContext.TRACESTATE, incoming.traceState());
    }
    return W3C.extract(Context.root(), carrier, MAP_GETTER);
  }

  /** {@code span}'s context in the engine's terms; empty when the tracer made no valid context. */
  private static Optional<TraceContext> contextOf(Span span) {
    if (!span.getSpanContext().isValid()) {
      return Optional.empty();
    }
    Map<String, String> carrier = new HashMap<>(4);
    W3C.inject(Context.root().with(span), carrier, Map::put);
    return TraceContext.parse(carrier.get(TraceContext.TRACEPARENT), carrier.get(TraceContext.TRACESTATE));
  }

  /** The server span of one exchange. */
  private final class ExchangeSpan implements ExchangeObserver {
    private final Span span;

    ExchangeSpan(Span span) {
      this.span = span;
    }

    @Override
    public Optional<TraceContext> traceContext() {
      return contextOf(span);
    }

    @Override
    public void authenticationFailed(String reason) {
      span.addEvent("portico.authentication.failed", io.opentelemetry.api.common.Attributes.of(REASON, reason));
    }

    @Override
    public void rateLimitDecided(String limiter, RateLimitDecision.Kind decision) {
      if (decision != RateLimitDecision.Kind.ALLOWED) {
        span.addEvent("portico.ratelimit." + decision.name().toLowerCase(java.util.Locale.ROOT),
            io.opentelemetry.api.common.Attributes.of(LIMITER, limiter, DECISION, decision.name()));
      }
    }

    @Override
    public UpstreamObserver upstreamStarted(UpstreamStart start) {
      Span client = tracer.spanBuilder(start.method())
          .setSpanKind(SpanKind.CLIENT)
          .setParent(Context.root().with(span))
          .setAttribute(METHOD, start.method())
          .setAttribute(URL_FULL, start.uri())
          .startSpan();
      URI uri = URI.create(start.uri());
      if (uri.getHost() != null) {
        client.setAttribute(SERVER_ADDRESS, uri.getHost());
        client.setAttribute(SERVER_PORT, (long) (uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80));
      }
      return new UpstreamSpan(client);
    }

    @Override
    public void finished(AccessLogEntry entry) {
      if (entry.status() > 0) {
        span.setAttribute(STATUS, (long) entry.status());
      }
      span.setAttribute(OUTCOME, entry.outcome());
      if (entry.status() >= 500 || !List.of("ok", "problem").contains(entry.outcome())) {
        span.setStatus(StatusCode.ERROR, entry.outcome());
      }
      span.end();
    }
  }

  /** The client span of one upstream call. */
  private static final class UpstreamSpan implements UpstreamObserver {
    private final Span span;

    UpstreamSpan(Span span) {
      this.span = span;
    }

    @Override
    public Optional<TraceContext> traceContext() {
      return contextOf(span);
    }

    @Override
    public void responded(int status) {
      span.setAttribute(STATUS, (long) status);
      if (status >= 500) {
        span.setStatus(StatusCode.ERROR);
      }
    }

    @Override
    public void finished(@Nullable Throwable failure) {
      if (failure != null) {
        span.recordException(failure);
        span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
      }
      span.end();
    }
  }
}
