package dev.portico.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.ratelimit.redis.RedisRateLimiter;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RedisRateLimiter#ping}: what a health check asks a Redis-backed limiter, bounded by its timeout. */
class RedisPingTest {
  private ClientResources resources;
  private RedisClient client;
  private RedisServer redis;
  private RedisRateLimiter limiter;

  @BeforeEach
  void start() throws Exception {
    resources = ClientResources.builder().reconnectDelay(Delay.constant(Duration.ofMillis(50))).build();
    client = RedisClient.create(resources);
    redis = RedisServer.start();
    limiter = RedisRateLimiter.builder(client, RedisURI.create(redis.uri())).name("pinged")
        .bandwidth(3, Duration.ofMinutes(1)).keyResolver(KeyResolver.clientIp())
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterEach
  void stop() throws Exception {
    limiter.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
    redis.close();
  }

  private CompletableFuture<Duration> ping() {
    return limiter.ping(Duration.ofSeconds(1)).toCompletableFuture();
  }

  /** The first ping connects; a cold JVM's first Lettuce connection (its event loops) can take seconds. */
  private Duration firstPing() throws Exception {
    return limiter.ping(Duration.ofSeconds(10)).toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  @Test
  void connectsOnTheFirstPingAndAnswersWithTheRoundTrip() throws Exception {
    Duration roundTrip = firstPing();

    assertThat(roundTrip).isPositive().isLessThan(Duration.ofSeconds(1));
    assertThat(ping().get(5, TimeUnit.SECONDS)).isPositive();
  }

  @Test
  void failsWithinItsTimeoutWhileRedisIsAwayAndAnswersAgainOnceLettuceReconnected() throws Exception {
    firstPing();
    redis.kill();

    long start = System.nanoTime();
    assertThatThrownBy(() -> ping().get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));

    redis.restart();
    Await.until("a ping answered after the restart", Duration.ofSeconds(10),
        () -> ping().handle((roundTrip, failure) -> failure == null).join());
  }

  @Test
  void refusesATimeoutThatIsNotPositive() {
    assertThatThrownBy(() -> limiter.ping(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout: PT0S (expected: > 0)");
  }
}
