package dev.portico.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.ratelimit.bucket4j.Refill;
import dev.portico.gateway.ratelimit.redis.RedisRateLimiter;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.testing.RedisCluster;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two gateway instances sharing budgets in a three-node Redis Cluster started from the same redis-server binary. */
class RedisClusterRateLimitTest {
  private RedisCluster cluster;
  private FakeUpstream upstream;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    cluster = RedisCluster.start();
    upstream = FakeUpstream.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private GatewayServer instance() throws Exception {
    RedisClusterClient client = RedisClusterClient.create(cluster.uris().stream().map(RedisURI::create).toList());
    closeables.add(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
    GatewayServer host = GatewayServer.builder().gateway(Gateway.builder().accessLog(entry -> { })
        .route("api", r -> r.path("/api/**").upstream(upstream.uri())
            .rateLimiter(RedisRateLimiter.builder(client).name("cluster")
                .bandwidth(40, Duration.ofMinutes(1)).refill(Refill.INTERVALLY)
                .keyResolver(KeyResolver.header("X-Tenant")).timeout(Duration.ofSeconds(2))
                // exact counts from the first request: wait for the first connection however long it takes
                .connectTimeout(Duration.ofSeconds(30)).build()))
        .build()).permissiveUris(true).hostAnswer().start();
    closeables.add(host);
    return host;
  }

  @Test
  void twoInstancesShareBudgetsSpreadOverTheClusterNodes() throws Exception {
    GatewayServer[] instances = {instance(), instance()};
    String[] tenants = oneTenantPerNode();
    Map<String, AtomicInteger> allowed = new ConcurrentHashMap<>();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        GatewayServer host = instances[i % 2];
        String tenant = tenants[(i / 2) % tenants.length];
        done.add(clients.submit(() -> {
          int status = host.client().newRequest(host.uri("/api/x")).headers(h -> h.add("X-Tenant", tenant))
              .timeout(10, TimeUnit.SECONDS).send().getStatus();
          if (status == 200) {
            allowed.computeIfAbsent(tenant, t -> new AtomicInteger()).incrementAndGet();
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
    }

    for (String tenant : tenants) {
      assertThat(allowed.get(tenant)).as("tenant %s, %d requests over two instances", tenant, 300 / tenants.length)
          .hasValue(40);
    }
    assertThat(cluster.keysPerNode()).as("every node holds a bucket").allSatisfy(n -> assertThat(n).isPositive());
  }

  /** Tenant names whose bucket keys hash to the three masters' slot ranges (0-5460, 5461-10922, 10923-16383). */
  private String[] oneTenantPerNode() throws Exception {
    String[] tenants = new String[3];
    for (int i = 0; tenants[0] == null || tenants[1] == null || tenants[2] == null; i++) {
      String tenant = "tenant-" + i;
      int slot = Integer.parseInt(cluster.command("CLUSTER", "KEYSLOT", "portico:rl:cluster::k:h:x-tenant:" + tenant).substring(1));
      int node = slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2;
      if (tenants[node] == null) {
        tenants[node] = tenant;
      }
    }
    return tenants;
  }
}
