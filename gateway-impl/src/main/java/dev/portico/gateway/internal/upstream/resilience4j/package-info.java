/**
 * Not public API. It may change in any release. The group circuit breaker on Resilience4j: the only
 * package that imports it.
 */
@NullMarked
package dev.portico.gateway.internal.upstream.resilience4j;

import org.jspecify.annotations.NullMarked;
