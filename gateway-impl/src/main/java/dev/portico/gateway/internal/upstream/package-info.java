/**
 * Not public API. It may change in any release. The run-time side of upstream groups: per-endpoint
 * state (in-flight count, passive and active health), endpoint selection, health probes, retry
 * budgets and back-off, and the circuit-breaker seam.
 */
@NullMarked
package dev.portico.gateway.internal.upstream;

import org.jspecify.annotations.NullMarked;
