package dev.portico.gateway.internal;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.observe.ExchangeObserver;
import dev.portico.gateway.observe.ExchangeStart;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.observe.TraceContext;
import dev.portico.gateway.observe.UpstreamObserver;
import dev.portico.gateway.observe.UpstreamStart;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's {@link GatewayObserver}, made safe for the engine to call anywhere: what it throws
 * (or a null it returns) is logged once at WARN and otherwise ignored, so a broken metrics or
 * tracing setup never fails an exchange. Not public API.
 */
final class GuardedObserver implements GatewayObserver {
  private static final Logger LOG = LoggerFactory.getLogger(GuardedObserver.class);

  private final GatewayObserver observer;
  private final AtomicBoolean warned = new AtomicBoolean();

  private GuardedObserver(GatewayObserver observer) {
    this.observer = observer;
  }

  /** Returns {@code observer} guarded; {@link GatewayObserver#none()} stays itself (nothing to guard). */
  static GatewayObserver wrap(GatewayObserver observer) {
    return observer == GatewayObserver.none() || observer instanceof GuardedObserver ? observer : new GuardedObserver(observer);
  }

  private void failed(String what, RuntimeException e) {
    if (warned.compareAndSet(false, true)) {
      LOG.warn("observer {} failed in {} (further failures are logged at DEBUG): {}", observer.getClass().getName(), what,
          e.toString());
    } else if (LOG.isDebugEnabled()) {
      LOG.debug("observer failed in {}", what, e);
    }
  }

  private <T> T call(String what, Supplier<@Nullable T> call, T fallback) {
    try {
      T result = call.get();
      return result != null ? result : fallback;
    } catch (RuntimeException e) {
      failed(what, e);
      return fallback;
    }
  }

  private void run(String what, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      failed(what, e);
    }
  }

  @Override
  public ExchangeObserver exchangeStarted(ExchangeStart start) {
    ExchangeObserver exchange = call("exchangeStarted", () -> observer.exchangeStarted(start), ExchangeObserver.NONE);
    return exchange == ExchangeObserver.NONE ? exchange : new ExchangeObserver() {
      @Override
      public Optional<TraceContext> traceContext() {
        return call("traceContext", exchange::traceContext, Optional.empty());
      }

      @Override
      public void authenticationFailed(String reason) {
        run("authenticationFailed", () -> exchange.authenticationFailed(reason));
      }

      @Override
      public void rateLimitDecided(String limiter, RateLimitDecision.Kind decision) {
        run("rateLimitDecided", () -> exchange.rateLimitDecided(limiter, decision));
      }

      @Override
      public void cacheLookup(String result) {
        run("cacheLookup", () -> exchange.cacheLookup(result));
      }

      @Override
      public UpstreamObserver upstreamStarted(UpstreamStart upstream) {
        UpstreamObserver call = call("upstreamStarted", () -> exchange.upstreamStarted(upstream), UpstreamObserver.NONE);
        return call == UpstreamObserver.NONE ? call : new UpstreamObserver() {
          @Override
          public Optional<TraceContext> traceContext() {
            return GuardedObserver.this.call("traceContext", call::traceContext, Optional.empty());
          }

          @Override
          public void connected() {
            run("connected", call::connected);
          }

          @Override
          public void responded(int status) {
            run("responded", () -> call.responded(status));
          }

          @Override
          public void finished(@Nullable Throwable failure) {
            run("finished", () -> call.finished(failure));
          }
        };
      }

      @Override
      public void finished(AccessLogEntry entry) {
        run("finished", () -> exchange.finished(entry));
      }
    };
  }

  @Override
  public void endpointHealthChanged(String group, String endpoint, boolean healthy) {
    run("endpointHealthChanged", () -> observer.endpointHealthChanged(group, endpoint, healthy));
  }

  @Override
  public void circuitStateChanged(String group, String state) {
    run("circuitStateChanged", () -> observer.circuitStateChanged(group, state));
  }

  @Override
  public void cacheEvicted(String route) {
    run("cacheEvicted", () -> observer.cacheEvicted(route));
  }

  @Override
  public void requestMirrored(String route, String outcome) {
    run("requestMirrored", () -> observer.requestMirrored(route, outcome));
  }
}
