package dev.portico.gateway.operations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.Exchange;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.ProblemJson;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Graceful shutdown: drain, turn new exchanges away, abort what outlives the grace period, leak nothing. */
class GracefulShutdownTest {
  private final CountDownLatch arrived = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<AccessLogEntry> accessLog = new CopyOnWriteArrayList<>();
  private FakeUpstream upstream;
  private GatewayServer host;

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    if (host != null) {
      host.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /** An upstream that answers "done" once the test releases it. */
  private void startSlowUpstream() throws Exception {
    upstream = FakeUpstream.start().respondWith((received, request, response, callback) -> {
      arrived.countDown();
      release.await(20, TimeUnit.SECONDS);
      Content.Sink.write(response, true, "done", callback);
    });
  }

  private Gateway gateway() {
    return Gateway.builder().accessLog(accessLog::add)
        .route("api", r -> r.path("/api/**").upstream(upstream.uri()))
        .build();
  }

  private CompletableFuture<ContentResponse> sendAsync(String path) throws Exception {
    return new CompletableResponseListener(host.client().newRequest(host.uri(path)).timeout(20, TimeUnit.SECONDS)).send();
  }

  private static CompletableFuture<Void> inBackground(ThrowingRunnable task) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        task.run();
        done.complete(null);
      } catch (Throwable t) {
        done.completeExceptionally(t);
      }
    }, "test-shutdown");
    thread.start();
    return done;
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void letsExchangesInFlightFinishAndTurnsNewOnesAwayWith503() throws Exception {
    startSlowUpstream();
    host = GatewayServer.builder().gateway(gateway()).permissiveUris(true).hostAnswer().start();
    JettyGatewayHandler gateway = host.handler();
    CompletableFuture<ContentResponse> inFlight = sendAsync("/api/slow");
    assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> shutdown = inBackground(() -> gateway.shutdown(Duration.ofSeconds(20)));
    Await.until("the gateway is shutting down", gateway::isShutdown);
    ContentResponse refused = host.client().newRequest(host.uri("/api/new")).timeout(10, TimeUnit.SECONDS).send();
    assertThat(gateway.isReady()).isFalse();
    assertThat(shutdown).isNotDone();
    release.countDown();

    ProblemJson.assertProblem(refused, ProblemType.SHUTTING_DOWN);
    assertThat(inFlight.get(10, TimeUnit.SECONDS).getContentAsString()).isEqualTo("done");
    shutdown.get(10, TimeUnit.SECONDS);
  }

  @Test
  void answers503ToAnExchangeStillWaitingForItsUpstreamWhenTheGracePeriodEnds() throws Exception {
    startSlowUpstream();
    host = GatewayServer.builder().gateway(gateway()).permissiveUris(true).hostAnswer().start();
    CompletableFuture<ContentResponse> inFlight = sendAsync("/api/slow");
    assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();

    host.handler().shutdown(Duration.ofMillis(100));

    ProblemJson.assertProblem(inFlight.get(10, TimeUnit.SECONDS), ProblemType.SHUTTING_DOWN);
    Await.until("access log entry", () -> !accessLog.isEmpty());
    assertThat(accessLog.get(0).outcome()).isEqualTo("shutdown");
    assertThat(accessLog.get(0).status()).isEqualTo(503);
  }

  @Test
  void cutsAResponseStillStreamingWhenTheGracePeriodEnds() throws Exception {
    upstream = FakeUpstream.start(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        // Headers and a first chunk, then silence until the test ends.
        response.write(false, ByteBuffer.wrap("partial".getBytes(StandardCharsets.UTF_8)), Callback.NOOP);
        arrived.countDown();
        return true;
      }
    });
    host = GatewayServer.builder().gateway(gateway()).permissiveUris(true).hostAnswer().start();
    CompletableFuture<Result> result = new CompletableFuture<>();
    CountDownLatch firstChunk = new CountDownLatch(1);
    host.client().newRequest(host.uri("/api/stream")).timeout(20, TimeUnit.SECONDS)
        .onResponseContent((response, content) -> firstChunk.countDown())
        .send(result::complete);
    assertThat(firstChunk.await(10, TimeUnit.SECONDS)).as("the response streams").isTrue();

    host.handler().shutdown(Duration.ofMillis(100));

    Result done = result.get(10, TimeUnit.SECONDS);
    assertThat(done.isFailed()).as("a cut response never looks complete").isTrue();
    assertThat(done.getResponse().getStatus()).isEqualTo(200);
    Await.until("access log entry", () -> !accessLog.isEmpty());
    assertThat(accessLog.get(0).outcome()).isEqualTo("shutdown");
  }

  @Test
  void serverStopWithAStopTimeoutDrainsThroughJettysGracefulShutdown() throws Exception {
    startSlowUpstream();
    host = GatewayServer.builder().gateway(gateway()).permissiveUris(true).hostAnswer().start();
    host.jettyServer().setStopTimeout(20_000);
    CompletableFuture<ContentResponse> inFlight = sendAsync("/api/slow");
    assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> stopped = inBackground(() -> host.jettyServer().stop());
    Await.until("the gateway is shutting down", host.handler()::isShutdown);
    assertThat(stopped).isNotDone();
    release.countDown();

    assertThat(inFlight.get(10, TimeUnit.SECONDS).getContentAsString()).isEqualTo("done");
    stopped.get(20, TimeUnit.SECONDS);
  }

  @Test
  void stoppingLeavesNoGatewayThreadAndClosesCloseableRateLimiters() throws Exception {
    Set<Thread> before = porticoThreads();
    upstream = FakeUpstream.start();
    ClosingLimiter limiter = new ClosingLimiter();
    host = GatewayServer.builder().gateway(Gateway.builder()
        .route("api", r -> r.path("/api/**").rateLimiter(limiter).upstream(upstream.uri()))
        .build()).permissiveUris(true).hostAnswer().start();
    assertThat(host.client().newRequest(host.uri("/api/1")).timeout(10, TimeUnit.SECONDS).send().getStatus()).isEqualTo(200);
    // Two more configurations, each with another connect timeout, so another upstream client.
    for (int i = 1; i <= 2; i++) {
      long connectMillis = 1_000L + i;
      host.handler().reconfigure(Gateway.builder()
          .route("api", r -> r.path("/api/**").rateLimiter(limiter).connectTimeout(Duration.ofMillis(connectMillis))
              .upstream(upstream.uri()))
          .build());
      assertThat(host.client().newRequest(host.uri("/api/" + i)).timeout(10, TimeUnit.SECONDS).send().getStatus())
          .isEqualTo(200);
    }
    assertThat(porticoThreads()).as("the gateway runs threads of its own").isNotEmpty();
    // A retired configuration's client is stopped, which closes its pooled connection.
    Await.until("only the current configuration's upstream client is left connected",
        () -> upstream.openConnections() == 1);
    assertThat(limiter.closed).as("still used by the current configuration").isFalse();

    host.close();
    host = null;

    Await.until("no portico thread is left: " + names(porticoThreads()), () -> before.containsAll(porticoThreads()));
    assertThat(limiter.closed).isTrue();
  }

  @Test
  void aCloseableLimiterOfAMethodBlockIsKeptWhileUsedAndClosedWithTheGateway() throws Exception {
    upstream = FakeUpstream.start();
    ClosingLimiter postOnly = new ClosingLimiter();
    ClosingLimiter dropped = new ClosingLimiter();
    host = GatewayServer.builder().gateway(Gateway.builder()
        .route("api", r -> r.path("/api/**").upstream(upstream.uri())
            .methodPolicies("POST", m -> m.rateLimiter(postOnly))
            .methodPolicies("PUT", m -> m.rateLimiter(dropped)))
        .build()).permissiveUris(true).hostAnswer().start();
    host.handler().reconfigure(Gateway.builder()
        .route("api", r -> r.path("/api/**").upstream(upstream.uri()).methodPolicies("POST", m -> m.rateLimiter(postOnly)))
        .build());
    assertThat(host.client().newRequest(host.uri("/api/1")).method("POST").timeout(10, TimeUnit.SECONDS).send().getStatus())
        .isEqualTo(200);
    Await.until("the retired configuration's PUT limiter is closed", () -> dropped.closed);
    assertThat(postOnly.closed).as("still used by the current configuration's POST").isFalse();

    host.close();
    host = null;

    Await.until("the POST limiter is closed with the gateway", () -> postOnly.closed);
  }

  private static Set<Thread> porticoThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("portico"))
        .collect(Collectors.toSet());
  }

  private static List<String> names(Set<Thread> threads) {
    return threads.stream().map(Thread::getName).sorted().toList();
  }

  /** A limiter that owns a resource (a Redis connection, say) and must be closed with the gateway. */
  private static final class ClosingLimiter implements RateLimiter, AutoCloseable {
    volatile boolean closed;

    @Override
    public CompletionStage<RateLimitDecision> acquire(Exchange exchange) {
      return CompletableFuture.completedFuture(RateLimitDecision.allowed());
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
