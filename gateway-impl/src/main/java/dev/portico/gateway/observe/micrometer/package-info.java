/**
 * Metrics with Micrometer: {@link dev.portico.gateway.observe.micrometer.MicrometerMetrics} is a
 * {@link dev.portico.gateway.observe.GatewayObserver} that records requests, upstream calls, rate
 * limits, authentication failures, endpoint health and circuit states in a host's
 * {@code MeterRegistry}. The only package that imports Micrometer, an optional dependency.
 */
@NullMarked
package dev.portico.gateway.observe.micrometer;

import org.jspecify.annotations.NullMarked;
