package dev.portico.gateway.ratelimit.redis;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.ratelimit.bucket4j.LimitBuilder;
import dev.portico.gateway.ratelimit.bucket4j.LimitDefinition;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A token-bucket rate limiter whose buckets live in Redis, so every gateway instance spends from
 * the same budget: with 100 per minute and two instances, 100 requests pass in all, not 200.
 * Configured like {@link dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter} (see
 * {@link LimitBuilder}), plus a timeout and what to do when Redis cannot answer.
 *
 * <pre>{@code
 * RedisClient redis = RedisClient.create("redis://localhost:6379");
 * redis.setOptions(ClientOptions.builder()
 *     .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)   // fail fast while down
 *     .build());
 * StatefulRedisConnection<byte[], byte[]> connection = redis.connect(ByteArrayCodec.INSTANCE);
 *
 * RateLimiter limiter = RedisRateLimiter.builder(connection)
 *     .name("orders")
 *     .bandwidth(100, Duration.ofMinutes(1))
 *     .keyResolver(KeyResolver.principal())
 *     .timeout(Duration.ofMillis(50))
 *     .failureMode(RedisRateLimiter.FailureMode.CLOSED)
 *     .build();
 * }</pre>
 *
 * <p>Each decision is one Bucket4j compare-and-swap on one Redis key (a read and a Lua script),
 * through Lettuce's asynchronous API only: no thread waits for Redis. Decisions complete on the
 * connection's computation threads, never on its I/O threads. A Redis Cluster connection works
 * the same way (each bucket is one key); Sentinel is a {@code RedisClient} with a sentinel URI.
 * Bucket4j's clock is this host's wall clock: keep the instances' clocks in sync (NTP).
 *
 * <p>When Redis does not answer within the {@linkplain Builder#timeout(Duration) timeout}, or
 * fails, the limiter {@linkplain FailureMode fails open or closed}, counts the failure
 * ({@link #failures()}) and logs a warning when it starts failing and when it recovers. The
 * connection's own reconnection brings it back.
 */
public final class RedisRateLimiter implements RateLimiter {
  private static final Logger LOG = LoggerFactory.getLogger(RedisRateLimiter.class);

  /** What the limiter answers when Redis cannot. */
  public enum FailureMode {
    /** Allow the request, without quota headers; protect availability. The default. */
    OPEN,
    /** Refuse the request with 503 ({@link dev.portico.gateway.ProblemType#RATE_LIMIT_UNAVAILABLE}); protect the backend. */
    CLOSED
  }

  /** The default time Redis has to answer. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);
  /** The default prefix of the Redis keys. */
  public static final String DEFAULT_KEY_PREFIX = "portico:rl:";

  private final LimitDefinition definition;
  private final AsyncProxyManager<byte[]> buckets;
  private final Executor executor;
  private final long timeoutNanos;
  private final FailureMode failureMode;
  private final String[] slotPrefixes;
  private final Supplier<CompletableFuture<BucketConfiguration>>[] configurations;
  private final LongAdder failures = new LongAdder();
  private volatile boolean failing;

  @SuppressWarnings("unchecked")
  private RedisRateLimiter(Builder b, LimitDefinition definition) {
    this.definition = definition;
    this.buckets = b.proxyManager();
    this.executor = b.connection.getResources().eventExecutorGroup();
    this.timeoutNanos = b.timeout.toNanos();
    this.failureMode = b.failureMode;
    int slots = definition.slotCount();
    this.slotPrefixes = new String[slots];
    this.configurations = new Supplier[slots];
    for (int i = 0; i < slots; i++) {
      slotPrefixes[i] = b.keyPrefix + definition.name() + ":" + definition.slotLabel(i) + ":";
      if (definition.hasQuota(i)) {
        CompletableFuture<BucketConfiguration> configuration = CompletableFuture.completedFuture(definition.configuration(i));
        configurations[i] = () -> configuration;
      }
    }
  }

  /** Returns a builder for a limiter on a standalone (or Sentinel) Redis connection. */
  public static Builder builder(StatefulRedisConnection<byte[], byte[]> connection) {
    requireNonNull(connection, "connection");
    return new Builder(connection, () -> Bucket4jLettuce.casBasedBuilder(connection));
  }

  /** Returns a builder for a limiter on a Redis Cluster connection. */
  public static Builder builder(StatefulRedisClusterConnection<byte[], byte[]> connection) {
    requireNonNull(connection, "connection");
    return new Builder(connection, () -> Bucket4jLettuce.casBasedBuilder(connection));
  }

  @Override
  public CompletionStage<RateLimitDecision> acquire(Exchange exchange) {
    LimitDefinition.Target target = definition.target(exchange);
    RateLimitDecision answer = target.answer();
    if (answer != null) {
      return CompletableFuture.completedFuture(answer);
    }
    int slot = target.slot();
    String key = target.key();
    byte[] redisKey = (slotPrefixes[slot] + (key == null ? "anonymous" : "k:" + key)).getBytes(StandardCharsets.UTF_8);
    CompletableFuture<RateLimitDecision> decision;
    try {
      AsyncBucketProxy bucket = buckets.builder().build(redisKey, configurations[slot]);
      if (definition.hasSeveralBandwidths(slot)) {
        decision = bucket.asVerbose().tryConsumeAndReturnRemaining(target.cost()).thenApply(verbose ->
            definition.decide(slot, verbose.getValue(), verbose.getDiagnostics().getAvailableTokensPerEachBandwidth()));
      } else {
        decision = bucket.tryConsumeAndReturnRemaining(target.cost()).thenApply(
            (ConsumptionProbe probe) -> definition.decide(slot, probe, null));
      }
    } catch (RuntimeException e) {
      decision = CompletableFuture.failedFuture(e);
    }
    return decision.orTimeout(timeoutNanos, TimeUnit.NANOSECONDS)
        .handleAsync((d, failure) -> failure == null ? succeeded(d) : failed(failure, exchange), executor);
  }

  /** Returns how many decisions Redis could not make (timeouts and failures) since the limiter was built. */
  public long failures() {
    return failures.sum();
  }

  @Override
  public String name() {
    return definition.name();
  }

  @Override
  public String toString() {
    return "RedisRateLimiter{" + definition.name() + ", fail " + failureMode + "}";
  }

  private RateLimitDecision succeeded(RateLimitDecision decision) {
    if (failing) {
      failing = false;
      LOG.info("rate limiter '{}': Redis answers again", definition.name());
    }
    return decision;
  }

  private RateLimitDecision failed(Throwable failure, Exchange exchange) {
    failures.increment();
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    String what = cause instanceof TimeoutException
        ? "no answer within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms" : cause.toString();
    if (!failing) {
      failing = true;
      LOG.warn("rate limiter '{}': Redis failed ({}); failing {} until it answers again", definition.name(), what,
          failureMode == FailureMode.OPEN ? "open (allowing requests)" : "closed (answering 503)");
    } else if (LOG.isDebugEnabled()) {
      LOG.debug("{} rate limiter '{}': Redis failed ({})", exchange.requestId(), definition.name(), what);
    }
    return failureMode == FailureMode.OPEN
        ? RateLimitDecision.allowed()
        : RateLimitDecision.unavailable("Rate limits cannot be checked right now.");
  }

  /** Builds a {@link RedisRateLimiter}; see {@link LimitBuilder} for the limit itself. */
  public static final class Builder extends LimitBuilder<Builder> {
    private final StatefulConnection<byte[], byte[]> connection;
    private final Supplier<Bucket4jLettuce.LettuceBasedProxyManagerBuilder<byte[]>> proxyManagerBuilder;
    private Duration timeout = DEFAULT_TIMEOUT;
    private FailureMode failureMode = FailureMode.OPEN;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private @Nullable Duration keepAfterFull;

    Builder(StatefulConnection<byte[], byte[]> connection,
        Supplier<Bucket4jLettuce.LettuceBasedProxyManagerBuilder<byte[]>> proxyManagerBuilder) {
      this.connection = connection;
      this.proxyManagerBuilder = proxyManagerBuilder;
    }

    /** Sets how long Redis has to answer a decision (default 100 ms); past it, the failure mode answers. */
    public Builder timeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
      }
      this.timeout = timeout;
      return this;
    }

    /** Sets what the limiter answers when Redis cannot (default {@link FailureMode#OPEN}). */
    public Builder failureMode(FailureMode failureMode) {
      this.failureMode = requireNonNull(failureMode, "failureMode");
      return this;
    }

    /** Sets the prefix of the limiter's Redis keys (default {@code portico:rl:}). */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = requireNonNull(keyPrefix, "keyPrefix");
      return this;
    }

    /**
     * Keeps a bucket's key in Redis for {@code keepAfterFull} after the bucket would be full again
     * (default 1 s); until then Redis expires it, so idle keys cost nothing.
     */
    public Builder keepAfterFull(Duration keepAfterFull) {
      requireNonNull(keepAfterFull, "keepAfterFull");
      if (keepAfterFull.isNegative()) {
        throw new IllegalArgumentException("keepAfterFull: " + keepAfterFull + " (expected: >= 0)");
      }
      this.keepAfterFull = keepAfterFull;
      return this;
    }

    private AsyncProxyManager<byte[]> proxyManager() {
      return proxyManagerBuilder.get()
          .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
              keepAfterFull != null ? keepAfterFull : Duration.ofSeconds(1)))
          .build()
          .asAsync();
    }

    /**
     * Returns the limiter. Does no I/O: the first decision talks to Redis.
     *
     * @throws IllegalStateException naming the limiter and the field
     */
    public RedisRateLimiter build() {
      return new RedisRateLimiter(this, definition());
    }
  }
}
