package dev.portico.gateway.upstream.resilience4j;

import dev.portico.gateway.internal.spi.CircuitBreakers;
import dev.portico.gateway.internal.upstream.CircuitGuard;
import dev.portico.gateway.upstream.CircuitBreakerSettings;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Plugs {@link Resilience4jCircuit} into the engine's upstream groups: the engine loads it by name
 * ({@code Integrations.circuitBreakers()}) once Resilience4j is known to be on the class path.
 */
final class Resilience4jIntegration implements CircuitBreakers {

  @Override
  public CircuitGuard create(String group, CircuitBreakerSettings settings, LongSupplier nanoClock,
      Consumer<String> onState) {
    return Resilience4jCircuit.create(group, settings, nanoClock, onState);
  }
}
