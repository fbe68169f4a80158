package dev.portico.gateway.operations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.upstream.HealthCheck;
import dev.portico.gateway.upstream.UpstreamGroup;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Content;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Readiness waits until every health-checked upstream endpoint has been probed once. */
class ReadinessTest {
  private FakeUpstream upstream;
  private GatewayServer host;

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  @Test
  void isNotReadyUntilTheFirstHealthCheckRoundHasAnswered() throws Exception {
    CompletableFuture<Void> healthMayAnswer = new CompletableFuture<>();
    upstream = FakeUpstream.start().respondWith((r, req, resp, cb) -> {
      if (r.target().startsWith("/health")) {
        // Hold the first probe's answer until the test has seen the gateway not ready.
        healthMayAnswer.whenComplete((v, x) -> Content.Sink.write(resp, true, "ok", cb));
      } else {
        Content.Sink.write(resp, true, "hello", cb);
      }
    });
    Gateway gateway = Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("backend").endpoint(upstream.uri())
            .healthCheck(HealthCheck.builder("/health").interval(Duration.ofSeconds(30))
                .timeout(Duration.ofSeconds(10)).build())
            .build())
        .route("api", r -> r.path("/api/**").upstreamGroup("backend"))
        .build();
    host = GatewayServer.builder().gateway(gateway).permissiveUris(true).hostAnswer().start();
    JettyGatewayHandler handler = host.handler();

    Await.until("the first probe arrives", () -> upstream.requestCount() > 0);
    assertThat(handler.isReady()).isFalse();

    healthMayAnswer.complete(null);

    Await.until("ready after the first round", handler::isReady);
    assertThat(host.client().newRequest(host.uri("/api/x")).timeout(10, TimeUnit.SECONDS).send().getStatus())
        .isEqualTo(200);
  }

  @Test
  void aReconfigurationKeepsTheHealthOfGroupsItReusesAndChecksNewOnesFirst() throws Exception {
    java.util.concurrent.atomic.AtomicReference<CompletableFuture<Void>> healthGate =
        new java.util.concurrent.atomic.AtomicReference<>(CompletableFuture.completedFuture(null));
    upstream = FakeUpstream.start().respondWith((r, req, resp, cb) -> {
      if (r.target().startsWith("/health")) {
        healthGate.get().whenComplete((v, x) -> Content.Sink.write(resp, true, "ok", cb));
      } else {
        Content.Sink.write(resp, true, "hello", cb);
      }
    });
    UpstreamGroup backend = UpstreamGroup.builder("backend").endpoint(upstream.uri())
        .healthCheck(HealthCheck.builder("/health").interval(Duration.ofSeconds(30)).timeout(Duration.ofSeconds(10)).build())
        .build();
    host = GatewayServer.builder().gateway(Gateway.builder().upstreamGroup(backend)
        .route("api", r -> r.path("/api/**").upstreamGroup("backend")).build())
            .permissiveUris(true).hostAnswer().start();
    JettyGatewayHandler handler = host.handler();
    Await.until("ready after the first round", handler::isReady);
    healthGate.set(new CompletableFuture<>()); // from now on, probes get no answer until released

    // The same UpstreamGroup instance: its live state (probed, healthy) carries over.
    handler.reconfigure(Gateway.builder().upstreamGroup(backend)
        .route("api", r -> r.path("/api/**").upstreamGroup("backend"))
        .route("more", r -> r.path("/more/**").upstreamGroup("backend")).build());
    assertThat(handler.isReady()).isTrue();

    // A new group definition starts afresh: not ready until its first probe answers.
    UpstreamGroup redefined = backend.toBuilder().build();
    handler.reconfigure(Gateway.builder().upstreamGroup(redefined)
        .route("api", r -> r.path("/api/**").upstreamGroup("backend")).build());
    assertThat(handler.isReady()).isFalse();
    healthGate.get().complete(null);
    Await.until("ready once the new group was probed", handler::isReady);
  }
}
