package dev.portico.gateway.config.internal;

import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.ratelimit.bucket4j.LimitBuilder;
import dev.portico.gateway.ratelimit.redis.RedisRateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.util.List;
import java.util.function.Consumer;

/**
 * Makes a Redis limiter from {@link RedisKeys}: the one class of the reader that refers to Lettuce,
 * loaded only for a file with {@code store: redis}. Not public API.
 */
final class RedisModel {
  private RedisModel() {}

  static RateLimiter limiter(String name, Value at, RedisKeys keys, List<Consumer<LimitBuilder<?>>> shared) {
    RedisURI uri;
    try {
      uri = RedisURI.create(keys.uri);
    } catch (RuntimeException e) {
      throw at.fail("uri: '" + keys.uri + "' is not a Redis URI (" + e.getMessage() + ")");
    }
    RedisRateLimiter.Builder b = RedisRateLimiter.builder(RedisClient.create(), uri);
    b.name(name);
    shared.forEach(s -> s.accept(b));
    if (keys.timeout != null) {
      b.timeout(keys.timeout);
    }
    if (keys.connectTimeout != null) {
      b.connectTimeout(keys.connectTimeout);
    }
    if (keys.failureMode != null) {
      b.failureMode(RedisRateLimiter.FailureMode.valueOf(keys.failureMode));
    }
    if (keys.keyPrefix != null) {
      b.keyPrefix(keys.keyPrefix);
    }
    if (keys.keepAfterFull != null) {
      b.keepAfterFull(keys.keepAfterFull);
    }
    try {
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw at.fail(e.getMessage());
    }
  }
}
