package dev.portico.gateway.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.validation.JsonSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.io.Content;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Swapping a running gateway's routes: atomic, validated first, and carrying state over. */
class ReconfigurationTest {
  private static final int SWAPS = 100;
  private static final int CLIENTS = 4;

  private FakeUpstream alpha;
  private FakeUpstream beta;
  private GatewayServer host;

  @BeforeEach
  void startUpstreams() throws Exception {
    alpha = echo("alpha");
    beta = echo("beta");
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    alpha.close();
    beta.close();
  }

  /** An upstream that answers "<name> <path and query it received>". */
  private static FakeUpstream echo(String name) throws Exception {
    return FakeUpstream.start().respondWith((received, request, response, callback) ->
        Content.Sink.write(response, true, name + " " + received.target(), callback));
  }

  /**
   * Two route tables that send /alpha/** to the alpha upstream and /beta/** to the beta upstream,
   * each under its own base path (/v0 or /v1), so an answer tells which table routed it. The second
   * differs in shape too: other route ids, reverse order, an extra route.
   */
  private Gateway configuration(int version) {
    Gateway.Builder b = Gateway.builder();
    if (version == 0) {
      b.route("alpha", r -> r.path("/alpha/**").upstream(alpha.uri() + "/v0"))
          .route("beta", r -> r.path("/beta/**").upstream(beta.uri() + "/v0"));
    } else {
      b.route("beta-1", r -> r.path("/beta/{*rest}").upstream(beta.uri() + "/v1"))
          .route("alpha-extra-1", r -> r.path("/alpha/extra/**").upstream(beta.uri() + "/never"))
          .route("alpha-1", r -> r.path("/alpha/**").upstream(alpha.uri() + "/v1"));
    }
    return b.build();
  }

  @Test
  void swapsTheRouteTableHundredTimesUnderLoadWithoutAFailedOrMisroutedRequest() throws Exception {
    host = GatewayServer.builder().gateway(configuration(0)).permissiveUris(true).hostAnswer().start();
    JettyGatewayHandler gateway = host.handler();
    // Swap n makes table n % 2 active. A request that starts after `completed` swaps and ends before
    // `begun` swaps could only have been routed by the tables active between the two.
    AtomicInteger begun = new AtomicInteger();
    AtomicInteger completed = new AtomicInteger();
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong answered = new AtomicLong();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> misrouted = new ConcurrentLinkedQueue<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);

    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    List<Future<?>> loops = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      loops.add(clients.submit(() -> {
        for (int i = 0; !done.get() && i < 20_000 && System.nanoTime() < deadline; i++) {
          String name = (i + client) % 2 == 0 ? "alpha" : "beta";
          String path = "/" + name + "/" + client + "-" + i;
          int from = completed.get();
          try {
            ContentResponse response = host.client().newRequest(host.uri(path)).timeout(10, TimeUnit.SECONDS).send();
            int to = begun.get();
            String body = response.getContentAsString();
            boolean right = response.getStatus() == 200 && (
                body.equals(name + " /v" + (from % 2) + path)
                    || to > from && body.equals(name + " /v" + ((from + 1) % 2) + path));
            if (!right) {
              misrouted.add(path + " (swaps " + from + ".." + to + ") -> " + response.getStatus() + " " + body);
            }
            answered.incrementAndGet();
          } catch (Exception e) {
            failures.add(path + ": " + e);
          }
        }
      }));
    }

    for (int swap = 1; swap <= SWAPS && System.nanoTime() < deadline; swap++) {
      long seen = answered.get();
      while (answered.get() < seen + CLIENTS && System.nanoTime() < deadline) {
        LockSupport.parkNanos(100_000); // let some requests through on this table
      }
      begun.incrementAndGet();
      gateway.reconfigure(configuration(swap % 2));
      completed.incrementAndGet();
    }
    done.set(true);
    for (Future<?> loop : loops) {
      loop.get(30, TimeUnit.SECONDS);
    }
    clients.shutdown();

    assertThat(completed.get()).as("swaps").isEqualTo(SWAPS);
    assertThat(failures).as("failed requests").isEmpty();
    assertThat(misrouted).as("misrouted requests").isEmpty();
    assertThat(answered.get()).as("requests answered").isGreaterThanOrEqualTo(SWAPS * CLIENTS);
    assertThat(gateway.gateway().route("alpha").isPresent()).isTrue(); // SWAPS is even: table 0 again
  }

  @Test
  void refusesAConfigurationThatDoesNotCompileAndKeepsTheRunningOne() throws Exception {
    host = GatewayServer.builder().gateway(configuration(0)).permissiveUris(true).hostAnswer().start();
    Gateway broken = Gateway.builder()
        .route("orders", r -> r.path("/orders").validate(v -> v.jsonSchema(JsonSchema.of("{\"type\": 12}")))
            .upstream(alpha.uri()))
        .build();

    assertThatThrownBy(() -> host.handler().reconfigure(broken))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("route 'orders'");

    ContentResponse response = host.client().newRequest(host.uri("/alpha/x")).timeout(10, TimeUnit.SECONDS).send();
    assertThat(response.getContentAsString()).isEqualTo("alpha /v0/alpha/x");
    assertThat(host.handler().gateway().route("orders")).isEmpty();
  }

  @Test
  void aRateLimiterReusedByTheNewConfigurationKeepsItsBuckets() throws Exception {
    Bucket4jRateLimiter limiter = Bucket4jRateLimiter.perKey(2, Duration.ofMinutes(1), KeyResolver.constant("all"));
    Gateway first = Gateway.builder()
        .route("alpha", r -> r.path("/alpha/**").rateLimiter(limiter).upstream(alpha.uri()))
        .build();
    host = GatewayServer.builder().gateway(first).permissiveUris(true).hostAnswer().start();
    assertThat(status("/alpha/1")).isEqualTo(200);
    assertThat(status("/alpha/2")).isEqualTo(200);

    host.handler().reconfigure(first.toBuilder()
        .route("beta", r -> r.path("/beta/**").upstream(beta.uri()))
        .build());

    assertThat(status("/beta/1")).as("the new route").isEqualTo(200);
    assertThat(status("/alpha/3")).as("the limiter's bucket is spent").isEqualTo(429);
  }

  @Test
  void aNewRateLimiterStartsWithAFullBucket() throws Exception {
    Gateway.Builder limited = Gateway.builder().route("alpha", r -> r.path("/alpha/**")
        .rateLimiter(Bucket4jRateLimiter.perKey(1, Duration.ofMinutes(1), KeyResolver.constant("all"))).upstream(alpha.uri()));
    host = GatewayServer.builder().gateway(limited.build()).permissiveUris(true).hostAnswer().start();
    assertThat(status("/alpha/1")).isEqualTo(200);
    assertThat(status("/alpha/2")).isEqualTo(429);

    host.handler().reconfigure(Gateway.builder().route("alpha", r -> r.path("/alpha/**")
        .rateLimiter(Bucket4jRateLimiter.perKey(1, Duration.ofMinutes(1), KeyResolver.constant("all"))).upstream(alpha.uri()))
        .build());

    assertThat(status("/alpha/3")).isEqualTo(200);
  }

  @Test
  void anExchangeInFlightFinishesOnTheTableItStartedOn() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    alpha.respondWith((received, request, response, callback) -> {
      arrived.countDown();
      release.await(10, TimeUnit.SECONDS);
      Content.Sink.write(response, true, "alpha " + received.target(), callback);
    });
    host = GatewayServer.builder().gateway(configuration(0)).permissiveUris(true).hostAnswer().start();
    CompletableFuture<ContentResponse> inFlight = new CompletableResponseListener(
        host.client().newRequest(host.uri("/alpha/slow")).timeout(10, TimeUnit.SECONDS)).send();
    assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();

    host.handler().reconfigure(Gateway.builder()
        .route("beta-only", r -> r.path("/beta/**").upstream(beta.uri()))
        .build());
    ContentResponse after = host.client().newRequest(host.uri("/alpha/after")).timeout(10, TimeUnit.SECONDS).send();
    release.countDown();

    assertThat(after.getContentAsString()).as("no alpha route any more: handed back to the host")
        .isEqualTo(GatewayServer.HOST_ANSWER);
    assertThat(inFlight.get(10, TimeUnit.SECONDS).getContentAsString()).isEqualTo("alpha /v0/alpha/slow");
  }

  private int status(String path) throws Exception {
    return host.client().newRequest(host.uri(path)).timeout(10, TimeUnit.SECONDS).send().getStatus();
  }
}
