package dev.portico.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.ratelimit.bucket4j.LimitBuilder;
import dev.portico.gateway.ratelimit.redis.RedisRateLimiter;
import dev.portico.gateway.testing.RedisServer;
import dev.portico.gateway.test.TestExchange;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis limiter against a real redis-server: the shared contract, plus timeouts and keys. */
class RedisRateLimiterTest extends RateLimiterContractTest {
  private static RedisServer redis;
  private static ClientResources resources;
  private static RedisClient client;
  private static StatefulRedisConnection<byte[], byte[]> connection;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start();
    resources = ClientResources.builder().reconnectDelay(Delay.constant(Duration.ofMillis(50))).build();
    client = RedisClient.create(resources, RedisURI.create(redis.uri()));
    client.setOptions(ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
    connection = client.connect(ByteArrayCodec.INSTANCE);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (connection != null) {
      connection.close();
    }
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (resources != null) {
      resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Override
  protected RateLimiter limiter(Consumer<LimitBuilder<?>> spec) {
    RedisRateLimiter.Builder builder = RedisRateLimiter.builder(connection).timeout(Duration.ofSeconds(2));
    spec.accept(builder);
    return builder.build();
  }

  @Test
  void storesBucketsUnderPrefixedKeysThatExpire() throws Exception {
    String name = uniqueName();
    RateLimiter limiter = RedisRateLimiter.builder(connection).name(name).bandwidth(5, Duration.ofSeconds(30))
        .keyResolver(KeyResolver.clientIp()).build();

    decide(limiter, TestExchange.on("api").from("10.1.2.3"));

    String key = "portico:rl:" + name + "::k:ip:10.1.2.3";
    assertThat(redis.command("EXISTS", key)).isEqualTo(":1");
    long ttlMillis = Long.parseLong(redis.command("PTTL", key).substring(1));
    assertThat(ttlMillis).as("expires once the bucket would be full again").isPositive().isLessThanOrEqualTo(31_000);
  }

  @Test
  void apiKeysAreStoredAsDigestsNeverAsThemselves() throws Exception {
    String name = uniqueName();
    RateLimiter limiter = RedisRateLimiter.builder(connection).name(name).bandwidth(5, Duration.ofSeconds(30))
        .keyResolver(KeyResolver.apiKey("X-Api-Key")).build();

    decide(limiter, TestExchange.on("api").header("X-Api-Key", "sk_live_secret"));

    String keys = redis.command("KEYS", "portico:rl:" + name + "*");
    assertThat(keys).isNotEmpty();
    assertThat(redis.command("EVAL", "return table.concat(redis.call('KEYS', ARGV[1]), ' ')", "0",
        "portico:rl:" + name + "*")).contains(":k:key:").doesNotContain("sk_live_secret");
  }

  @Test
  void aRedisThatDoesNotAnswerInTimeFailsOpenOrClosedWithoutBlocking() throws Exception {
    RedisRateLimiter open = RedisRateLimiter.builder(connection).name(uniqueName()).bandwidth(5, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.clientIp()).timeout(Duration.ofMillis(100)).build();
    RedisRateLimiter closed = RedisRateLimiter.builder(connection).name(uniqueName()).bandwidth(5, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.clientIp()).timeout(Duration.ofMillis(100))
        .failureMode(RedisRateLimiter.FailureMode.CLOSED).build();
    decide(open, TestExchange.on("api"));
    decide(closed, TestExchange.on("api"));

    redis.command("CLIENT", "PAUSE", "1500", "ALL");
    long start = System.nanoTime();
    var openStage = open.acquire(TestExchange.on("api"));
    var closedStage = closed.acquire(TestExchange.on("api"));
    long returnedAfter = System.nanoTime() - start;
    RateLimitDecision openDecision = openStage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    RateLimitDecision closedDecision = closedStage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    long decidedAfter = System.nanoTime() - start;

    assertThat(returnedAfter).as("acquire() returns without waiting for Redis").isLessThan(TimeUnit.MILLISECONDS.toNanos(50));
    assertThat(decidedAfter).as("decided by the timeout, not by Redis").isLessThan(TimeUnit.MILLISECONDS.toNanos(1_000));
    assertThat(openDecision.isAllowed()).isTrue();
    assertThat(openDecision.policy()).as("no quota is reported while Redis is out").isEmpty();
    assertThat(closedDecision.kind()).isEqualTo(RateLimitDecision.Kind.UNAVAILABLE);
    assertThat(open.failures()).isEqualTo(1);
    assertThat(closed.failures()).isEqualTo(1);
    redis.command("CLIENT", "UNPAUSE");
  }

  @Test
  void aConnectTimeoutOnALimiterGivenAConnectionIsRefusedAtBuild() {
    RedisRateLimiter.Builder builder = RedisRateLimiter.builder(connection).name("given")
        .bandwidth(5, Duration.ofMinutes(1)).keyResolver(KeyResolver.clientIp()).connectTimeout(Duration.ofSeconds(1));

    assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
        .hasMessage("rate limiter 'given': connectTimeout is for a limiter built from a client; this one was given a connection");
  }
}
