package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.testing.Await;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Active health checks against real backends: out of rotation on failing probes, back on passing ones. */
class HealthCheckTest {
  private final GroupHarness h = new GroupHarness();

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  private void start(boolean panic, FakeUpstream... backends) throws Exception {
    UpstreamGroup.Builder group = UpstreamGroup.builder("svc")
        .healthCheck(HealthCheck.builder(GroupHarness.HEALTH)
            .interval(Duration.ofMillis(50)).timeout(Duration.ofMillis(50))
            .unhealthyThreshold(2).healthyThreshold(2)
            .build())
        .outlierDetection(OutlierDetection.disabled())   // requests to a stopped endpoint would eject it too
        .panicMode(panic);
    for (FakeUpstream b : backends) {
      group.endpoint(b.uri());
    }
    h.start(Gateway.builder()
        .upstreamGroup(group.build())
        .route("svc", r -> r.path("/svc/**").upstreamGroup("svc"))
        .build());
  }

  @Test
  void anEndpointFailingItsProbesIsTakenOutAndPutBackWhenItRecovers() throws Exception {
    FakeUpstream a = h.backend("a");
    FakeUpstream b = h.backend("b");
    start(false, a, b);
    assertThat(h.tally("/svc/x", 4)).containsEntry("a", 2).containsEntry("b", 2);

    a.healthStatus(503);
    int probes = a.probeCount();
    Await.until("two failed probes of a", () -> a.probeCount() >= probes + 2);
    Await.until("a out of rotation", () -> a.probeCount() >= probes + 3 && h.tally("/svc/x", 4).equals(Map.of("b", 4)));
    int aRequests = a.requestCount();
    assertThat(h.tally("/svc/x", 10)).containsExactly(Map.entry("b", 10));
    assertThat(a.requestCount()).isEqualTo(aRequests);

    a.healthStatus(200);
    Await.until("a back in rotation", () -> h.tally("/svc/x", 4).getOrDefault("a", 0) == 2);
  }

  @Test
  void aStoppedEndpointFailsItsProbesAndComesBackAfterARestart() throws Exception {
    FakeUpstream a = h.backend("a");
    FakeUpstream b = h.backend("b");
    start(false, a, b);

    a.stop();
    Await.until("a out of rotation", () -> h.tally("/svc/x", 4).equals(Map.of("b", 4)));
    a.restart();

    Await.until("a back in rotation", () -> h.tally("/svc/x", 4).getOrDefault("a", 0) == 2);
  }

  @Test
  void everyEndpointUnhealthyAnswers503OrPanics() throws Exception {
    FakeUpstream a = h.backend("a").healthStatus(500);
    start(false, a);
    Await.until("a out of rotation", () -> h.get("/svc/x").getStatus() == 503);
    ContentResponse refused = h.get("/svc/x");
    GroupHarness.problem(refused, "no-healthy-upstream");
    h.close();

    GroupHarness panicking = new GroupHarness();
    try (panicking) {
      FakeUpstream p = panicking.backend("p").healthStatus(500);
      UpstreamGroup group = UpstreamGroup.builder("svc").endpoint(p.uri()).panicMode(true)
          .healthCheck(HealthCheck.builder(GroupHarness.HEALTH).interval(Duration.ofMillis(50))
              .timeout(Duration.ofMillis(50)).unhealthyThreshold(1).build())
          .build();
      panicking.start(Gateway.builder().upstreamGroup(group)
          .route("svc", r -> r.path("/svc/**").upstreamGroup("svc")).build());
      Await.until("probes failed", () -> p.probeCount() >= 3);

      assertThat(panicking.get("/svc/x").getContentAsString()).isEqualTo("p");
    }
  }
}
