/**
 * Response caching: a route's {@link dev.portico.gateway.cache.CachePolicy} keeps the upstream's
 * cacheable GET responses in memory, by RFC 9111's rules for shared caches. The cache itself
 * (Caffeine) lives in {@code gateway-impl}.
 */
@NullMarked
package dev.portico.gateway.cache;

import org.jspecify.annotations.NullMarked;
