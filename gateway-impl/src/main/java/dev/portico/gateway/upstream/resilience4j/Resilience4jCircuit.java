package dev.portico.gateway.upstream.resilience4j;

import dev.portico.gateway.internal.upstream.CircuitGuard;
import dev.portico.gateway.upstream.CircuitBreakerSettings;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group's {@link CircuitGuard} on a Resilience4j {@link CircuitBreaker} with a count-based
 * sliding window. Remembers when the circuit last opened, to answer {@code Retry-After}.
 */
final class Resilience4jCircuit implements CircuitGuard {
  private static final Logger LOG = LoggerFactory.getLogger(Resilience4jCircuit.class);

  private final CircuitBreaker breaker;
  private final Duration wait;
  private final LongSupplier nanoClock;
  private volatile long openedAt;

  private Resilience4jCircuit(String group, CircuitBreakerSettings settings, LongSupplier nanoClock,
      java.util.function.Consumer<String> onState) {
    CircuitBreakerConfig config = CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(settings.slidingWindowSize())
        .minimumNumberOfCalls(settings.minimumCalls())
        .failureRateThreshold(settings.failureRateThreshold())
        .slowCallRateThreshold(settings.slowCallRateThreshold())
        .slowCallDurationThreshold(settings.slowCallDuration())
        .waitDurationInOpenState(settings.waitInOpenState())
        .permittedNumberOfCallsInHalfOpenState(settings.permittedCallsInHalfOpenState())
        .build();
    this.breaker = CircuitBreaker.of(group, config);
    this.wait = settings.waitInOpenState();
    this.nanoClock = nanoClock;
    breaker.getEventPublisher().onStateTransition(event -> {
      if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
        openedAt = nanoClock.getAsLong();
      }
      LOG.info("upstream group '{}': circuit {}", group, event.getStateTransition());
      try {
        onState.accept(stateName(event.getStateTransition().getToState()));
      } catch (RuntimeException e) {
        LOG.warn("upstream group '{}': circuit listener failed: {}", group, e.toString());
      }
    });
  }

  /** Returns a circuit for {@code group} with {@code settings} that reports its state changes to {@code onState}. */
  static CircuitGuard create(String group, CircuitBreakerSettings settings, LongSupplier nanoClock,
      java.util.function.Consumer<String> onState) {
    return new Resilience4jCircuit(group, settings, nanoClock, onState);
  }

  @Override
  public String state() {
    return stateName(breaker.getState());
  }

  /** The operators' name of a breaker state: {@code closed}, {@code open}, {@code half-open}, ... */
  private static String stateName(CircuitBreaker.State state) {
    return state.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  @Override
  public boolean tryAcquire() {
    return breaker.tryAcquirePermission();
  }

  @Override
  public void onResult(long nanos, boolean failure) {
    if (failure) {
      breaker.onError(nanos, TimeUnit.NANOSECONDS, UpstreamFailed.INSTANCE);
    } else {
      breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void release() {
    breaker.releasePermission();
  }

  @Override
  public Duration retryAfter() {
    if (breaker.getState() != CircuitBreaker.State.OPEN) {
      return Duration.ofSeconds(1);   // half-open with every probe taken: soon
    }
    long left = wait.toNanos() - (nanoClock.getAsLong() - openedAt);
    long seconds = Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
    return Duration.ofSeconds(seconds);
  }

  /** What a failed call is recorded as: a 5xx, or no answer. */
  private static final class UpstreamFailed extends RuntimeException {
    static final UpstreamFailed INSTANCE = new UpstreamFailed();

    private UpstreamFailed() {
      super("upstream failed", null, false, false);
    }
  }
}
