package dev.portico.gateway.upstream;

import static java.util.Objects.requireNonNull;

/**
 * The live state of one endpoint of a running gateway's upstream group, as the admin view shows it.
 *
 * @param group the group's name ({@code route:<id>} for a route's inline upstream)
 * @param endpoint the endpoint's address ({@code http://host:port})
 * @param healthy whether its health checks pass (always true without a health check)
 * @param ejected whether outlier detection has taken it out of rotation right now
 * @param circuit the group's circuit breaker state ({@code closed}, {@code open}, {@code half-open},
 *     ...), or {@code none} without one
 */
public record EndpointStatus(String group, String endpoint, boolean healthy, boolean ejected, String circuit) {

  /** Validates the components. */
  public EndpointStatus {
    requireNonNull(group, "group");
    requireNonNull(endpoint, "endpoint");
    requireNonNull(circuit, "circuit");
  }

  /** Returns whether the endpoint takes traffic: healthy and not ejected. */
  public boolean inRotation() {
    return healthy && !ejected;
  }
}
