/**
 * Token-bucket rate limits built on Bucket4j: {@link dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter}
 * keeps buckets in memory (bounded, idle buckets expire); the Redis limiter in
 * {@code dev.portico.gateway.ratelimit.redis} shares them between instances. Both are configured
 * the same way, through {@link dev.portico.gateway.ratelimit.bucket4j.LimitBuilder}. Bucket4j is
 * imported here (and, for its Lettuce proxy manager, in the Redis package) and nowhere else.
 */
@NullMarked
package dev.portico.gateway.ratelimit.bucket4j;

import org.jspecify.annotations.NullMarked;
