/**
 * Spring Cloud Gateway as a target of the load test ({@code benchmarks/run.sh}). Not public API.
 */
@NullMarked
package dev.portico.gateway.benchmarks.scg;

import org.jspecify.annotations.NullMarked;
