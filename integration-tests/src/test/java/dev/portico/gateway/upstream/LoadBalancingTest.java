package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.testing.Await;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Balancing across real backends: shares by weight, least in flight, stickiness by key. */
class LoadBalancingTest {
  private final GroupHarness h = new GroupHarness();

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  private Gateway gateway(LoadBalancer balancer, FakeUpstream... backends) {
    UpstreamGroup.Builder group = UpstreamGroup.builder("svc").loadBalancer(balancer);
    for (int i = 0; i < backends.length; i++) {
      group.endpoint(backends[i].uri(), i + 1);
    }
    return Gateway.builder()
        .upstreamGroup(group.build())
        .route("svc", r -> r.path("/svc/**").upstreamGroup("svc"))
        .build();
  }

  @Test
  void roundRobinGivesEachEndpointExactlyItsWeightsShare() throws Exception {
    FakeUpstream a = h.backend("a");
    FakeUpstream b = h.backend("b");
    FakeUpstream c = h.backend("c");
    h.start(gateway(LoadBalancing.roundRobin(), a, b, c));   // weights 1, 2, 3

    Map<String, Integer> counts = h.tally("/svc/x", 600);

    // Smooth weighted round robin is exact over each window of 6 requests.
    assertThat(counts).containsEntry("a", 100).containsEntry("b", 200).containsEntry("c", 300);
  }

  @Test
  void randomFollowsTheWeightsWithinFourStandardDeviations() throws Exception {
    FakeUpstream a = h.backend("a");
    FakeUpstream b = h.backend("b");
    h.start(gateway(LoadBalancing.random(), a, b));   // weights 1, 2: b expects 2/3

    Map<String, Integer> counts = h.tally("/svc/x", 900);

    // Binomial(900, 2/3): sd ~ 14.1; 4 sd ~ 57 requests, 6.3 percentage points.
    assertThat(counts.getOrDefault("b", 0) / 900.0).isCloseTo(2 / 3.0, within(0.063));
    assertThat(counts.getOrDefault("a", 0) + counts.getOrDefault("b", 0)).isEqualTo(900);
  }

  @Test
  void leastRequestsSendsNothingMoreToAnEndpointThatIsStillBusy() throws Exception {
    assertBusyEndpointIsAvoided(LoadBalancing.leastRequests());
  }

  @Test
  void powerOfTwoChoicesAvoidsTheBusierOfTwo() throws Exception {
    assertBusyEndpointIsAvoided(LoadBalancing.powerOfTwoChoices());
  }

  private void assertBusyEndpointIsAvoided(LoadBalancer balancer) throws Exception {
    FakeUpstream slow = h.backend("slow").hold();
    FakeUpstream fast = h.backend("fast");
    List<dev.portico.gateway.AccessLogEntry> log = new java.util.concurrent.CopyOnWriteArrayList<>();
    h.start(Gateway.builder()
        .accessLog(log::add)   // written once the exchange has released its endpoint
        .upstreamGroup(UpstreamGroup.builder("svc").loadBalancer(balancer)
            .endpoint(slow.uri()).endpoint(fast.uri()).build())
        .route("svc", r -> r.path("/svc/**").upstreamGroup("svc"))
        .build());

    List<CompletableFuture<ContentResponse>> pending = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      int before = fast.requestCount();
      CompletableFuture<ContentResponse> f = new CompletableResponseListener(h.request("/svc/x")).send();
      // Each request either finishes at the fast backend or is held by the slow one.
      Await.until("request " + i + " answered or held", () -> f.isDone() || slow.inFlight() > pending.size());
      if (!f.isDone()) {
        pending.add(f);
      } else {
        assertThat(f.get().getContentAsString()).isEqualTo("fast");
        assertThat(fast.requestCount()).isEqualTo(before + 1);
        int answered = i + 1 - pending.size();
        Await.until("exchange " + i + " finished", () -> log.size() == answered);
      }
    }

    // Equal weights and the slow one holding a request: every later request prefers the idle one.
    assertThat(pending).hasSize(1);
    assertThat(fast.requestCount()).isEqualTo(19);
    slow.release();
    for (CompletableFuture<ContentResponse> f : pending) {
      assertThat(f.get().getStatus()).isEqualTo(200);
    }
  }

  @Test
  void consistentHashKeepsAKeyOnOneEndpointAndAddingOneOfFiveMovesAboutAFifth() throws Exception {
    FakeUpstream[] backends = {h.backend("a"), h.backend("b"), h.backend("c"), h.backend("d"), h.backend("e")};
    EndpointRegistry registry = EndpointRegistry.of(List.of(Endpoint.of(backends[0].uri()),
        Endpoint.of(backends[1].uri()), Endpoint.of(backends[2].uri()), Endpoint.of(backends[3].uri())));
    h.start(Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("svc")
            .endpoints(registry)
            .loadBalancer(LoadBalancing.consistentHash(HashKey.header("X-User")))
            .build())
        .route("svc", r -> r.path("/svc/**").upstreamGroup("svc"))
        .build());

    int keys = 300;
    Map<String, String> before = new HashMap<>();
    for (int k = 0; k < keys; k++) {
      String first = servedBy("user-" + k);
      assertThat(servedBy("user-" + k)).as("key %d twice", k).isEqualTo(first);
      before.put("user-" + k, first);
    }
    assertThat(new java.util.HashSet<>(before.values())).hasSize(4);

    List<Endpoint> five = new ArrayList<>(registry.endpoints());
    five.add(Endpoint.of(backends[4].uri()));
    registry.update(five);

    int moved = 0;
    for (int k = 0; k < keys; k++) {
      String now = servedBy("user-" + k);
      if (!now.equals(before.get("user-" + k))) {
        moved++;
        assertThat(now).as("a key that moves, moves to the new endpoint").isEqualTo("e");
      }
    }
    // Ideal: 1/5 of 300 = 60. The ring's points make the share vary a little: allow 35 to 90.
    assertThat(moved).isBetween(35, 90);
  }

  @Test
  void consistentHashWithoutAKeySpreadsRequests() throws Exception {
    FakeUpstream a = h.backend("a");
    FakeUpstream b = h.backend("b");
    h.start(gateway(LoadBalancing.consistentHash(HashKey.cookie("SESSION")), a, b));

    Map<String, Integer> counts = h.tally("/svc/x", 60);

    assertThat(counts.keySet()).containsExactlyInAnyOrder("a", "b");
  }

  private String servedBy(String user) throws Exception {
    ContentResponse r = h.request("/svc/x").headers(m -> m.put("X-User", user)).send();
    assertThat(r.getStatus()).isEqualTo(200);
    return r.getContentAsString();
  }
}
