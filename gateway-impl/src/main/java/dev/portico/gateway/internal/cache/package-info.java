/**
 * Not public API. The engine's response cache (RFC 9111, shared-cache rules): the step that
 * answers from it and fills it, the parsing of {@code Cache-Control}, freshness and age, and the
 * seam ({@link dev.portico.gateway.internal.cache.CacheStore}) that the Caffeine integration
 * implements.
 */
@NullMarked
package dev.portico.gateway.internal.cache;

import org.jspecify.annotations.NullMarked;
