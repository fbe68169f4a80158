/**
 * Rate limits shared by every gateway instance, kept in Redis (standalone, Sentinel or Cluster)
 * through Bucket4j's Lettuce proxy manager: {@link dev.portico.gateway.ratelimit.redis.RedisRateLimiter}.
 * Lettuce is imported here and nowhere else; it is an optional dependency of {@code gateway-impl},
 * so a host that uses this package adds {@code io.lettuce:lettuce-core} and
 * {@code com.bucket4j:bucket4j_jdk17-lettuce} itself.
 */
@NullMarked
package dev.portico.gateway.ratelimit.redis;

import org.jspecify.annotations.NullMarked;
