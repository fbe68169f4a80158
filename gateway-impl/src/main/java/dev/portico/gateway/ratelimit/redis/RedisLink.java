package dev.portico.gateway.ratelimit.redis;

import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis connection a {@link RedisRateLimiter} spends through: either one the host made and
 * gave it, or one it makes itself from a Lettuce client on its first decision.
 *
 * <p>{@link #buckets()} never waits, with one exception: the decisions that come during the first
 * connection attempt wait for it, which the connect timeout bounds. After that, while there is no
 * connection, it answers at once with a failed stage, and the attempts go on in the background
 * on the client's event executors, {@code ClientResources.reconnectDelay()} apart (the schedule
 * Lettuce reconnects a lost connection on), each given up after the connect timeout. Once
 * connected, Lettuce reconnects the connection by itself (its {@code autoReconnect}, on by
 * default); while it is not open, {@code buckets()} fails at once rather than let commands queue
 * for a Redis that is away.
 *
 * <p>Not public API.
 */
final class RedisLink implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);

  /** A connection, connected, and the limiter's buckets on it. */
  private record Connected(StatefulConnection<byte[], byte[]> connection,
      CompletableFuture<AsyncProxyManager<byte[]>> buckets) {}

  private final String name;
  private final @Nullable Supplier<CompletionStage<? extends StatefulConnection<byte[], byte[]>>> connector;
  private final Function<StatefulConnection<byte[], byte[]>, AsyncProxyManager<byte[]>> proxyManager;
  private final ClientResources resources;
  private final long connectTimeoutNanos;
  private final CompletableFuture<AsyncProxyManager<byte[]>> disconnected =
      CompletableFuture.failedFuture(new RedisUnavailable("disconnected from Redis; reconnecting"));

  private volatile @Nullable Connected connected;
  private volatile CompletableFuture<AsyncProxyManager<byte[]>> unavailable =
      CompletableFuture.failedFuture(new RedisUnavailable("not connected to Redis yet"));
  private volatile @Nullable CompletableFuture<AsyncProxyManager<byte[]>> firstAttempt;

  private final Object lock = new Object();
  private @Nullable Delay retryDelay;
  private @Nullable ScheduledFuture<?> retry;
  private int attempts;
  private boolean closed;

  private RedisLink(String name,
      @Nullable Supplier<CompletionStage<? extends StatefulConnection<byte[], byte[]>>> connector,
      Function<StatefulConnection<byte[], byte[]>, AsyncProxyManager<byte[]>> proxyManager,
      ClientResources resources, long connectTimeoutNanos) {
    this.name = name;
    this.connector = connector;
    this.proxyManager = proxyManager;
    this.resources = resources;
    this.connectTimeoutNanos = connectTimeoutNanos;
  }

  /** A link over {@code connection}, which the host made and closes. */
  static RedisLink given(String name, StatefulConnection<byte[], byte[]> connection,
      Function<StatefulConnection<byte[], byte[]>, AsyncProxyManager<byte[]>> proxyManager) {
    RedisLink link = new RedisLink(name, null, proxyManager, connection.getResources(), 0);
    link.connected = new Connected(connection, CompletableFuture.completedFuture(proxyManager.apply(connection)));
    return link;
  }

  /** A link that calls {@code connector} on the first decision, and again until it connects. */
  static RedisLink lazy(String name, Supplier<CompletionStage<? extends StatefulConnection<byte[], byte[]>>> connector,
      Function<StatefulConnection<byte[], byte[]>, AsyncProxyManager<byte[]>> proxyManager,
      ClientResources resources, long connectTimeoutNanos) {
    return new RedisLink(name, connector, proxyManager, resources, connectTimeoutNanos);
  }

  /**
   * Returns the buckets when connected; else a stage that fails (at once, or after the first
   * connection attempt) with {@link RedisUnavailable}. Never blocks.
   */
  CompletableFuture<AsyncProxyManager<byte[]>> buckets() {
    Connected c = connected;
    if (c != null) {
      return c.connection.isOpen() ? c.buckets : disconnected;
    }
    CompletableFuture<AsyncProxyManager<byte[]>> first = firstAttempt;
    if (first == null) {
      first = connectOnFirstUse();
    }
    if (!first.isDone()) {
      return first;     // the first decisions wait for the first attempt (within the connect timeout)
    }
    Connected now = connected;      // set before the first attempt completes; null again once closed
    return now != null ? now.buckets : unavailable;
  }

  /**
   * Sends PING over the connection (connecting first, as a decision would) and completes with the
   * round trip; fails with {@link RedisUnavailable} when not connected, or with a
   * {@code TimeoutException} when Redis does not answer within {@code timeoutNanos}.
   */
  CompletableFuture<Duration> ping(long timeoutNanos) {
    return buckets().thenCompose(ready -> {
      Connected c = connected;
      if (c == null || !c.connection.isOpen()) {
        return CompletableFuture.<Duration>failedFuture(new RedisUnavailable("disconnected from Redis"));
      }
      long start = System.nanoTime();
      RedisFuture<String> pong = c.connection instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster
          ? cluster.async().ping()
          : ((StatefulRedisConnection<byte[], byte[]>) c.connection).async().ping();
      return pong.toCompletableFuture()
          .thenApply(answer -> Duration.ofNanos(System.nanoTime() - start));
    }).orTimeout(timeoutNanos, TimeUnit.NANOSECONDS);
  }

  /** The executor decisions complete on: the client's computation threads, never its I/O threads. */
  Executor executor() {
    return resources.eventExecutorGroup();
  }

  /** Closes the connection this link made (never a given one) and stops connecting. */
  @Override
  public void close() {
    Connected c;
    synchronized (lock) {
      closed = true;
      if (retry != null) {
        retry.cancel(false);
      }
      c = connected;
    }
    unavailable = CompletableFuture.failedFuture(new RedisUnavailable("rate limiter closed"));
    connected = null;
    if (connector != null && c != null) {
      c.connection.closeAsync();
    }
  }

  private CompletableFuture<AsyncProxyManager<byte[]>> connectOnFirstUse() {
    CompletableFuture<AsyncProxyManager<byte[]>> first;
    synchronized (lock) {
      first = firstAttempt;
      if (first != null || connected != null || closed) {
        return first != null ? first : unavailable;
      }
      first = new CompletableFuture<>();
      firstAttempt = first;
    }
    // Not on the caller's thread: Lettuce's first connect sets up its event loops, which takes a while.
    try {
      resources.eventExecutorGroup().execute(this::attempt);
    } catch (RejectedExecutionException shutDown) {
      failed(shutDown);
    }
    return first;
  }

  private void attempt() {
    synchronized (lock) {
      if (closed || connector == null) {
        return;
      }
      retry = null;
      attempts++;
    }
    CompletableFuture<StatefulConnection<byte[], byte[]>> bounded = new CompletableFuture<>();
    try {
      connector.get().whenComplete((connection, failure) -> {
        if (failure != null) {
          bounded.completeExceptionally(failure);
        } else if (!bounded.complete(connection)) {
          connection.closeAsync();      // made after the connect timeout: that attempt was given up
        }
      });
    } catch (RuntimeException e) {
      bounded.completeExceptionally(e);
    }
    bounded.orTimeout(connectTimeoutNanos, TimeUnit.NANOSECONDS).whenComplete((connection, failure) -> {
      if (failure == null) {
        connected(connection);
      } else {
        failed(failure);
      }
    });
  }

  private void connected(StatefulConnection<byte[], byte[]> connection) {
    AsyncProxyManager<byte[]> buckets;
    synchronized (lock) {
      if (closed) {
        connection.closeAsync();
        return;
      }
      buckets = proxyManager.apply(connection);
      connected = new Connected(connection, CompletableFuture.completedFuture(buckets));
    }
    LOG.debug("rate limiter '{}': connected to Redis", name);
    CompletableFuture<AsyncProxyManager<byte[]>> first = firstAttempt;
    if (first != null) {
      first.complete(buckets);
    }
  }

  private void failed(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    String why = cause instanceof TimeoutException
        ? "no connection within " + TimeUnit.NANOSECONDS.toMillis(connectTimeoutNanos) + " ms"
        : cause.getMessage() != null ? cause.getMessage() : cause.toString();
    RedisUnavailable unavailableNow = new RedisUnavailable("not connected to Redis (" + why + ")");
    unavailable = CompletableFuture.failedFuture(unavailableNow);
    CompletableFuture<AsyncProxyManager<byte[]>> first = firstAttempt;
    if (first != null) {
      first.completeExceptionally(unavailableNow);
    }
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (retryDelay == null) {
        retryDelay = resources.reconnectDelay();
      }
      long delayNanos = Math.max(1, retryDelay.createDelay(attempts).toNanos());
      LOG.debug("rate limiter '{}': {}; trying again in {} ms", name, unavailableNow.getMessage(),
          TimeUnit.NANOSECONDS.toMillis(delayNanos));
      try {
        retry = resources.eventExecutorGroup().schedule(this::attempt, delayNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException shutDown) {
        LOG.debug("rate limiter '{}': the Redis client is shut down; not connecting again", name);
      }
    }
  }

  /** Why a decision could not reach Redis; carries no stack trace, it is an expected outcome. */
  static final class RedisUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RedisUnavailable(String message) {
      super(message, null, false, false);
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }
}
