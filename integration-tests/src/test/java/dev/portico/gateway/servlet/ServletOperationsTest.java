package dev.portico.gateway.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.ProblemJson;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.io.Content;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Reconfiguration, explain and graceful shutdown through {@link GatewayServlet}, in Jetty ee10 and Tomcat. */
class ServletOperationsTest {
  private static HttpClient client;
  private final CountDownLatch arrived = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private FakeUpstream upstream;
  private ServletContainer.Running server;

  @BeforeAll
  static void startClient() throws Exception {
    client = new HttpClient();
    client.start();
  }

  @AfterAll
  static void stopClient() throws Exception {
    client.stop();
  }

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    if (server != null) {
      server.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private void startUpstream() throws Exception {
    upstream = FakeUpstream.start().respondWith((received, request, response, callback) -> {
      if (received.target().contains("slow")) {
        arrived.countDown();
        release.await(20, TimeUnit.SECONDS);
      }
      Content.Sink.write(response, true, "upstream " + received.target(), callback);
    });
  }

  private ContentResponse get(String path) throws Exception {
    return client.newRequest(server.uri(path)).timeout(10, TimeUnit.SECONDS).send();
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void theAccessLogNamesTheCallerItsUserAgentAndTheRateLimitDecision(ServletContainer container) throws Exception {
    startUpstream();
    java.util.List<AccessLogEntry> log = new java.util.concurrent.CopyOnWriteArrayList<>();
    server = container.start("", new GatewayServlet(Gateway.builder()
        .accessLog(log::add)
        .route("api", r -> r.path("/api/**")
            .authenticator(exchange -> CompletableFuture.completedFuture(
                AuthResult.authenticated(Identity.builder("alice").method("test-token").build())))
            .rateLimiter(Bucket4jRateLimiter.builder().name("per-user").bandwidth(1, Duration.ofMinutes(1))
                .keyResolver(KeyResolver.principal()).build())
            .upstream(upstream.uri()))
        .build()));

    for (int i = 0; i < 2; i++) {
      client.newRequest(server.uri("/api/x")).agent("orders-app/2.1").timeout(10, TimeUnit.SECONDS).send();
    }

    Await.until("two access log entries", () -> log.size() >= 2);
    assertThat(log).extracting(AccessLogEntry::status).containsExactly(200, 429);
    assertThat(log).allSatisfy(e -> {
      assertThat(e.subject()).hasValue("alice");
      assertThat(e.authMethod()).hasValue("test-token");
      assertThat(e.userAgent()).hasValue("orders-app/2.1");
    });
    assertThat(log.get(1).rateLimit()).hasValue(
        new AccessLogEntry.RateLimitOutcome("per-user", RateLimitDecision.Kind.REJECTED, 0));
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void reconfiguresAndExplainsWithTheNewRoutes(ServletContainer container) throws Exception {
    startUpstream();
    GatewayServlet servlet = new GatewayServlet(Gateway.builder()
        .route("v1", r -> r.path("/api/**").upstream(upstream.uri() + "/v1")).build());
    server = container.start("", servlet);
    assertThat(get("/api/x").getContentAsString()).isEqualTo("upstream /v1/api/x");

    servlet.reconfigure(Gateway.builder().route("v2", r -> r.path("/api/**").upstream(upstream.uri() + "/v2")).build());

    assertThat(get("/api/x").getContentAsString()).isEqualTo("upstream /v2/api/x");
    assertThat(servlet.explain("GET", "/api/x", HttpHeaders.empty()).routeId()).hasValue("v2");
    assertThat(servlet.isReady()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void shutdownLetsTheExchangeInFlightFinishAndTurnsNewOnesAway(ServletContainer container) throws Exception {
    startUpstream();
    GatewayServlet servlet = GatewayServlet.builder(Gateway.builder()
            .route("api", r -> r.path("/api/**").upstream(upstream.uri())).build())
        .shutdownGrace(Duration.ofSeconds(20))
        .build();
    server = container.start("", servlet);
    CompletableFuture<ContentResponse> inFlight = new CompletableResponseListener(
        client.newRequest(server.uri("/api/slow")).timeout(20, TimeUnit.SECONDS)).send();
    assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> {
      try {
        servlet.shutdown(Duration.ofSeconds(20));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    Await.until("shutting down", () -> !servlet.isReady());
    ProblemJson.assertProblem(get("/api/new"), ProblemType.SHUTTING_DOWN);
    release.countDown();

    assertThat(inFlight.get(10, TimeUnit.SECONDS).getContentAsString()).isEqualTo("upstream /api/slow");
    shutdown.get(10, TimeUnit.SECONDS);
  }
}
