/**
 * Rate limits, concurrency limits and the values they exchange with the engine: a
 * {@link dev.portico.gateway.ratelimit.RateLimiter} decides per request, a
 * {@link dev.portico.gateway.ratelimit.KeyResolver} says whose budget a request spends, a
 * {@link dev.portico.gateway.ratelimit.RequestCost} how much of it, and a
 * {@link dev.portico.gateway.ratelimit.RateLimitDecision} carries the answer. Token-bucket
 * limiters (in memory and in Redis) live in {@code gateway-impl}.
 */
@NullMarked
package dev.portico.gateway.ratelimit;

import org.jspecify.annotations.NullMarked;
