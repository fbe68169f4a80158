package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Passive health through real hops: ejection, the ejection cap, 503 when none is left, panic mode. */
class OutlierDetectionTest {
  private final GroupHarness h = new GroupHarness();

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  @Test
  void anEndpointKilledMidTestIsEjectedAndIdempotentTrafficSeesNoErrors() throws Exception {
    FakeUpstream a = h.backend("a");
    FakeUpstream b = h.backend("b");
    FakeUpstream c = h.backend("c");
    h.start(Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("svc")
            .endpoint(a.uri()).endpoint(b.uri()).endpoint(c.uri())
            .outlierDetection(OutlierDetection.builder()
                .consecutiveFailures(2).baseEjectionTime(Duration.ofMinutes(1)).build())
            .build())
        .route("svc", r -> r.path("/svc/**").upstreamGroup("svc").retry(RetryPolicy.defaults()))
        .build());
    assertThat(h.tally("/svc/x", 30)).containsOnlyKeys("a", "b", "c");

    b.stop();
    Map<String, Integer> during = h.tally("/svc/x", 60);

    assertThat(during).as("every request answered 200 by a live endpoint").containsOnlyKeys("a", "c");
    assertThat(during.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(60);
    // Ejected for a minute: back on its port, it still gets nothing.
    b.restart();
    int before = b.requestCount();
    assertThat(h.tally("/svc/x", 20)).containsOnlyKeys("a", "c");
    assertThat(b.requestCount()).isEqualTo(before);
  }

  @Test
  void killingAnEndpointUnderConcurrentLoadLosesNoIdempotentRequest() throws Exception {
    FakeUpstream a = h.backend("a", Duration.ofMillis(5));
    FakeUpstream b = h.backend("b", Duration.ofMillis(5));
    FakeUpstream c = h.backend("c", Duration.ofMillis(5));
    h.start(Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("svc").endpoint(a.uri()).endpoint(b.uri()).endpoint(c.uri()).build())
        .route("svc", r -> r.path("/svc/**").upstreamGroup("svc").retry(RetryPolicy.defaults()))
        .build());

    List<CompletableFuture<ContentResponse>> all = new ArrayList<>();
    for (int wave = 0; wave < 20; wave++) {
      List<CompletableFuture<ContentResponse>> inFlight = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        inFlight.add(new CompletableResponseListener(h.request("/svc/x")).send());
      }
      if (wave == 5) {
        b.stop();   // requests of this wave may be on b right now
      }
      for (CompletableFuture<ContentResponse> f : inFlight) {
        f.get(10, TimeUnit.SECONDS);
      }
      all.addAll(inFlight);
    }

    assertThat(all).hasSize(160).allSatisfy(f -> assertThat(f.get().getStatus()).isEqualTo(200));
  }

  @Test
  void neverEjectsMoreThanTheConfiguredShare() throws Exception {
    FakeUpstream a = h.backend("a").failWith(500);
    FakeUpstream b = h.backend("b").failWith(500);
    h.start(Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("svc").endpoint(a.uri()).endpoint(b.uri())
            .outlierDetection(OutlierDetection.builder().consecutiveFailures(1).build())   // at most 50 %
            .build())
        .route("svc", r -> r.path("/svc/**").upstreamGroup("svc"))
        .build());

    Map<String, Integer> counts = h.tally("/svc/x", 10);

    // One of the two is ejected; the other keeps getting the requests, and its 500s go to the client.
    assertThat(counts).containsExactly(Map.entry("500", 10));
    assertThat(Math.min(a.requestCount(), b.requestCount())).isEqualTo(1);
    assertThat(a.requestCount() + b.requestCount()).isEqualTo(10);
  }

  @Test
  void answers503ProblemWhenEveryEndpointIsEjected() throws Exception {
    FakeUpstream a = h.backend("a").failWith(502);
    FakeUpstream b = h.backend("b").failWith(502);
    h.start(Gateway.builder()
        .upstreamGroup(ejectingAll(a, b, false))
        .route("svc", r -> r.path("/svc/**").upstreamGroup("svc"))
        .build());
    assertThat(h.get("/svc/x").getStatus()).isEqualTo(502);
    assertThat(h.get("/svc/x").getStatus()).isEqualTo(502);

    ContentResponse refused = h.get("/svc/x");

    assertThat(refused.getStatus()).isEqualTo(503);
    GroupHarness.problem(refused, "no-healthy-upstream");
    assertThat(refused.getContentAsString()).doesNotContain("127.0.0.1");
    assertThat(a.requestCount() + b.requestCount()).isEqualTo(2);
  }

  @Test
  void panicModeTriesEjectedEndpointsAnyway() throws Exception {
    FakeUpstream a = h.backend("a").failWith(502);
    FakeUpstream b = h.backend("b").failWith(502);
    h.start(Gateway.builder()
        .upstreamGroup(ejectingAll(a, b, true))
        .route("svc", r -> r.path("/svc/**").upstreamGroup("svc"))
        .build());
    h.tally("/svc/x", 2);
    a.recover();
    b.recover();

    Map<String, Integer> counts = h.tally("/svc/x", 4);

    assertThat(counts).containsEntry("a", 2).containsEntry("b", 2);
  }

  private static UpstreamGroup ejectingAll(FakeUpstream a, FakeUpstream b, boolean panic) {
    return UpstreamGroup.builder("svc").endpoint(a.uri()).endpoint(b.uri())
        .outlierDetection(OutlierDetection.builder()
            .consecutiveFailures(1).maxEjectedPercent(100).baseEjectionTime(Duration.ofMinutes(1)).build())
        .panicMode(panic)
        .build();
  }
}
