/**
 * Metrics with Micrometer: {@link dev.portico.gateway.observe.micrometer.MicrometerMetrics} is a
 * {@link dev.portico.gateway.observe.GatewayObserver} that records requests, upstream calls, rate
 * limits, authentication failures, endpoint health and circuit states in a host's
 * {@code MeterRegistry}; {@link dev.portico.gateway.observe.micrometer.MicrometerObservation} makes an
 * observation per exchange and per upstream call in a host's {@code ObservationRegistry}, for its
 * tracing and other handlers. The only package that imports Micrometer, an optional dependency.
 */
@NullMarked
package dev.portico.gateway.observe.micrometer;

import org.jspecify.annotations.NullMarked;
