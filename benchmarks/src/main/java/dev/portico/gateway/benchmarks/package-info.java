/**
 * JMH micro-benchmarks of the hot path and the JVM targets of the load test. Not public API.
 */
@NullMarked
package dev.portico.gateway.benchmarks;

import org.jspecify.annotations.NullMarked;
