package dev.portico.gateway.observe;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Learns what a running gateway does: the engine asks it for an {@link ExchangeObserver} for each
 * exchange it takes, and tells that one about authentication and rate-limit outcomes, upstream
 * calls and the end. Metrics and tracing are observers; the host hands one to the adapter.
 *
 * <pre>{@code
 * GatewayObserver observer = GatewayObserver.of(
 *     MicrometerMetrics.create(meterRegistry),            // gateway-impl, Micrometer inside
 *     OpenTelemetryTracing.create(openTelemetry));        // gateway-impl, OpenTelemetry API inside
 * JettyGatewayHandler handler = JettyGatewayHandler.builder(gateway).observer(observer).build();
 * }</pre>
 *
 * <p>Threading: called from any thread, concurrently for different exchanges. Methods must be
 * quick, must not block and should not throw; the engine logs and ignores what they throw.
 */
@FunctionalInterface
public interface GatewayObserver {

  /** The engine took an exchange; returns the observer of that exchange. */
  ExchangeObserver exchangeStarted(ExchangeStart start);

  /**
   * The health of an upstream endpoint changed. {@code group} names the upstream group,
   * {@code endpoint} is {@code host:port}. Called by the engine's health checks.
   */
  default void endpointHealthChanged(String group, String endpoint, boolean healthy) {}

  /**
   * An upstream group's circuit breaker changed state: {@code closed}, {@code open} or
   * {@code half-open}.
   */
  default void circuitStateChanged(String group, String state) {}

  /** The response cache of route {@code route} evicted an entry to stay within its byte bound. */
  default void cacheEvicted(String route) {}

  /**
   * A changed configuration was read: {@code applied} when the gateway now runs it, false when it
   * was refused and the old one keeps serving ({@link ConfigurationStatus#lastError()} says why).
   * {@code status} is the state after the reload. Called by whatever follows the configuration's
   * source, such as gateway-config's {@code ConfigWatch}, from its own thread; the engine itself
   * never calls it.
   */
  default void configurationReloaded(ConfigurationStatus status, boolean applied) {}

  /**
   * A request of route {@code route} was meant to be copied to its mirror ({@code RequestMirror}):
   * {@code outcome} is {@code mirrored} (the shadow answered), {@code dropped} (too many copies in
   * flight), {@code skipped} (the body was larger than the mirror copies) or {@code failed} (the
   * shadow could not be reached, or did not answer in time). Called from the upstream client's
   * threads; must not block.
   */
  default void requestMirrored(String route, String outcome) {}

  /** Returns an observer that watches nothing. */
  static GatewayObserver none() {
    return Composite.NONE;
  }

  /**
   * Returns an observer that tells each of {@code observers}, in order. For trace contexts the first
   * observer that offers one wins.
   */
  static GatewayObserver of(GatewayObserver... observers) {
    List<GatewayObserver> all = new ArrayList<>();
    for (GatewayObserver o : observers) {
      all.add(requireNonNull(o, "observer"));
    }
    return all.size() == 1 ? all.get(0) : new Composite(all);
  }
}

/** Several observers as one. */
final class Composite implements GatewayObserver {
  static final Composite NONE = new Composite(List.of());

  private final GatewayObserver[] observers;

  Composite(List<GatewayObserver> observers) {
    this.observers = observers.toArray(GatewayObserver[]::new);
  }

  @Override
  public ExchangeObserver exchangeStarted(ExchangeStart start) {
    if (observers.length == 0) {
      return ExchangeObserver.NONE;
    }
    ExchangeObserver[] each = new ExchangeObserver[observers.length];
    for (int i = 0; i < each.length; i++) {
      each[i] = observers[i].exchangeStarted(start);
    }
    return new ExchangeObserver() {
      @Override
      public Optional<TraceContext> traceContext() {
        for (ExchangeObserver o : each) {
          Optional<TraceContext> trace = o.traceContext();
          if (trace.isPresent()) {
            return trace;
          }
        }
        return Optional.empty();
      }

      @Override
      public void authenticationFailed(String reason) {
        for (ExchangeObserver o : each) {
          o.authenticationFailed(reason);
        }
      }

      @Override
      public void rateLimitDecided(String limiter, RateLimitDecision.Kind decision) {
        for (ExchangeObserver o : each) {
          o.rateLimitDecided(limiter, decision);
        }
      }

      @Override
      public UpstreamObserver upstreamStarted(UpstreamStart upstream) {
        UpstreamObserver[] calls = new UpstreamObserver[each.length];
        for (int i = 0; i < calls.length; i++) {
          calls[i] = each[i].upstreamStarted(upstream);
        }
        return new UpstreamObserver() {
          @Override
          public Optional<TraceContext> traceContext() {
            for (UpstreamObserver o : calls) {
              Optional<TraceContext> trace = o.traceContext();
              if (trace.isPresent()) {
                return trace;
              }
            }
            return Optional.empty();
          }

          @Override
          public void connected() {
            for (UpstreamObserver o : calls) {
              o.connected();
            }
          }

          @Override
          public void responded(int status) {
            for (UpstreamObserver o : calls) {
              o.responded(status);
            }
          }

          @Override
          public void finished(@Nullable Throwable failure) {
            for (UpstreamObserver o : calls) {
              o.finished(failure);
            }
          }
        };
      }

      @Override
      public void finished(AccessLogEntry entry) {
        for (ExchangeObserver o : each) {
          o.finished(entry);
        }
      }
    };
  }

  @Override
  public void endpointHealthChanged(String group, String endpoint, boolean healthy) {
    for (GatewayObserver o : observers) {
      o.endpointHealthChanged(group, endpoint, healthy);
    }
  }

  @Override
  public void circuitStateChanged(String group, String state) {
    for (GatewayObserver o : observers) {
      o.circuitStateChanged(group, state);
    }
  }

  @Override
  public void configurationReloaded(ConfigurationStatus status, boolean applied) {
    for (GatewayObserver o : observers) {
      o.configurationReloaded(status, applied);
    }
  }

  @Override
  public void requestMirrored(String route, String outcome) {
    for (GatewayObserver o : observers) {
      o.requestMirrored(route, outcome);
    }
  }
}
