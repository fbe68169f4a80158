/**
 * Upstream group circuit breakers on Resilience4j, plugged into the engine through its
 * {@code CircuitBreakers} seam: the only package that imports Resilience4j, which gateway-impl
 * declares optional (a host whose groups have a circuit breaker adds
 * {@code io.github.resilience4j:resilience4j-circuitbreaker}). No public types.
 */
@NullMarked
package dev.portico.gateway.upstream.resilience4j;

import org.jspecify.annotations.NullMarked;
