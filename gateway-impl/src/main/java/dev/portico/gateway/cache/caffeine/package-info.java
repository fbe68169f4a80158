/**
 * The response cache's store on Caffeine ({@code com.github.ben-manes.caffeine:caffeine}, an
 * optional dependency of gateway-impl): loaded only when a route caches. Not public API.
 */
@NullMarked
package dev.portico.gateway.cache.caffeine;

import org.jspecify.annotations.NullMarked;
