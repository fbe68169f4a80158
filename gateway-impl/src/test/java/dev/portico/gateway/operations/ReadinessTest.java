package dev.portico.gateway.operations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.GatewayHost;
import dev.portico.gateway.testing.TestUpstream;
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
  private TestUpstream upstream;
  private GatewayHost host;

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
    upstream = TestUpstream.start().responder((r, req, resp, cb) -> {
      if (r.pathQuery().startsWith("/health")) {
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
    host = GatewayHost.start(gateway);
    JettyGatewayHandler handler = host.handler();

    Await.until("the first probe arrives", () -> upstream.receivedCount() > 0);
    assertThat(handler.isReady()).isFalse();

    healthMayAnswer.complete(null);

    Await.until("ready after the first round", handler::isReady);
    assertThat(host.client().newRequest(host.uri("/api/x")).timeout(10, TimeUnit.SECONDS).send().getStatus())
        .isEqualTo(200);
  }
}
