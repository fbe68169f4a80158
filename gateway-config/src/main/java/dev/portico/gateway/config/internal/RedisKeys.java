package dev.portico.gateway.config.internal;

import java.time.Duration;

/**
 * The keys of a Redis limiter, kept as plain values so that describing and checking them loads no
 * Lettuce class; {@link RedisModel} applies them. Not public API.
 */
final class RedisKeys {
  String uri = "";
  Duration timeout;
  Duration connectTimeout;
  String failureMode;
  String keyPrefix;
  Duration keepAfterFull;

  static final Spec<RedisKeys> SPEC = Spec.<RedisKeys>of("redis", "A Redis server or Sentinel the buckets live in.")
      .required("uri", Type.STRING, "redis://host:6379, rediss://... or redis-sentinel://...", (d, v) -> d.uri = v.text())
      .key("timeout", Type.DURATION, "100ms", "How long a decision may wait for Redis.", (d, v) -> d.timeout = v.duration())
      .key("connectTimeout", Type.DURATION, "2s", "How long connecting may take.", (d, v) -> d.connectTimeout = v.duration())
      .key("failureMode", Type.oneWordOf("OPEN", "CLOSED"), "OPEN",
          "What requests get while Redis fails: OPEN lets them through, CLOSED answers 503.", (d, v) -> d.failureMode = v.text())
      .key("keyPrefix", Type.STRING, "portico:rl:", "Prefix of the Redis keys.", (d, v) -> d.keyPrefix = v.text())
      .key("keepAfterFull", Type.DURATION, "How long a full bucket is kept in Redis.", (d, v) -> d.keepAfterFull = v.duration());
}
