package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.testing.Await;
import java.time.Duration;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A group's circuit breaker through real hops: it opens on failures, answers 503, probes half-open, closes. */
class CircuitBreakerTest {
  private final GroupHarness h = new GroupHarness();

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  private void start(FakeUpstream backend, CircuitBreakerSettings settings) throws Exception {
    h.start(Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("svc").endpoint(backend.uri()).circuitBreaker(settings).build())
        .route("svc", r -> r.path("/svc/**").upstreamGroup("svc"))
        .build());
  }

  private static CircuitBreakerSettings.Builder settings() {
    return CircuitBreakerSettings.builder()
        .slidingWindow(4, 4)
        .failureRateThreshold(50)
        .waitInOpenState(Duration.ofMillis(500))
        .permittedCallsInHalfOpenState(2);
  }

  @Test
  void opensOnFailuresThenHalfOpenProbesCloseItAgain() throws Exception {
    FakeUpstream backend = h.backend("a").failWith(500);
    start(backend, settings().build());
    for (int i = 0; i < 4; i++) {
      assertThat(h.get("/svc/x").getStatus()).isEqualTo(500);
    }

    ContentResponse open = h.get("/svc/x");

    assertThat(open.getStatus()).isEqualTo(503);
    GroupHarness.problem(open, "circuit-open");
    assertThat(open.getHeaders().get("Retry-After")).isEqualTo("1");
    assertThat(backend.requestCount()).as("an open circuit calls nobody").isEqualTo(4);

    backend.recover();
    Await.until("half-open lets a probe through", () -> h.get("/svc/x").getStatus() == 200);
    assertThat(h.get("/svc/x").getStatus()).isEqualTo(200);   // the second probe closes it
    assertThat(h.tally("/svc/x", 10)).containsEntry("a", 10);
  }

  @Test
  void aFailingProbeOpensItAgain() throws Exception {
    FakeUpstream backend = h.backend("a").failWith(503);
    start(backend, settings().build());
    h.tally("/svc/x", 4);
    assertThat(h.get("/svc/x").getStatus()).isEqualTo(503);
    int calls = backend.requestCount();

    Await.until("half-open lets a probe through", () -> h.get("/svc/x").getHeaders().get("Retry-After") == null);
    assertThat(backend.requestCount()).isEqualTo(calls + 1);
    assertThat(h.get("/svc/x").getHeaders().get("Retry-After")).as("the second probe").isNull();

    ContentResponse reopened = h.get("/svc/x");

    GroupHarness.problem(reopened, "circuit-open");
    assertThat(backend.requestCount()).isEqualTo(calls + 2);
  }

  @Test
  void slowCallsOpenItToo() throws Exception {
    FakeUpstream backend = h.backend("a", Duration.ofMillis(60));
    start(backend, settings().slowCall(Duration.ofMillis(30), 50).build());
    for (int i = 0; i < 4; i++) {
      assertThat(h.get("/svc/x").getStatus()).isEqualTo(200);
    }

    GroupHarness.problem(h.get("/svc/x"), "circuit-open");
  }
}
