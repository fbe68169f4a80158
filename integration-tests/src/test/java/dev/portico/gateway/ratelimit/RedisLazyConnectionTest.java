package dev.portico.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.ratelimit.redis.RedisRateLimiter;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.TestExchange;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.RedisServer;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Redis limiter built from a Lettuce client connects on its first decision, not when it is
 * built: the gateway starts while Redis is down, answers by the failure mode without waiting, and
 * starts limiting once Redis answers.
 */
class RedisLazyConnectionTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private ClientResources resources;
  private RedisClient client;
  private FakeUpstream upstream;
  private GatewayServer host;
  private RedisServer redis;

  @BeforeEach
  void start() throws Exception {
    resources = ClientResources.builder().reconnectDelay(Delay.constant(Duration.ofMillis(50))).build();
    client = RedisClient.create(resources);
    upstream = FakeUpstream.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    upstream.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
    if (redis != null) {
      redis.close();
    }
  }

  private RedisRateLimiter.Builder limiter(int port, String name) {
    return RedisRateLimiter.builder(client, RedisURI.create("redis://127.0.0.1:" + port)).name(name)
        .bandwidth(3, Duration.ofMinutes(1)).keyResolver(KeyResolver.clientIp());
  }

  private ContentResponse get(String path) throws Exception {
    return host.client().newRequest(host.uri(path)).timeout(10, TimeUnit.SECONDS).send();
  }

  @Test
  void theGatewayStartsWhileRedisIsDownAnswersByTheFailureModeAndLimitsOnceRedisIsUp() throws Exception {
    int port = RedisServer.freePort();
    // A decision timeout far above what the answers below may take: they must not wait for it.
    RedisRateLimiter open = limiter(port, "open").timeout(Duration.ofSeconds(30)).build();
    RedisRateLimiter closed = limiter(port, "closed").timeout(Duration.ofSeconds(30))
        .failureMode(RedisRateLimiter.FailureMode.CLOSED).build();
    host = GatewayServer.builder().gateway(Gateway.builder().accessLog(entry -> { })
        .route("open", r -> r.path("/open/**").upstream(upstream.uri()).rateLimiter(open))
        .route("closed", r -> r.path("/closed/**").upstream(upstream.uri()).rateLimiter(closed))
        .build()).permissiveUris(true).hostAnswer().start();

    for (int i = 0; i < 5; i++) {
      long start = System.nanoTime();
      ContentResponse allowed = get("/open/x");
      ContentResponse refused = get("/closed/x");
      long took = System.nanoTime() - start;
      assertThat(allowed.getStatus()).as("fail open while Redis is down").isEqualTo(200);
      assertThat(allowed.getHeaders().get("RateLimit")).as("no quota to report").isNull();
      assertThat(refused.getStatus()).as("fail closed while Redis is down").isEqualTo(503);
      assertThat(JSON.readTree(refused.getContentAsString()).get("type").asString())
          .isEqualTo("https://portico.dev/problems/rate-limit-unavailable");
      assertThat(refused.getHeaders().get(HttpHeader.RETRY_AFTER)).isNotNull();
      assertThat(took).as("answered without waiting for the 30 s decision timeout")
          .isLessThan(TimeUnit.SECONDS.toNanos(10));
    }
    assertThat(open.failures()).isEqualTo(5);
    assertThat(closed.failures()).isEqualTo(5);

    redis = RedisServer.start(port);

    ContentResponse first = pollWhile503("/closed/x");
    assertThat(first.getStatus()).as("Redis is up: the limiter connected in the background").isEqualTo(200);
    assertThat(first.getHeaders().get("RateLimit")).startsWith("\"closed\";r=2;");
    assertThat(get("/closed/x").getStatus()).isEqualTo(200);
    assertThat(get("/closed/x").getStatus()).isEqualTo(200);
    assertThat(get("/closed/x").getStatus()).as("the limit holds").isEqualTo(429);
    Await.until("the open limiter reports its quota", () -> rateLimitHeader("/open/x") != null);
    assertThat(redis.command("DBSIZE")).as("the buckets are in Redis").isNotEqualTo(":0");
  }

  @Test
  void buildingConnectsNothingAndTheFirstDecisionConnectsAndDecides() throws Exception {
    redis = RedisServer.start();
    int before = clients();

    RedisRateLimiter limiter = limiter(redis.port(), "first").connectTimeout(Duration.ofSeconds(30)).build();
    assertThat(clients()).as("build() made no connection").isEqualTo(before);

    RateLimitDecision decision = limiter.acquire(TestExchange.on("api")).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(decision.isAllowed()).isTrue();
    assertThat(decision.policy()).as("decided by Redis, not by the failure mode").isNotEmpty();
    assertThat(limiter.failures()).isZero();
    assertThat(clients()).as("one connection, made by the first decision").isEqualTo(before + 1);

    limiter.close();
    Await.until("the limiter's connection is closed", () -> clients() == before);
    assertThat(limiter.acquire(TestExchange.on("api")).toCompletableFuture().get(5, TimeUnit.SECONDS).isAllowed())
        .as("closed: the failure mode (open) answers").isTrue();
    assertThat(limiter.failures()).isEqualTo(1);
  }

  @Test
  void aConnectAttemptThatHangsIsGivenUpAfterTheConnectTimeoutAndMadeAgain() throws Exception {
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());    // and never answer the handshake
          }
        } catch (IOException closed) {
          // the test is over
        }
      }, "silent-redis");
      acceptor.start();
      RedisRateLimiter limiter = limiter(silent.getLocalPort(), "silent").timeout(Duration.ofMillis(100))
          .connectTimeout(Duration.ofMillis(300)).failureMode(RedisRateLimiter.FailureMode.CLOSED).build();

      long start = System.nanoTime();
      RateLimitDecision first = limiter.acquire(TestExchange.on("api")).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(System.nanoTime() - start).as("the first decision waits for the connect timeout, not the handshake's 60 s")
          .isLessThan(TimeUnit.SECONDS.toNanos(10));
      assertThat(first.kind()).isEqualTo(RateLimitDecision.Kind.UNAVAILABLE);

      Await.until("a second attempt after the first was given up", () -> accepted.size() >= 2);
      RateLimitDecision later = limiter.acquire(TestExchange.on("api")).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(later.kind()).isEqualTo(RateLimitDecision.Kind.UNAVAILABLE);
      limiter.close();
    } finally {
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }

  @Test
  void decisionsWhileRedisIsAwayAreAnsweredAtOnceAndNotQueuedToSpendTokensLater() throws Exception {
    redis = RedisServer.start();
    // The client's default options: Lettuce would queue commands while it reconnects.
    RedisRateLimiter limiter = limiter(redis.port(), "away").timeout(Duration.ofSeconds(30))
        .connectTimeout(Duration.ofSeconds(30)).failureMode(RedisRateLimiter.FailureMode.CLOSED).build();
    assertThat(decide(limiter).policy()).as("connected and decided by Redis").isNotEmpty();

    CountDownLatch disconnected = new CountDownLatch(1);
    client.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        disconnected.countDown();
      }
    });
    redis.kill();
    assertThat(disconnected.await(10, TimeUnit.SECONDS)).as("Lettuce saw Redis go").isTrue();
    for (int i = 0; i < 5; i++) {
      long start = System.nanoTime();
      assertThat(decide(limiter).kind()).isEqualTo(RateLimitDecision.Kind.UNAVAILABLE);
      assertThat(System.nanoTime() - start).as("answered without waiting for the 30 s timeout")
          .isLessThan(TimeUnit.SECONDS.toNanos(10));
    }

    redis.restart();
    RateLimitDecision back = decide(limiter);
    for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        back.kind() == RateLimitDecision.Kind.UNAVAILABLE && System.nanoTime() - deadline < 0; ) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      back = decide(limiter);
    }
    assertThat(back.isAllowed()).as("Redis is back").isTrue();
    assertThat(back.remaining()).as("a fresh bucket: nothing queued while Redis was away spent it").isEqualTo(2);
  }

  private static RateLimitDecision decide(RateLimiter limiter) {
    try {
      return limiter.acquire(TestExchange.on("api")).toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private ContentResponse pollWhile503(String path) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    ContentResponse response;
    while ((response = get(path)).getStatus() == 503 && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    return response;
  }

  private String rateLimitHeader(String path) {
    try {
      return get(path).getHeaders().get("RateLimit");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The number of clients connected to Redis, this one included. */
  private int clients() {
    try {
      return (int) redis.command("CLIENT", "LIST").lines().filter(line -> !line.isBlank()).count();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
