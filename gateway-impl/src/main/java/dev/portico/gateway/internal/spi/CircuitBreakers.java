package dev.portico.gateway.internal.spi;

import dev.portico.gateway.internal.upstream.CircuitGuard;
import dev.portico.gateway.upstream.CircuitBreakerSettings;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Makes the {@link CircuitGuard} of an upstream group that has {@link CircuitBreakerSettings}.
 * The Resilience4j integration implements it; the engine gets it from
 * {@link Integrations#circuitBreakers()}. Not public API.
 */
public interface CircuitBreakers {

  /**
   * Returns a new circuit for the group {@code group}.
   *
   * @param nanoClock the clock the circuit measures its open time with
   * @param onState told each state the circuit moves to ({@code open}, {@code half-open}, {@code closed})
   */
  CircuitGuard create(String group, CircuitBreakerSettings settings, LongSupplier nanoClock, Consumer<String> onState);
}
