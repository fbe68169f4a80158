package dev.portico.gateway;

/**
 * What the gateway does with an upstream's 5xx response: set on the gateway
 * ({@code Gateway.Builder.upstreamErrors}) or on a route, which replaces the gateway's.
 *
 * <pre>{@code
 * Gateway.builder().upstreamErrors(UpstreamErrors.REPLACE)   // no stack traces from backends
 * }</pre>
 */
public enum UpstreamErrors {
  /** The upstream's response goes to the client as it is (the default). */
  PASS_THROUGH,
  /**
   * The client gets a 502 {@code upstream-error} problem instead, rendered like every other problem;
   * the upstream's body is discarded unread (its {@code Retry-After} is kept).
   */
  REPLACE
}
