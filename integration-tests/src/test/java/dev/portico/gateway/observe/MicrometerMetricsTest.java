package dev.portico.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.AccessRule;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.observe.micrometer.MicrometerMetrics;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.RefusingPort;
import dev.portico.gateway.testing.TestAuthenticator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.io.Content;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MicrometerMetricsTest {
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private FakeUpstream upstream;
  private GatewayServer host;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = FakeUpstream.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  private void start(Gateway.Builder gateway) throws Exception {
    host = GatewayServer.builder().handler(JettyGatewayHandler.builder(gateway.build())
        .observer(MicrometerMetrics.create(registry))
        .build()).permissiveUris(true).hostAnswer().start();
  }

  private ContentResponse get(String path, String... headers) throws Exception {
    return host.client().newRequest(host.uri(path)).headers(h -> {
      for (int i = 0; i < headers.length; i += 2) {
        h.put(headers[i], headers[i + 1]);
      }
    }).timeout(10, TimeUnit.SECONDS).send();
  }

  private String endpoint() {
    return "127.0.0.1:" + upstream.port();
  }

  @Test
  void timesEachExchangeByRouteMethodStatusClassOutcomeAndUpstream() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    get("/api/orders/1");
    get("/api/orders/2");

    Await.until("both exchanges recorded", () -> timerCount("portico.requests") == 2);
    Timer timer = registry.get("portico.requests")
        .tags("route", "api", "method", "GET", "status", "2xx", "outcome", "ok", "upstream", endpoint()).timer();
    assertThat(timer.count()).isEqualTo(2);
    assertThat(timer.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    assertThat(registry.get("portico.upstream.requests")
        .tags("route", "api", "endpoint", endpoint(), "status", "2xx", "outcome", "ok").timer().count()).isEqualTo(2);
    assertThat(registry.get("portico.upstream.connect").tags("route", "api", "endpoint", endpoint()).timer().count())
        .isEqualTo(2);
    assertThat(registry.get("portico.requests.active").gauge().value()).isZero();
  }

  @Test
  void countsExchangesInFlight() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    upstream.respondWith((received, request, response, callback) -> {
      arrived.countDown();
      release.await(10, TimeUnit.SECONDS);
      Content.Sink.write(response, true, "done", callback);
    });
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));
    CompletableFuture<ContentResponse> slow = new CompletableResponseListener(
        host.client().newRequest(host.uri("/api/slow")).timeout(10, TimeUnit.SECONDS)).send();
    assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();

    Gauge active = registry.get("portico.requests.active").gauge();
    assertThat(active.value()).isEqualTo(1);
    release.countDown();
    slow.get(10, TimeUnit.SECONDS);
    Await.until("no exchange in flight", () -> active.value() == 0);
  }

  @Test
  void refusalsBeforeRoutingHaveNoRouteAndNoUpstream() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").methods("GET").upstream(upstream.uri())));

    host.client().newRequest(host.uri("/api/x")).method("DELETE").timeout(10, TimeUnit.SECONDS).send();

    Await.until("exchange recorded", () -> timerCount("portico.requests") == 1);
    assertThat(registry.get("portico.requests")
        .tags("route", "none", "method", "DELETE", "status", "4xx", "outcome", "problem", "upstream", "none")
        .timer().count()).isEqualTo(1);
  }

  @Test
  void recordsAnUpstreamThatCannotBeReachedAsAnError() throws Exception {
    start(Gateway.builder().route("down", r -> r.path("/down/**").upstream("http://127.0.0.1:" + RefusingPort.reserve())));

    assertThat(get("/down/x").getStatus()).isEqualTo(502);

    Await.until("exchange recorded", () -> timerCount("portico.requests") == 1);
    assertThat(registry.get("portico.upstream.requests").tags("route", "down", "status", "none", "outcome", "error")
        .timer().count()).isEqualTo(1);
    assertThat(registry.find("portico.upstream.connect").timer()).as("never connected").isNull();
    assertThat(registry.get("portico.requests").tags("route", "down", "status", "5xx").timer().count()).isEqualTo(1);
  }

  @Test
  void countsMirrorCopiesByRouteAndOutcome() throws Exception {
    String down = "http://127.0.0.1:" + RefusingPort.reserve();
    start(Gateway.builder()
        .route("mirrored", r -> r.path("/m/**").upstream(upstream.uri()).mirror(m -> m.to(upstream.uri())))
        .route("failing", r -> r.path("/f/**").upstream(upstream.uri()).mirror(m -> m.to(down))));

    assertThat(get("/m/1").getStatus()).isEqualTo(200);
    assertThat(get("/f/1").getStatus()).isEqualTo(200);

    Await.until("both copies counted", () -> registry.find("portico.mirror.requests").counters().size() == 2);
    assertThat(counter("portico.mirror.requests", "route", "mirrored", "outcome", "mirrored")).isEqualTo(1);
    assertThat(counter("portico.mirror.requests", "route", "failing", "outcome", "failed")).isEqualTo(1);
  }

  @Test
  void countsRateLimitDecisionsByLimiterAndDecision() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**")
        .rateLimiter(Bucket4jRateLimiter.builder().name("per-client").bandwidth(1, Duration.ofMinutes(1))
            .keyResolver(KeyResolver.clientIp()).build())
        .upstream(upstream.uri())));

    assertThat(get("/api/1").getStatus()).isEqualTo(200);
    assertThat(get("/api/2").getStatus()).isEqualTo(429);

    assertThat(counter("portico.ratelimit.decisions", "route", "api", "limiter", "per-client", "decision", "allowed"))
        .isEqualTo(1);
    assertThat(counter("portico.ratelimit.decisions", "route", "api", "limiter", "per-client", "decision", "rejected"))
        .isEqualTo(1);
  }

  @Test
  void countsAuthenticationFailuresByReason() throws Exception {
    start(Gateway.builder().authenticator(new TestAuthenticator())
        .route("api", r -> r.path("/api/**").authorize(AccessRule.scopes("orders:write")).upstream(upstream.uri())));

    assertThat(get("/api/1").getStatus()).isEqualTo(401);
    assertThat(get("/api/2", "Authorization", "Test nobody").getStatus()).isEqualTo(401);
    assertThat(get("/api/3", "Authorization", "Test reader").getStatus()).isEqualTo(403);
    assertThat(get("/api/4", "Authorization", "Test writer").getStatus()).isEqualTo(200);

    assertThat(counter("portico.auth.failures", "route", "api", "reason", "no-credentials")).isEqualTo(1);
    assertThat(counter("portico.auth.failures", "route", "api", "reason", "rejected")).isEqualTo(1);
    assertThat(counter("portico.auth.failures", "route", "api", "reason", "forbidden")).isEqualTo(1);
  }

  @Test
  void showsEndpointHealthAndCircuitStateAsGauges() {
    MicrometerMetrics metrics = MicrometerMetrics.create(registry);

    metrics.endpointHealthChanged("orders", "10.0.0.1:8080", false);
    metrics.circuitStateChanged("orders", "OPEN");

    assertThat(registry.get("portico.upstream.endpoint.healthy").tags("group", "orders", "endpoint", "10.0.0.1:8080")
        .gauge().value()).isZero();
    assertThat(registry.get("portico.upstream.circuit.state").tags("group", "orders", "state", "open").gauge().value())
        .isEqualTo(1);
    assertThat(registry.get("portico.upstream.circuit.state").tags("group", "orders", "state", "closed").gauge().value())
        .isZero();
    metrics.endpointHealthChanged("orders", "10.0.0.1:8080", true);
    assertThat(registry.get("portico.upstream.endpoint.healthy").gauge().value()).isEqualTo(1);
  }

  @Test
  void countsConfigurationReloadsByOutcomeFromTheStartAndThroughACompositeObserver() {
    MicrometerMetrics metrics = MicrometerMetrics.create(registry);
    assertThat(counter("portico.config.reloads", "outcome", "applied")).isZero();
    assertThat(counter("portico.config.reloads", "outcome", "refused")).isZero();
    ConfigurationStatus status = new ConfigurationStatus("gateway.yaml", "0".repeat(64), Instant.EPOCH, 0, 1,
        Optional.of("gateway.yaml:1:1 : expected an object"));

    GatewayObserver.of(metrics, GatewayObserver.none()).configurationReloaded(status, false);
    metrics.configurationReloaded(status, true);
    metrics.configurationReloaded(status, false);

    assertThat(counter("portico.config.reloads", "outcome", "applied")).isEqualTo(1);
    assertThat(counter("portico.config.reloads", "outcome", "refused")).isEqualTo(2);
  }

  @Test
  void scrapesAsPrometheusTextWithoutPathsOrIds() throws Exception {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    host = GatewayServer.builder().handler(JettyGatewayHandler.builder(Gateway.builder()
            .route("api", r -> r.path("/api/**").upstream(upstream.uri())).build())
        .observer(MicrometerMetrics.create(prometheus))
        .build()).permissiveUris(true).hostAnswer().start();
    String requestId = get("/api/orders/12345").getHeaders().get("X-Request-Id");
    Await.until("exchange recorded", () -> prometheus.scrape().contains("portico_requests_seconds_count{"));

    String text = prometheus.scrape();

    assertThat(text).contains("portico_requests_seconds_count{method=\"GET\",outcome=\"ok\",route=\"api\",status=\"2xx\"")
        .contains("portico_requests_seconds_bucket{")
        .contains("portico_requests_active ")
        .contains("portico_upstream_requests_seconds_count{")
        .doesNotContain("12345").doesNotContain(requestId);
  }

  private long timerCount(String name) {
    return registry.find(name).timers().stream().mapToLong(Timer::count).sum();
  }

  private double counter(String name, String... tags) {
    Counter counter = registry.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void endpointHealthFromLiveHealthChecksReachesItsGauge() throws Exception {
    upstream.respondWith((received, request, response, callback) -> {
      response.setStatus(received.target().startsWith("/health") ? 503 : 200);
      Content.Sink.write(response, true, "x", callback);
    });
    start(Gateway.builder()
        .upstreamGroup(dev.portico.gateway.upstream.UpstreamGroup.builder("backend").endpoint(upstream.uri())
            .healthCheck(dev.portico.gateway.upstream.HealthCheck.builder("/health")
                .interval(java.time.Duration.ofSeconds(2)).timeout(java.time.Duration.ofSeconds(2))
                .unhealthyThreshold(1).build())
            .build())
        .route("api", r -> r.path("/api/**").upstreamGroup("backend")));

    Await.until("the failing health check is reported", () -> registry.find("portico.upstream.endpoint.healthy")
        .tags("group", "backend", "endpoint", upstream.uri()).gauge() != null);
    assertThat(registry.get("portico.upstream.endpoint.healthy").tags("group", "backend", "endpoint", upstream.uri())
        .gauge().value()).isZero();
  }
}
