/**
 * Upstream groups and what keeps them useful when a backend misbehaves: an
 * {@link dev.portico.gateway.upstream.UpstreamGroup} of weighted
 * {@link dev.portico.gateway.upstream.Endpoint}s, the
 * {@link dev.portico.gateway.upstream.LoadBalancer} that picks one per request (built-ins in
 * {@link dev.portico.gateway.upstream.LoadBalancing}), active
 * {@link dev.portico.gateway.upstream.HealthCheck}s, passive
 * {@link dev.portico.gateway.upstream.OutlierDetection}, the
 * {@link dev.portico.gateway.upstream.CircuitBreakerSettings} of a group, a route's
 * {@link dev.portico.gateway.upstream.RetryPolicy}, and the discovery seam
 * ({@link dev.portico.gateway.upstream.EndpointSource},
 * {@link dev.portico.gateway.upstream.EndpointRegistry}). Everything here is a value or a small SPI:
 * the engine in {@code gateway-impl} keeps the run-time state.
 */
@NullMarked
package dev.portico.gateway.upstream;

import org.jspecify.annotations.NullMarked;
