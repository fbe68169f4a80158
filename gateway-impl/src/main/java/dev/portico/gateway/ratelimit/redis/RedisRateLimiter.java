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
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
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
 * <p>Build it from a Lettuce client: neither creating the client nor building the limiter
 * connects, so the gateway starts whether Redis is up or not.
 *
 * <pre>{@code
 * RedisClient redis = RedisClient.create();                        // no I/O
 * RateLimiter limiter = RedisRateLimiter.builder(redis, RedisURI.create("redis://localhost:6379"))
 *     .name("orders")
 *     .bandwidth(100, Duration.ofMinutes(1))
 *     .keyResolver(KeyResolver.principal())
 *     .timeout(Duration.ofMillis(50))
 *     .failureMode(RedisRateLimiter.FailureMode.CLOSED)
 *     .build();                                                    // no I/O either
 * }</pre>
 *
 * <p>The limiter connects on its first decision. The decisions that come while that first attempt
 * runs wait for it (without holding a thread), for at most the
 * {@linkplain Builder#connectTimeout(Duration) connect timeout}, 2 s by default. Once an attempt
 * has failed, every decision is answered at once by the {@linkplain FailureMode failure mode}
 * until a connection is made, and the limiter keeps trying in the background on the client's
 * threads, {@code ClientResources.reconnectDelay()} apart, each attempt given up after the connect
 * timeout. Once connected, Lettuce reconnects by itself when Redis goes away (keep the client's
 * {@code autoReconnect} option on, as it is by default); meanwhile, decisions are answered by the
 * failure mode at once (no command is queued for a Redis that is not there). The limiter
 * owns the connection it made: closing the limiter (the gateway does, when it stops or when a new
 * configuration no longer uses it) closes it; the client, and its threads, stay the host's to shut
 * down. Each limiter built from a client makes one connection. A limiter can also be built from a
 * connection the host made ({@link #builder(StatefulRedisConnection)}); that one must be connected
 * before the limiter exists, and the host closes it.
 *
 * <p>Each decision is one Bucket4j compare-and-swap on one Redis key (a read and a Lua script),
 * through Lettuce's asynchronous API only: no thread waits for Redis. Decisions complete on the
 * client's computation threads, never on its I/O threads. A Redis Cluster client works the same
 * way (each bucket is one key); Sentinel is a {@code RedisClient} with a sentinel URI. Bucket4j's
 * clock is this host's wall clock: keep the instances' clocks in sync (NTP).
 *
 * <p>When Redis does not answer within the timeout, fails, or is not connected, the limiter
 * {@linkplain FailureMode fails open or closed}, counts the failure ({@link #failures()}) and logs
 * a warning when it starts failing and a line when Redis answers again.
 */
public final class RedisRateLimiter implements RateLimiter, AutoCloseable {
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
  /** The default time a connection attempt may take before it is given up and tried again. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  /** The default prefix of the Redis keys. */
  public static final String DEFAULT_KEY_PREFIX = "portico:rl:";

  private final LimitDefinition definition;
  private final RedisLink link;
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
    this.link = b.link(definition.name());
    this.executor = link.executor();
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

  /**
   * Returns a builder for a limiter on a standalone Redis (or, with a {@code redis-sentinel://}
   * URI, the master Sentinel names) at {@code uri}, reached through {@code client}. Nothing
   * connects until the limiter's first decision.
   */
  public static Builder builder(RedisClient client, RedisURI uri) {
    requireNonNull(client, "client");
    requireNonNull(uri, "uri");
    return new Builder(client.getResources(), () -> client.connectAsync(ByteArrayCodec.INSTANCE, uri));
  }

  /**
   * Returns a builder for a limiter on the Redis Cluster {@code client} knows the seed nodes of.
   * Nothing connects until the limiter's first decision.
   */
  public static Builder builder(RedisClusterClient client) {
    requireNonNull(client, "client");
    // connectAsync, unlike connect, does not load the topology first: load it, without blocking.
    return new Builder(client.getResources(),
        () -> client.refreshPartitionsAsync().thenCompose(loaded -> client.connectAsync(ByteArrayCodec.INSTANCE)));
  }

  /**
   * Returns a builder for a limiter on a standalone (or Sentinel) Redis connection the host has
   * already made, and closes. Making it fails while Redis is down: to start without Redis, use
   * {@link #builder(RedisClient, RedisURI)}.
   */
  public static Builder builder(StatefulRedisConnection<byte[], byte[]> connection) {
    requireNonNull(connection, "connection");
    return new Builder(connection);
  }

  /**
   * Returns a builder for a limiter on a Redis Cluster connection the host has already made, and
   * closes. To start without Redis, use {@link #builder(RedisClusterClient)}.
   */
  public static Builder builder(StatefulRedisClusterConnection<byte[], byte[]> connection) {
    requireNonNull(connection, "connection");
    return new Builder(connection);
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
    long cost = target.cost();
    // The wait for the first connection (if this is one of the first decisions) is bounded by the
    // connect timeout; the decision in Redis by the decision timeout.
    CompletableFuture<RateLimitDecision> decision = link.buckets().thenCompose(buckets ->
        decide(buckets, slot, redisKey, cost).orTimeout(timeoutNanos, TimeUnit.NANOSECONDS));
    return decision.handleAsync((d, failure) -> failure == null ? succeeded(d) : failed(failure, exchange), executor);
  }

  private CompletableFuture<RateLimitDecision> decide(AsyncProxyManager<byte[]> buckets, int slot, byte[] redisKey,
      long cost) {
    AsyncBucketProxy bucket = buckets.builder().build(redisKey, configurations[slot]);   // a throw fails the stage
    if (definition.hasSeveralBandwidths(slot)) {
      return bucket.asVerbose().tryConsumeAndReturnRemaining(cost).thenApply(verbose ->
          definition.decide(slot, verbose.getValue(), verbose.getDiagnostics().getAvailableTokensPerEachBandwidth()));
    }
    return bucket.tryConsumeAndReturnRemaining(cost).thenApply(
        (ConsumptionProbe probe) -> definition.decide(slot, probe, null));
  }

  /**
   * Returns how many decisions Redis could not make (timeouts, failures, no connection) since the
   * limiter was built.
   */
  public long failures() {
    return failures.sum();
  }

  /**
   * Sends Redis a {@code PING} over the limiter's connection and completes with the round trip, or
   * fails: not connected (the reason is the message), or no answer within {@code timeout}. A
   * limiter that has not connected yet connects first, as its first decision would (within the
   * connect timeout, and {@code timeout} in all). For health checks, not for every request: each
   * call is one command. Never blocks; completes on the client's threads.
   *
   * <pre>{@code
   * boolean reachable = limiter.ping(Duration.ofSeconds(1)).toCompletableFuture()
   *     .handle((roundTrip, failure) -> failure == null).join();
   * }</pre>
   */
  public CompletionStage<Duration> ping(Duration timeout) {
    requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
    return link.ping(timeout.toNanos());
  }

  @Override
  public String name() {
    return definition.name();
  }

  /**
   * Closes the connection the limiter made, if it made one, and stops connecting; a connection
   * the host gave it stays open, unused. Decisions after this are answered by the failure mode.
   */
  @Override
  public void close() {
    link.close();
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
    private final @Nullable ClientResources resources;
    private final @Nullable Supplier<CompletionStage<? extends StatefulConnection<byte[], byte[]>>> connector;
    private final @Nullable StatefulConnection<byte[], byte[]> connection;
    private Duration timeout = DEFAULT_TIMEOUT;
    private @Nullable Duration connectTimeout;
    private FailureMode failureMode = FailureMode.OPEN;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private @Nullable Duration keepAfterFull;

    Builder(ClientResources resources, Supplier<CompletionStage<? extends StatefulConnection<byte[], byte[]>>> connector) {
      this.resources = resources;
      this.connector = connector;
      this.connection = null;
    }

    Builder(StatefulConnection<byte[], byte[]> connection) {
      this.resources = null;
      this.connector = null;
      this.connection = connection;
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

    /**
     * Sets how long one attempt to connect may take (default 2 s) before it is given up and, after
     * the client's reconnect delay, made again. Only the decisions that come during the first
     * attempt wait for it; later ones never wait for a connection. Only for a limiter built from a
     * client.
     */
    public Builder connectTimeout(Duration connectTimeout) {
      requireNonNull(connectTimeout, "connectTimeout");
      if (connectTimeout.isNegative() || connectTimeout.isZero()) {
        throw new IllegalArgumentException("connectTimeout: " + connectTimeout + " (expected: > 0)");
      }
      this.connectTimeout = connectTimeout;
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

    private RedisLink link(String name) {
      if (connection != null) {
        return RedisLink.given(name, connection, this::proxyManager);
      }
      Duration attemptTimeout = connectTimeout != null ? connectTimeout : DEFAULT_CONNECT_TIMEOUT;
      return RedisLink.lazy(name, requireNonNull(connector), this::proxyManager, requireNonNull(resources),
          attemptTimeout.toNanos());
    }

    private AsyncProxyManager<byte[]> proxyManager(StatefulConnection<byte[], byte[]> made) {
      Bucket4jLettuce.LettuceBasedProxyManagerBuilder<byte[]> builder =
          made instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster
              ? Bucket4jLettuce.casBasedBuilder(cluster)
              : Bucket4jLettuce.casBasedBuilder((StatefulRedisConnection<byte[], byte[]>) made);
      return builder
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
      LimitDefinition definition = definition();
      if (connection != null && connectTimeout != null) {
        throw new IllegalStateException("rate limiter '" + definition.name()
            + "': connectTimeout is for a limiter built from a client; this one was given a connection");
      }
      return new RedisRateLimiter(this, definition);
    }
  }
}
