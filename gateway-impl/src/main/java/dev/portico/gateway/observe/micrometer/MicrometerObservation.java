package dev.portico.gateway.observe.micrometer;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.observe.ExchangeObserver;
import dev.portico.gateway.observe.ExchangeStart;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.observe.TraceContext;
import dev.portico.gateway.observe.UpstreamObserver;
import dev.portico.gateway.observe.UpstreamStart;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.RequestReplyReceiverContext;
import io.micrometer.observation.transport.RequestReplySenderContext;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Gateway observations with Micrometer's Observation API: an observation per exchange and one per
 * upstream call, in a host's {@link ObservationRegistry}. Whatever handlers the registry has turn
 * them into spans (Micrometer Tracing over OpenTelemetry or Brave), timers, or logs; Spring Boot
 * wires its own registry this way.
 *
 * <pre>{@code
 * ObservationRegistry registry = ...;            // with a tracing handler, a meter handler, ...
 * JettyGatewayHandler handler = JettyGatewayHandler.builder(gateway)
 *     .observer(MicrometerObservation.create(registry))
 *     .build();
 * }</pre>
 *
 * <table>
 *   <caption>Observations</caption>
 *   <tr><th>name</th><th>low-cardinality keys</th><th>high-cardinality keys</th></tr>
 *   <tr><td>{@code portico.exchange}</td><td>{@code route}, {@code method}, {@code status},
 *       {@code outcome}</td><td>{@code portico.request.id}, {@code url.path}</td></tr>
 *   <tr><td>{@code portico.upstream}</td><td>{@code route}, {@code endpoint}, {@code status},
 *       {@code outcome}</td><td>{@code url.full}</td></tr>
 * </table>
 *
 * <p>The key values are bounded as {@link MicrometerMetrics}' tags are: {@code route} a route id
 * (or {@code none} before routing), {@code method} a standard method or {@code OTHER},
 * {@code status} a class such as {@code 2xx} ({@code none} when nothing was sent), {@code endpoint}
 * the {@code host:port} of a configured upstream. An exchange is named {@code METHOD route-id}
 * (its contextual name, which a tracer makes the span's name), an upstream call {@code METHOD}. A
 * 5xx, a failed upstream call or an aborted exchange is recorded as the observation's error;
 * refusals by authentication or a rate limit are events.
 *
 * <p>The exchange's observation is the child of the observation open on the thread that hands the
 * request to the gateway, when there is one (a servlet container's request observation, such as
 * Spring's {@code http.server.requests}); otherwise it is a receiver of the client's
 * {@code traceparent}, so that a tracing handler continues the client's trace. The upstream call's
 * observation is a sender: a tracing handler writes its context into the call, and the gateway
 * sends that {@code traceparent} upstream, so the backend's spans nest under it. The access log
 * keeps the engine's trace id (the client's, when it sent one); {@code OpenTelemetryTracing} is
 * the observer that makes the log's trace id the tracer's.
 *
 * <p>With a no-op registry (no handler) it records nothing and costs one check per exchange.
 */
public final class MicrometerObservation implements GatewayObserver {
  /** The name of the observation of an exchange. */
  public static final String EXCHANGE = "portico.exchange";
  /** The name of the observation of an upstream call. */
  public static final String UPSTREAM = "portico.upstream";

  private static final String ABSENT = "none";
  private static final List<String> FINE = List.of("ok", "problem");

  private final ObservationRegistry registry;

  private MicrometerObservation(ObservationRegistry registry) {
    this.registry = registry;
  }

  /** Returns an observer that records observations in {@code registry}. */
  public static MicrometerObservation create(ObservationRegistry registry) {
    return new MicrometerObservation(requireNonNull(registry, "registry"));
  }

  @Override
  public ExchangeObserver exchangeStarted(ExchangeStart start) {
    if (registry.isNoop()) {
      return ExchangeObserver.NONE;
    }
    String route = start.route().map(r -> r.id()).orElse(ABSENT);
    Observation.Context context;
    if (registry.getCurrentObservation() != null) {
      context = new Observation.Context();        // a child of the container's request observation
    } else {
      RequestReplyReceiverContext<Map<String, String>, AccessLogEntry> receiver =
          new RequestReplyReceiverContext<>((carrier, key) -> carrier.get(key));
      receiver.setCarrier(incoming(start));
      context = receiver;
    }
    Observation observation = Observation.createNotStarted(EXCHANGE, () -> context, registry)
        .contextualName(start.method() + " " + route)
        .lowCardinalityKeyValue("route", route)
        .lowCardinalityKeyValue("method", MicrometerMetrics.method(start.method()))
        .highCardinalityKeyValue("portico.request.id", start.requestId())
        .highCardinalityKeyValue("url.path", start.path())
        .start();
    return new ExchangeObservation(observation, route);
  }

  /** The client's trace context as headers, for a receiver observation's tracing handler. */
  private static Map<String, String> incoming(ExchangeStart start) {
    Map<String, String> carrier = new HashMap<>(4);
    start.incoming().ifPresent(trace -> {
      carrier.put(TraceContext.TRACEPARENT, trace.traceparent());
      if (!trace.traceState().isEmpty()) {
        carrier.put(TraceContext.TRACESTATE, trace.traceState());
      }
    });
    return carrier;
  }

  /** A failure recorded as an observation's error: the outcome, without a stack trace. */
  private static final class ExchangeFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ExchangeFailed(String outcome) {
      super(outcome, null, false, false);
    }
  }

  /** The observation of one exchange. */
  private final class ExchangeObservation implements ExchangeObserver {
    private final Observation observation;
    private final String route;

    ExchangeObservation(Observation observation, String route) {
      this.observation = observation;
      this.route = route;
    }

    @Override
    public void authenticationFailed(String reason) {
      observation.event(Observation.Event.of("portico.authentication.failed", "authentication failed: " + reason));
    }

    @Override
    public void rateLimitDecided(String limiter, RateLimitDecision.Kind decision) {
      if (decision != RateLimitDecision.Kind.ALLOWED) {
        String kind = decision.name().toLowerCase(Locale.ROOT);
        observation.event(Observation.Event.of("portico.ratelimit." + kind, "rate limiter " + limiter + ": " + kind));
      }
    }

    @Override
    public UpstreamObserver upstreamStarted(UpstreamStart start) {
      Map<String, String> carrier = new HashMap<>(4);
      RequestReplySenderContext<Map<String, String>, Integer> context =
          new RequestReplySenderContext<>((c, key, value) -> {
            if (c != null) {
              c.put(key, value);
            }
          });
      context.setCarrier(carrier);
      context.setRemoteServiceAddress(remoteAddress(start.uri()));
      Observation call = Observation.createNotStarted(UPSTREAM, () -> context, registry)
          .parentObservation(observation)
          .contextualName(start.method())
          .lowCardinalityKeyValue("route", route)
          .lowCardinalityKeyValue("endpoint", start.endpoint())
          .highCardinalityKeyValue("url.full", start.uri())
          .start();       // a tracing handler writes the call's context into the carrier here
      return new UpstreamObservation(call, context,
          TraceContext.parse(carrier.get(TraceContext.TRACEPARENT), carrier.get(TraceContext.TRACESTATE)));
    }

    @Override
    public void finished(AccessLogEntry entry) {
      observation.lowCardinalityKeyValue("status", MicrometerMetrics.statusClass(entry.status()))
          .lowCardinalityKeyValue("outcome", entry.outcome());
      if (observation.getContext() instanceof RequestReplyReceiverContext<?, ?>) {
        @SuppressWarnings("unchecked")
        RequestReplyReceiverContext<Map<String, String>, AccessLogEntry> receiver =
            (RequestReplyReceiverContext<Map<String, String>, AccessLogEntry>) observation.getContext();
        receiver.setResponse(entry);
      }
      if (entry.status() >= 500 || !FINE.contains(entry.outcome())) {
        observation.error(new ExchangeFailed(entry.outcome()));
      }
      observation.stop();
    }
  }

  /** {@code scheme://host:port} of an upstream URI, the address a tracer names the remote service by. */
  private static String remoteAddress(String uri) {
    try {
      URI parsed = URI.create(uri);
      return parsed.getScheme() + "://" + parsed.getRawAuthority();
    } catch (IllegalArgumentException unparsable) {
      return uri;
    }
  }

  /** The observation of one upstream call. */
  private static final class UpstreamObservation implements UpstreamObserver {
    private final Observation observation;
    private final RequestReplySenderContext<Map<String, String>, Integer> context;
    private final Optional<TraceContext> trace;
    private volatile boolean responded;

    UpstreamObservation(Observation observation, RequestReplySenderContext<Map<String, String>, Integer> context,
        Optional<TraceContext> trace) {
      this.observation = observation;
      this.context = context;
      this.trace = trace;
    }

    @Override
    public Optional<TraceContext> traceContext() {
      return trace;
    }

    @Override
    public void responded(int status) {
      responded = true;
      context.setResponse(status);
      observation.lowCardinalityKeyValue("status", MicrometerMetrics.statusClass(status))
          .lowCardinalityKeyValue("outcome", "ok");
      if (status >= 500) {
        observation.error(new ExchangeFailed("upstream answered " + status));
      }
    }

    @Override
    public void finished(@Nullable Throwable failure) {
      if (!responded) {
        observation.lowCardinalityKeyValue("status", ABSENT).lowCardinalityKeyValue("outcome", "error");
      }
      if (failure != null) {
        observation.error(failure);
      }
      observation.stop();
    }
  }
}
