package dev.portico.gateway.config.internal;

import dev.portico.gateway.ratelimit.ConcurrencyLimit;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.ratelimit.RequestCost;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.ratelimit.bucket4j.LimitBuilder;
import dev.portico.gateway.ratelimit.bucket4j.MissingKey;
import dev.portico.gateway.ratelimit.bucket4j.Quota;
import dev.portico.gateway.ratelimit.bucket4j.Refill;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The keys of rate limiters (in memory and in Redis) and concurrency limits. Not public API. */
final class LimitModel {
  private LimitModel() {}

  static final Spec<Object[]> BANDWIDTH = Spec.<Object[]>of("bandwidth", "A number of requests per period.")
      .required("limit", Type.INTEGER, "Requests allowed per period.", (d, v) -> d[0] = v.longValue())
      .required("period", Type.DURATION, "The period.", (d, v) -> d[1] = v.duration());

  /** The options every limiter store shares, kept to be applied to the store's builder. */
  static final class LimiterDraft {
    final List<Consumer<LimitBuilder<?>>> shared = new ArrayList<>();
    final List<Consumer<Bucket4jRateLimiter.Builder>> memory = new ArrayList<>();
    String store = "memory";
    Value redis;
    RedisKeys redisKeys;
  }

  static final Spec<LimiterDraft> LIMITER = Spec.<LimiterDraft>of("limiter",
          "A named token-bucket rate limiter, in memory or in Redis; routes name it in rateLimiters.")
      .key("limit", Type.INTEGER, "Requests allowed per period (with period).", (d, v) -> { })
      .key("period", Type.DURATION, "The period (with limit).", (d, v) -> { })
      .key("bandwidths", Type.list(Type.object(BANDWIDTH)), "Several limits that must all allow (instead of limit and period).",
          (d, v) -> {
            for (Value item : v.items()) {
              Object[] b = new Object[2];
              item.bind(BANDWIDTH, b);
              d.shared.add(l -> l.bandwidth((Long) b[0], (Duration) b[1]));
            }
          })
      .required("key", Keys.KEY_TYPE, "What is limited, one bucket per value: " + Keys.KEY_DOC + ".",
          (d, v) -> {
            var key = Keys.resolver(v);
            d.shared.add(l -> l.keyResolver(key));
          })
      .key("refill", Type.oneWordOf("GREEDY", "INTERVALLY"), "INTERVALLY",
          "How tokens come back: INTERVALLY, the whole limit again each period from a caller's first request;"
              + " GREEDY, smoothed (100 per minute: one every 0.6 s).",
          (d, v) -> d.shared.add(l -> l.refill(Refill.valueOf(v.text()))))
      .key("initialTokens", Type.INTEGER, "Tokens a new bucket starts with.",
          (d, v) -> {
            long tokens = v.longValue();
            d.shared.add(l -> l.initialTokens(tokens));
          })
      .key("plans", Type.map(Type.object(BANDWIDTH)), "A limit per plan (the identity's plan), instead of the default.",
          (d, v) -> {
            for (var e : v.entries().entrySet()) {
              Object[] b = new Object[2];
              e.getValue().bind(BANDWIDTH, b);
              d.shared.add(l -> l.plan(e.getKey(), Quota.of((Long) b[0], (Duration) b[1])));
            }
          })
      .key("missingKey", Type.oneWordOf("ANONYMOUS", "REFUSE"), "ANONYMOUS", "What a request without the key gets.",
          (d, v) -> d.shared.add(l -> l.missingKey(MissingKey.valueOf(v.text()))))
      .key("costByBodySize", Type.INTEGER, "Charge one token per this many body bytes (instead of one per request).",
          (d, v) -> {
            long bytes = v.longValue();
            d.shared.add(l -> l.cost(RequestCost.byBodySize(bytes)));
          })
      .key("store", Type.oneWordOf("memory", "redis"), "memory", "Where the buckets live.", (d, v) -> d.store = v.text())
      .key("maxKeys", Type.INTEGER, "In memory: the most keys kept.", (d, v) -> d.memory.add(b -> b.maxKeys(v.integer())))
      .key("idleTimeout", Type.DURATION, "In memory: how long an unused key is kept.",
          (d, v) -> d.memory.add(b -> b.idleTimeout(v.duration())))
      .key("redis", Type.object(RedisKeys.SPEC), "In Redis: where, and what to do when it fails (store: redis).",
          (d, v) -> {
            d.redisKeys = new RedisKeys();
            v.bind(RedisKeys.SPEC, d.redisKeys);
            d.redis = v;
          });

  /** Builds the limiter {@code name}: the shared options, then the store's. */
  static RateLimiter limiter(String name, Value v) {
    LimiterDraft d = new LimiterDraft();
    v.bind(LIMITER, d);
    var limit = v.get("limit");
    var period = v.get("period");
    if (limit.isPresent() != period.isPresent()) {
      throw v.fail("limit and period go together");
    }
    List<Consumer<LimitBuilder<?>>> shared = new ArrayList<>();
    if (limit.isPresent()) {
      long l = limit.get().longValue();
      Duration p = period.get().duration();
      shared.add(b -> b.bandwidth(l, p));
    }
    shared.addAll(d.shared);
    if (d.store.equals("redis")) {
      if (d.redis == null) {
        throw v.fail("store: redis needs a redis: object with the server's uri");
      }
      if (!d.memory.isEmpty()) {
        throw v.fail("maxKeys and idleTimeout are for store: memory");
      }
      // A class of its own: Lettuce is loaded only for files that use Redis.
      return RedisModel.limiter(name, d.redis, d.redisKeys, shared);
    }
    if (d.redis != null) {
      throw v.fail("redis: is for store: redis");
    }
    Bucket4jRateLimiter.Builder b = Bucket4jRateLimiter.builder();
    b.name(name);
    shared.forEach(s -> s.accept(b));
    d.memory.forEach(s -> s.accept(b));
    try {
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw v.fail(e.getMessage());
    }
  }

  static final Spec<Object[]> QUEUE = Spec.<Object[]>of("queue", "Requests over the limit wait, up to a number and a time.")
      .required("maxQueued", Type.INTEGER, "Requests that may wait.", (d, v) -> d[0] = v.integer())
      .required("maxWait", Type.DURATION, "How long one may wait.", (d, v) -> d[1] = v.duration());

  static final Spec<ConcurrencyLimit[]> CONCURRENCY = Spec.<ConcurrencyLimit[]>of("concurrencyLimit",
          "How many of the route's requests may be in flight at once.")
      .required("maxInFlight", Type.INTEGER, "Requests in flight at once.", (c, v) -> c[0] = ConcurrencyLimit.of(v.integer()))
      .key("queue", Type.object(QUEUE), "no queue: refused at once", "Let requests over the limit wait.", (c, v) -> {
        Object[] q = new Object[2];
        v.bind(QUEUE, q);
        c[0] = c[0].queue((Integer) q[0], (Duration) q[1]);
      })
      .key("key", Keys.KEY_TYPE, "one limit for all", "Count per key: " + Keys.KEY_DOC + ".",
          (c, v) -> c[0] = c[0].perKey(Keys.resolver(v)));
}
