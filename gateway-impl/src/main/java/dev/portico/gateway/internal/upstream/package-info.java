/**
 * The run-time side of upstream groups: per-endpoint state (in-flight count, passive and active
 * health), endpoint selection, health probes, retry budgets and back-off, and the circuit-breaker
 * seam. Not public API: anything here may change in any release.
 */
@NullMarked
package dev.portico.gateway.internal.upstream;

import org.jspecify.annotations.NullMarked;
