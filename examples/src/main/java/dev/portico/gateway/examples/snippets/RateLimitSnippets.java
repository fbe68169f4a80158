package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.ratelimit.ConcurrencyLimit;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.RateLimitHeaders;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.ratelimit.RequestCost;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.ratelimit.bucket4j.MissingKey;
import dev.portico.gateway.ratelimit.bucket4j.Quota;
import dev.portico.gateway.ratelimit.bucket4j.Refill;
import dev.portico.gateway.ratelimit.redis.RedisRateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The rate-limiting page: limits, keys, plans, costs, headers, bulkheads, body sizes and Redis. */
final class RateLimitSnippets {
  private RateLimitSnippets() {}

  static Gateway perKey() {
    // tag::per-key[]
    Gateway gateway = Gateway.builder()
        .route("orders", r -> r
            .path("/api/orders/**")
            .upstream("http://orders:8080")
            // 100 requests per minute for each client IP address
            .rateLimiter(Bucket4jRateLimiter.perKey(100, Duration.ofMinutes(1), KeyResolver.clientIp())))
        .build();
    // end::per-key[]
    return gateway;
  }

  static RateLimiter bandwidths() {
    // tag::bandwidths[]
    RateLimiter limiter = Bucket4jRateLimiter.builder()
        .name("search")                           // the policy name clients see in RateLimit-Policy
        .bandwidth(10, Duration.ofSeconds(1))     // bursts of at most 10 per second
        .bandwidth(1_000, Duration.ofHours(1))    // and 1,000 per hour
        .refill(Refill.GREEDY)                    // smoothed: tokens come back continuously (default: per window)
        .initialTokens(5)                         // a new caller starts with 5, not a full burst
        .keyResolver(KeyResolver.clientIp())
        .build();
    // end::bandwidths[]
    return limiter;
  }

  static List<RateLimiter> refills() {
    // tag::refills[]
    // 5 per minute: at most 5 in each minute, counted from the caller's first request (the default)
    RateLimiter perWindow = Bucket4jRateLimiter.perKey(5, Duration.ofMinutes(1), KeyResolver.principal());

    // 5 per minute, smoothed: 5 at once, then one more every 12 seconds
    RateLimiter smoothed = Bucket4jRateLimiter.builder()
        .bandwidth(5, Duration.ofMinutes(1))
        .refill(Refill.GREEDY)
        .keyResolver(KeyResolver.principal())
        .build();
    // end::refills[]
    return List.of(perWindow, smoothed);
  }

  static List<KeyResolver> keys() {
    // tag::keys[]
    List<KeyResolver> keys = List.of(
        KeyResolver.clientIp(),                       // Exchange.clientIp(): forwarding headers only from trusted proxies
        KeyResolver.principal(),                      // the authenticated subject
        KeyResolver.apiKey("X-Api-Key"),              // a digest of the API key, never the key itself
        KeyResolver.plan(),                           // one bucket for everyone on the same plan
        KeyResolver.header("X-Tenant"),               // any request header
        KeyResolver.route(),                          // one bucket per route
        KeyResolver.constant("all"),                  // one bucket for everything
        KeyResolver.principal().orElse(KeyResolver.clientIp()),                  // fallback
        KeyResolver.composite(KeyResolver.header("X-Tenant"), KeyResolver.principal()),   // per tenant per user
        exchange -> exchange.request().headers().first("X-Device-Id"));         // custom
    // end::keys[]
    return keys;
  }

  static RateLimiter missingKey() {
    // tag::missing-key[]
    RateLimiter limiter = Bucket4jRateLimiter.builder()
        .bandwidth(60, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.apiKey("X-Api-Key"))
        .missingKey(MissingKey.REFUSE)            // no X-Api-Key: 403 (default: one shared anonymous bucket)
        .build();
    // end::missing-key[]
    return limiter;
  }

  static Gateway plans(Authenticator apiKeys) {
    // tag::plans[]
    Gateway gateway = Gateway.builder()
        .authenticator(apiKeys)                   // its identities carry a plan: Identity.plan()
        .route("api", r -> r
            .path("/api/**")
            .upstream("http://api:8080")
            .rateLimiter(Bucket4jRateLimiter.builder()
                .plan("free", Quota.of(60, Duration.ofMinutes(1)))
                .plan("pro", Quota.of(6_000, Duration.ofMinutes(1)))
                .bandwidth(10, Duration.ofMinutes(1))     // callers with no plan, or another one
                .keyResolver(KeyResolver.principal())
                .build()))
        .build();
    // end::plans[]
    return gateway;
  }

  static List<RateLimiter> costs() {
    // tag::costs[]
    RateLimiter uploads = Bucket4jRateLimiter.builder()
        .bandwidth(100, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.principal())
        .cost(RequestCost.byBodySize(64 * 1024))          // one token per started 64 KiB of body
        .build();
    RateLimiter searches = Bucket4jRateLimiter.builder()
        .bandwidth(100, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.principal())
        .cost(RequestCost.byRoute(Map.of("search", 5L), 1))   // a search costs 5, the rest 1
        .build();
    // end::costs[]
    return List.of(uploads, searches);
  }

  static Gateway gatewayWide() {
    // tag::gateway-wide[]
    Gateway gateway = Gateway.builder()
        // every route: 10,000 per minute in all, then 100 per minute per client IP
        .rateLimiter(Bucket4jRateLimiter.builder().name("total")
            .bandwidth(10_000, Duration.ofMinutes(1)).keyResolver(KeyResolver.constant("all")).build())
        .rateLimiter(Bucket4jRateLimiter.builder().name("per-ip")
            .bandwidth(100, Duration.ofMinutes(1)).keyResolver(KeyResolver.clientIp()).build())
        .rateLimitHeaders(RateLimitHeaders.IETF_AND_LEGACY)   // also X-RateLimit-Limit/Remaining/Reset
        .route("orders", r -> r.path("/api/orders/**").upstream("http://orders:8080"))
        .build();
    // end::gateway-wide[]
    return gateway;
  }

  static Gateway memoryBounds() {
    // tag::memory[]
    RateLimiter limiter = Bucket4jRateLimiter.builder()
        .bandwidth(100, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.clientIp())
        .maxKeys(50_000)                          // about 50,000 buckets at most (default 100,000)
        .idleTimeout(Duration.ofMinutes(1))       // drop buckets unused for a minute (default: longest period)
        .build();
    // end::memory[]
    return Gateway.builder().rateLimiter(limiter)
        .route("orders", r -> r.path("/api/orders/**").upstream("http://orders:8080")).build();
  }

  static Gateway bulkheadAndBodySize() {
    // tag::bulkhead[]
    Gateway gateway = Gateway.builder()
        .route("reports", r -> r
            .path("/api/reports/**")
            .upstream("http://reports:8080")
            // 8 at once; up to 50 more wait up to 2 s each; the rest get 503 at once
            .concurrencyLimit(ConcurrencyLimit.of(8).queue(50, Duration.ofSeconds(2))))
        .route("exports", r -> r
            .path("/api/exports/**")
            .upstream("http://reports:8080")
            // 2 at once per caller, no queue
            .concurrencyLimit(ConcurrencyLimit.of(2).perKey(KeyResolver.principal())))
        .route("uploads", r -> r
            .path("/api/uploads/**")
            .upstream("http://files:8080")
            .maxRequestBodySize(10 * 1024 * 1024))     // 10 MiB, else 413
        .build();
    // end::bulkhead[]
    return gateway;
  }

  static RateLimiter redis() {
    // tag::redis[]
    RedisClient redis = RedisClient.create();                // no I/O; shut it down when the host stops

    RateLimiter limiter = RedisRateLimiter.builder(redis, RedisURI.create("redis://localhost:6379"))
        .name("orders")
        .bandwidth(100, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.principal())
        .timeout(Duration.ofMillis(50))                      // default 100 ms
        .failureMode(RedisRateLimiter.FailureMode.CLOSED)    // 503 while Redis is out (default: OPEN)
        .build();                                            // connects on the first request, not here
    // end::redis[]
    return limiter;
  }

  static RateLimiter redisCluster() {
    // tag::redis-cluster[]
    RedisClusterClient cluster = RedisClusterClient.create(List.of(
        RedisURI.create("redis://redis-1:6379"), RedisURI.create("redis://redis-2:6379")));

    RateLimiter limiter = RedisRateLimiter.builder(cluster)
        .bandwidth(100, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.clientIp())
        .build();
    // end::redis-cluster[]
    return limiter;
  }
}
