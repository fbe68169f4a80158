package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Endpoints added, removed and re-weighted at run time, pushed or polled, without a restart. */
class EndpointDiscoveryTest {
  private final GroupHarness h = new GroupHarness();

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  private Gateway gateway(EndpointSource source) {
    return Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("svc").endpoints(source).build())
        .route("svc", r -> r.path("/svc/**").upstreamGroup("svc"))
        .build();
  }

  @Test
  void pushedUpdatesAddReweightAndRemoveEndpoints() throws Exception {
    FakeUpstream a = h.backend("a");
    FakeUpstream b = h.backend("b");
    EndpointRegistry registry = EndpointRegistry.of(Endpoint.of(a.uri()));
    h.start(gateway(registry));
    assertThat(h.tally("/svc/x", 4)).containsExactly(Map.entry("a", 4));

    registry.update(List.of(Endpoint.of(a.uri()), Endpoint.of(b.uri(), 3)));
    assertThat(h.tally("/svc/x", 8)).containsEntry("a", 2).containsEntry("b", 6);

    registry.update(List.of(Endpoint.of(b.uri())));
    assertThat(h.tally("/svc/x", 4)).containsExactly(Map.entry("b", 4));
  }

  @Test
  void aRequestInFlightToARemovedEndpointFinishes() throws Exception {
    FakeUpstream a = h.backend("a").hold();
    FakeUpstream b = h.backend("b");
    EndpointRegistry registry = EndpointRegistry.of(Endpoint.of(a.uri()));
    h.start(gateway(registry));
    CompletableFuture<ContentResponse> inFlight = new CompletableResponseListener(h.request("/svc/x")).send();
    Await.until("request held by a", () -> a.inFlight() == 1);

    registry.update(List.of(Endpoint.of(b.uri())));
    assertThat(h.get("/svc/y").getContentAsString()).isEqualTo("b");
    a.release();

    assertThat(inFlight.get().getStatus()).isEqualTo(200);
    assertThat(inFlight.get().getContentAsString()).isEqualTo("a");
  }

  @Test
  void anEmptyListAnswers503UntilEndpointsArrive() throws Exception {
    FakeUpstream a = h.backend("a");
    EndpointRegistry registry = EndpointRegistry.of();
    h.start(gateway(registry));

    ContentResponse refused = h.get("/svc/x");
    assertThat(refused.getStatus()).isEqualTo(503);
    GroupHarness.problem(refused, "no-healthy-upstream");

    registry.update(List.of(Endpoint.of(a.uri())));
    assertThat(h.get("/svc/x").getContentAsString()).isEqualTo("a");
  }

  @Test
  void aPolledSupplierIsAskedAgainAndItsChangesApply() throws Exception {
    FakeUpstream a = h.backend("a");
    FakeUpstream b = h.backend("b");
    AtomicReference<List<Endpoint>> discovered = new AtomicReference<>(List.of(Endpoint.of(a.uri())));
    h.start(gateway(EndpointSource.polling(discovered::get, Duration.ofMillis(20))));
    Await.until("first poll", () -> ok("a"));

    discovered.set(List.of(Endpoint.of(b.uri())));

    Await.until("the change is polled", () -> ok("b"));
    assertThat(h.tally("/svc/x", 4)).containsExactly(Map.entry("b", 4));
  }

  private boolean ok(String who) {
    try {
      ContentResponse r = h.get("/svc/x");
      return r.getStatus() == 200 && r.getContentAsString().equals(who);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
