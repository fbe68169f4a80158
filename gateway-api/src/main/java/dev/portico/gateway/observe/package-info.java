/**
 * What an operator sees of a running gateway, as values and small SPIs with no library behind
 * them: the W3C {@link dev.portico.gateway.observe.TraceContext} the engine accepts and
 * propagates, and the {@link dev.portico.gateway.observe.GatewayObserver} the engine tells about
 * each exchange (start, authentication and rate-limit outcomes, upstream calls, end). Metrics with
 * Micrometer and spans with OpenTelemetry are observers in {@code gateway-impl}.
 */
@NullMarked
package dev.portico.gateway.observe;

import org.jspecify.annotations.NullMarked;
