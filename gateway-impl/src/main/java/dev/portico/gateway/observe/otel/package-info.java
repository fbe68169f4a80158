/**
 * Spans with OpenTelemetry: {@link dev.portico.gateway.observe.otel.OpenTelemetryTracing} is a
 * {@link dev.portico.gateway.observe.GatewayObserver} that makes a server span per exchange and a
 * client span per upstream call with a host's {@code OpenTelemetry}. The only package that imports
 * the OpenTelemetry API, an optional dependency.
 */
@NullMarked
package dev.portico.gateway.observe.otel;

import org.jspecify.annotations.NullMarked;
