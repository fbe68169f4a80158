package dev.portico.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.ratelimit.bucket4j.Refill;
import dev.portico.gateway.ratelimit.redis.RedisRateLimiter;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.testing.RedisServer;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Several gateway instances, each a Jetty server with its own Gateway and its own Redis client,
 * sharing budgets in one real redis-server; and what happens while that server is down and when it
 * comes back. The limiters are built the documented way, from a client, connecting on first use.
 */
class RedisSharedLimitTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private RedisServer redis;
  private FakeUpstream upstream;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    upstream = FakeUpstream.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    upstream.close();
    redis.close();
  }

  /**
   * One gateway instance: its own Lettuce client (replaying nothing on reconnect), its own Jetty server and
   * Gateway, whose limiters {@code gateway} builds with {@code RedisRateLimiter.builder(client, uri)}
   * and a connect timeout long enough for a cold, busy JVM, so that counts are exact from the first
   * request.
   */
  private GatewayServer instance(BiFunction<RedisClient, RedisURI, Gateway> gateway) throws Exception {
    ClientResources resources = ClientResources.builder().reconnectDelay(Delay.constant(Duration.ofMillis(50))).build();
    RedisClient client = RedisClient.create(resources);
    // Replay nothing on reconnect (rate-limiting.md): a decision on the wire when Redis is killed
    // would otherwise spend its token in the restarted Redis, and the counts below are exact.
    client.setOptions(ClientOptions.builder().replayFilter(command -> true).build());
    closeables.add(() -> resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS));
    closeables.add(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
    GatewayServer host = GatewayServer.builder().gateway(gateway.apply(client, RedisURI.create(redis.uri())))
        .permissiveUris(true).hostAnswer().start();
    closeables.add(host);
    return host;
  }

  private static ContentResponse get(GatewayServer host, String path) throws Exception {
    return host.client().newRequest(host.uri(path)).timeout(10, TimeUnit.SECONDS).send();
  }

  @Test
  void twoInstancesShareOneBudget() throws Exception {
    BiFunction<RedisClient, RedisURI, Gateway> gateway = (client, uri) -> Gateway.builder()
        .accessLog(entry -> { })
        .route("api", r -> r.path("/api/**").upstream(upstream.uri())
            .rateLimiter(RedisRateLimiter.builder(client, uri).name("shared")
                .bandwidth(100, Duration.ofMinutes(1)).refill(Refill.INTERVALLY)
                .keyResolver(KeyResolver.clientIp()).timeout(Duration.ofSeconds(2)).connectTimeout(Duration.ofSeconds(30))
                .build()))
        .build();
    GatewayServer[] instances = {instance(gateway), instance(gateway)};

    int allowed = 0;
    int rejected = 0;
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        GatewayServer host = instances[i % 2];
        statuses.add(clients.submit(() -> get(host, "/api/x").getStatus()));
      }
      for (Future<Integer> status : statuses) {
        int s = status.get(30, TimeUnit.SECONDS);
        if (s == 200) {
          allowed++;
        } else if (s == 429) {
          rejected++;
        }
      }
    } finally {
      clients.shutdownNow();
    }

    assertThat(allowed).as("allowed across both instances").isEqualTo(100);
    assertThat(rejected).isEqualTo(200);
  }

  @Test
  void whileRedisIsDownLimitsFailOpenOrClosedAndRecoverWhenItIsBack() throws Exception {
    RedisRateLimiter[] limiters = new RedisRateLimiter[2];
    GatewayServer host = instance((client, uri) -> {
      limiters[0] = RedisRateLimiter.builder(client, uri).name("open").bandwidth(3, Duration.ofMinutes(1))
          .keyResolver(KeyResolver.clientIp()).connectTimeout(Duration.ofSeconds(30))
          .failureMode(RedisRateLimiter.FailureMode.OPEN).build();
      limiters[1] = RedisRateLimiter.builder(client, uri).name("closed").bandwidth(3, Duration.ofMinutes(1))
          .keyResolver(KeyResolver.clientIp()).connectTimeout(Duration.ofSeconds(30))
          .failureMode(RedisRateLimiter.FailureMode.CLOSED).build();
      return Gateway.builder().accessLog(entry -> { })
          .route("open", r -> r.path("/open/**").upstream(upstream.uri()).rateLimiter(limiters[0]))
          .route("closed", r -> r.path("/closed/**").upstream(upstream.uri()).rateLimiter(limiters[1]))
          .build();
    });
    assertThat(get(host, "/open/x").getHeaders().get("RateLimit")).startsWith("\"open\";r=2;");
    assertThat(get(host, "/closed/x").getHeaders().get("RateLimit")).startsWith("\"closed\";r=2;");

    redis.kill();

    ContentResponse open = get(host, "/open/x");
    ContentResponse closed = get(host, "/closed/x");
    assertThat(open.getStatus()).as("fail open: allowed").isEqualTo(200);
    assertThat(open.getHeaders().get("RateLimit")).as("no quota to report").isNull();
    assertThat(closed.getStatus()).as("fail closed: refused").isEqualTo(503);
    assertThat(JSON.readTree(closed.getContentAsString()).get("type").asString())
        .isEqualTo("https://portico.dev/problems/rate-limit-unavailable");
    assertThat(closed.getHeaders().get(HttpHeader.RETRY_AFTER)).isNotNull();
    assertThat(limiters[0].failures()).isPositive();
    assertThat(limiters[1].failures()).isPositive();

    redis.restart();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    ContentResponse recovered;
    while ((recovered = get(host, "/closed/x")).getStatus() == 503 && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    assertThat(recovered.getStatus()).as("Redis answers again (it restarted empty)").isEqualTo(200);
    assertThat(recovered.getHeaders().get("RateLimit")).startsWith("\"closed\";r=2;");
    assertThat(get(host, "/closed/x").getStatus()).isEqualTo(200);
    assertThat(get(host, "/closed/x").getStatus()).isEqualTo(200);
    assertThat(get(host, "/closed/x").getStatus()).as("limits hold again").isEqualTo(429);
    // Each limiter has its own connection, which reconnects on its own time: poll the open one too.
    ContentResponse reopened;
    while ((reopened = get(host, "/open/x")).getHeaders().get("RateLimit") == null && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    assertThat(reopened.getHeaders().get("RateLimit")).as("fail open ends once Redis answers").startsWith("\"open\";r=2;");
  }
}
