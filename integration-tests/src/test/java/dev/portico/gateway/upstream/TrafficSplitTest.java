package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.testing.Mounting;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.io.Content;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Traffic splits between two real upstreams (each answers its name), end to end: shares by weight,
 * header and cookie rules, sticky keys across restarts and weight changes, and weight changes by
 * {@code reconfigure} under load.
 */
class TrafficSplitTest {
  private FakeUpstream v1;
  private FakeUpstream v2;
  private Mounting.Running host;
  private GatewayServer server;

  @BeforeEach
  void startUpstreams() throws Exception {
    v1 = named("v1");
    v2 = named("v2");
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    if (server != null) {
      server.close();
    }
    v1.close();
    v2.close();
  }

  private static FakeUpstream named(String name) throws Exception {
    return FakeUpstream.start().respondWith((received, request, response, callback) ->
        Content.Sink.write(response, true, name, callback));
  }

  private Gateway gateway(java.util.function.Consumer<TrafficSplit.Builder> split) {
    return Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("v1").endpoint(v1.uri()).build())
        .upstreamGroup(UpstreamGroup.builder("v2").endpoint(v2.uri()).build())
        .route("orders", r -> r.path("/orders/**").split(split))
        .build();
  }

  private Request get(String path) {
    return host.client().newRequest(host.uri(path)).timeout(10, TimeUnit.SECONDS);
  }

  /**
   * 1,000 requests at 90/10: the canary's count is Binomial(1000, 0.1), mean 100 and standard
   * deviation sqrt(1000 * 0.1 * 0.9) = 9.49. The test accepts 100 +/- 47 (about 5 standard
   * deviations), which a correct split misses with probability below 1e-6; a split that ignored
   * the weights (500) or inverted them (900) cannot pass.
   */
  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void sharesTrafficByWeightWithinTheBinomialTolerance(Mounting mounting) throws Exception {
    host = mounting.start(gateway(s -> s.to("v1", 90).to("v2", 10)));

    for (int i = 0; i < 1000; i++) {
      assertThat(get("/orders/" + i).send().getStatus()).isEqualTo(200);
    }

    assertThat(v1.requestCount() + v2.requestCount()).isEqualTo(1000);
    assertThat(v2.requestCount()).isBetween(53, 147);
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void aHeaderOrCookieRuleSendsTheRequestToItsSideWhateverTheWeights(Mounting mounting) throws Exception {
    host = mounting.start(gateway(s -> s.to("v1", 100).to("v2", 0)
        .whenHeader("X-Canary", "on", "v2").whenCookie("canary", "yes", "v2")));

    for (int i = 0; i < 20; i++) {
      assertThat(get("/orders/h" + i).headers(h -> h.put("x-canary", "on")).send().getContentAsString()).isEqualTo("v2");
      assertThat(get("/orders/c" + i).headers(h -> h.put("Cookie", "theme=dark; canary=yes")).send()
          .getContentAsString()).isEqualTo("v2");
      // Other values, and the cookie's value in a header of its name, are not the rule.
      assertThat(get("/orders/o" + i).headers(h -> h.put("X-Canary", "On").put("canary", "yes")
          .put("Cookie", "canary=no")).send().getContentAsString()).isEqualTo("v1");
    }
    assertThat(v2.requestCount()).isEqualTo(40);
    assertThat(v1.requestCount()).isEqualTo(20);
  }

  /** Sides of 200 users, by the X-User header, three requests each. */
  private Map<String, String> sides(int users) throws Exception {
    Map<String, String> sides = new HashMap<>();
    for (int u = 0; u < users; u++) {
      String user = "user-" + u;
      for (int i = 0; i < 3; i++) {
        String side = get("/orders/" + i).headers(h -> h.put("X-User", user)).send().getContentAsString();
        String before = sides.putIfAbsent(user, side);
        assertThat(before == null || before.equals(side)).as(user + " stays on " + before).isTrue();
      }
    }
    return sides;
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void aStickyKeyStaysOnItsSideAcrossRestartsAndMovesOnlyTowardsAGrownSide(Mounting mounting) throws Exception {
    host = mounting.start(gateway(s -> s.to("v1", 50).to("v2", 50).stickyBy(HashKey.header("X-User"))));
    Map<String, String> first = sides(200);
    assertThat(first.values()).contains("v1", "v2");

    // Another gateway with the same weights: every user on the same side.
    host.close();
    host = mounting.start(gateway(s -> s.to("v1", 50).to("v2", 50).stickyBy(HashKey.header("X-User"))));
    assertThat(sides(200)).isEqualTo(first);

    // v2 grows to 2/3: users move only from v1 to v2, never back.
    host.close();
    host = mounting.start(gateway(s -> s.to("v1", 50).to("v2", 100).stickyBy(HashKey.header("X-User"))));
    Map<String, String> grown = sides(200);
    first.forEach((user, side) -> {
      if (side.equals("v2")) {
        assertThat(grown.get(user)).as(user).isEqualTo("v2");
      }
    });
    long moved = first.keySet().stream().filter(u -> !first.get(u).equals(grown.get(u))).count();
    assertThat(moved).as("users moved to v2").isPositive();
  }

  @Test
  void weightsChangeByReconfigurationUnderLoadWithoutALostRequest() throws Exception {
    server = GatewayServer.builder().gateway(gateway(s -> s.to("v1", 100).to("v2", 0))).start();
    JettyGatewayHandler handler = server.handler();
    int clients = 4;
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong answered = new AtomicLong();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<?>> loops = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int client = c;
      loops.add(pool.submit(() -> {
        for (int i = 0; !done.get() && System.nanoTime() < deadline; i++) {
          String path = "/orders/" + client + "-" + i;
          try {
            ContentResponse response = server.client().newRequest(server.uri(path)).timeout(10, TimeUnit.SECONDS).send();
            String body = response.getContentAsString();
            if (response.getStatus() != 200 || !(body.equals("v1") || body.equals("v2"))) {
              failures.add(path + " -> " + response.getStatus() + " " + body);
            }
            answered.incrementAndGet();
          } catch (Exception e) {
            failures.add(path + ": " + e);
          }
        }
      }));
    }
    // 50 weight changes, 0/100 to 100/0 and back, with requests through each configuration.
    for (int step = 1; step <= 50 && System.nanoTime() < deadline; step++) {
      long seen = answered.get();
      while (answered.get() < seen + clients && System.nanoTime() < deadline) {
        LockSupport.parkNanos(100_000);
      }
      int canary = step % 2 == 0 ? 0 : 100;
      handler.reconfigure(gateway(s -> s.to("v1", 100 - canary).to("v2", canary)));
    }
    done.set(true);
    for (Future<?> loop : loops) {
      loop.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();

    assertThat(failures).as("failed requests").isEmpty();
    assertThat(answered.get()).isGreaterThanOrEqualTo(50L * clients);
    assertThat(v1.requestCount() + v2.requestCount()).isEqualTo(answered.get());
    assertThat(v1.requestCount()).isPositive();
    assertThat(v2.requestCount()).isPositive();
  }

  @Test
  void explainAndTheAdminViewSayWhichSideAndWhy() throws Exception {
    server = GatewayServer.start(gateway(s -> s.to("v1", 90).to("v2", 10).whenHeader("X-Canary", "on", "v2")
        .stickyBy(HashKey.header("X-User"))));

    var ruled = server.handler().explain("GET", "/orders/1", HttpHeaders.builder().add("X-Canary", "on").build());
    assertThat(ruled.upstreamUri()).hasValue("upstream-group:v2/orders/1");
    assertThat(ruled.policies()).containsExactly("split: v2 (header X-Canary=on)", "proxy");

    var weighted = server.handler().explain("GET", "/orders/1", HttpHeaders.empty());
    assertThat(weighted.policies()).containsExactly("split: sticky by key, else by weight v1=90, v2=10", "proxy");

    Map<String, Object> route = dev.portico.gateway.admin.AdminView.of(server.handler()).routes().get(0);
    assertThat(route.get("split").toString())
        .isEqualTo("{weights={v1=90, v2=10}, rules=[header X-Canary=on -> v2], sticky=true}");
  }
}
