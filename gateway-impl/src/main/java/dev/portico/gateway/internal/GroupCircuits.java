package dev.portico.gateway.internal;

import dev.portico.gateway.internal.spi.Integrations;
import dev.portico.gateway.internal.upstream.CircuitGuard;
import dev.portico.gateway.upstream.CircuitBreakerSettings;
import java.util.function.Consumer;

/** The circuit of a group with a circuit breaker, from the integration behind the seam. Not public API. */
final class GroupCircuits {
  private GroupCircuits() {}

  /**
   * Returns a new circuit for {@code group}.
   *
   * @throws IllegalStateException naming the group and the artifact to add, when the circuit
   *     breaker's library is not on the class path
   */
  static CircuitGuard create(String group, CircuitBreakerSettings settings, Consumer<String> onState) {
    try {
      return Integrations.circuitBreakers().create(group, settings, System::nanoTime, onState);
    } catch (IllegalStateException e) {
      throw new IllegalStateException("upstream group '" + group + "': " + e.getMessage(), e);
    }
  }
}
