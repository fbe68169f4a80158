package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.admin.AdminView;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.observe.ExchangeObserver;
import dev.portico.gateway.observe.ExchangeStart;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.Mounting;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.InputStreamRequestContent;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request mirroring end to end, with real primary and shadow upstreams: what the shadow receives,
 * and that a held, failing or stopped shadow changes nothing for the primary exchange, with each
 * copy's outcome counted by the observer.
 */
class RequestMirrorTest {
  private FakeUpstream primary;
  private FakeUpstream shadow;
  private Mounting.Running host;
  private GatewayServer server;
  private final Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();

  @BeforeEach
  void startUpstreams() throws Exception {
    primary = FakeUpstream.start();
    shadow = FakeUpstream.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    if (server != null) {
      server.close();
    }
    primary.close();
    shadow.close();
  }

  private int count(String outcome) {
    AtomicInteger n = outcomes.get(outcome);
    return n == null ? 0 : n.get();
  }

  private Gateway gateway(Consumer<RequestMirror.Builder> mirror) {
    return Gateway.builder()
        .route("orders", r -> r.path("/orders/**").upstream(primary.uri())
            .mirror(m -> mirror.accept(m.to(shadow.uri()))))
        .build();
  }

  /** Starts the gateway on Jetty with an observer that counts the mirror's outcomes. */
  private void startCounting(Consumer<RequestMirror.Builder> mirror) throws Exception {
    GatewayObserver counting = new GatewayObserver() {
      @Override
      public ExchangeObserver exchangeStarted(ExchangeStart start) {
        return ExchangeObserver.NONE;
      }

      @Override
      public void requestMirrored(String route, String outcome) {
        outcomes.computeIfAbsent(route + ":" + outcome, k -> new AtomicInteger()).incrementAndGet();
      }
    };
    server = GatewayServer.builder().handler(JettyGatewayHandler.builder(gateway(mirror)).observer(counting).build())
        .start();
  }

  private Request request(String path) throws Exception {
    return server.client().newRequest(server.uri(path)).timeout(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void theShadowReceivesTheRequestAsForwardedToThePrimaryMarkedAsACopy(Mounting mounting) throws Exception {
    host = mounting.start(gateway(m -> m.percent(100)));

    ContentResponse response = host.client().newRequest(host.uri("/orders/7?x=1&y=a%20b")).method("POST")
        .headers(h -> h.put("X-Custom", "a")).body(new StringRequestContent("text/plain", "hello"))
        .timeout(10, TimeUnit.SECONDS).send();

    assertThat(response.getStatus()).isEqualTo(200);
    RecordedRequest sent = primary.takeRequest(Duration.ofSeconds(10));
    RecordedRequest copy = shadow.takeRequest(Duration.ofSeconds(10));
    assertThat(copy.method()).isEqualTo("POST");
    assertThat(copy.target()).isEqualTo("/orders/7?x=1&y=a%20b").isEqualTo(sent.target());
    assertThat(copy.header("X-Custom")).contains("a");
    assertThat(copy.header("Content-Type")).isEqualTo(sent.header("Content-Type"));
    assertThat(copy.header("X-Forwarded-For")).isEqualTo(sent.header("X-Forwarded-For")).isPresent();
    assertThat(copy.header("Host")).contains("127.0.0.1:" + shadow.port());
    assertThat(copy.header("X-Portico-Mirror")).contains("1");
    assertThat(sent.header("X-Portico-Mirror")).isEmpty();
    assertThat(copy.bodyAsString()).isEqualTo("hello");
  }

  @Test
  void aHeldShadowDelaysNoPrimaryRequestAndCopiesBeyondTheQueueAreDroppedAndCounted() throws Exception {
    startCounting(m -> m.queue(2).timeout(Duration.ofSeconds(30)));
    shadow.hold();

    for (int i = 0; i < 10; i++) {
      assertThat(request("/orders/" + i).send().getStatus()).isEqualTo(200);
    }

    assertThat(primary.requestCount()).isEqualTo(10);
    Await.until("two copies held by the shadow", () -> shadow.inFlight() == 2);
    assertThat(count("orders:dropped")).isEqualTo(8);
    assertThat(count("orders:mirrored")).isZero();
    shadow.release();
    Await.until("the held copies answered", () -> count("orders:mirrored") == 2);
    // Room again: the next copy goes out.
    assertThat(request("/orders/next").send().getStatus()).isEqualTo(200);
    Await.until("the next copy answered", () -> count("orders:mirrored") == 3);
    assertThat(shadow.requestCount()).isEqualTo(3);
  }

  @Test
  void aStoppedShadowFailsNoPrimaryRequestAndItsFailuresAreCounted() throws Exception {
    startCounting(m -> m.timeout(Duration.ofSeconds(2)));
    shadow.stop();

    for (int i = 0; i < 20; i++) {
      ContentResponse response = request("/orders/" + i).method("POST")
          .body(new StringRequestContent("body " + i)).send();
      assertThat(response.getStatus()).isEqualTo(200);
    }

    assertThat(primary.requestCount()).isEqualTo(20);
    Await.until("20 failed copies", () -> count("orders:failed") == 20);
    assertThat(count("orders:mirrored")).isZero();
  }

  @Test
  void aShadowAnsweringErrorsChangesNoPrimaryAnswer() throws Exception {
    startCounting(m -> { });
    shadow.failWith(503);

    for (int i = 0; i < 20; i++) {
      assertThat(request("/orders/" + i).send().getStatus()).isEqualTo(200);
    }

    Await.until("20 answered copies", () -> count("orders:mirrored") == 20);
    assertThat(count("orders:failed")).isZero();
  }

  @Test
  void aBodyOverTheCapReachesThePrimaryWholeAndIsNotMirrored() throws Exception {
    startCounting(m -> m.maxBodySize(1024));
    byte[] big = new byte[100 * 1024];
    Arrays.fill(big, (byte) 'x');
    big[big.length - 1] = 'z';

    // A declared length over the cap, and a chunked body that grows past it.
    assertThat(request("/orders/sized").method("POST").body(new BytesRequestContent(big)).send().getStatus())
        .isEqualTo(200);
    assertThat(request("/orders/chunked").method("POST")
        .body(new InputStreamRequestContent(new ByteArrayInputStream(big))).send().getStatus()).isEqualTo(200);
    // A body within the cap is copied.
    assertThat(request("/orders/small").method("POST")
        .body(new InputStreamRequestContent(new ByteArrayInputStream("small".getBytes(StandardCharsets.UTF_8))))
        .send().getStatus()).isEqualTo(200);

    assertThat(primary.takeRequest(Duration.ofSeconds(10)).body()).isEqualTo(big);
    assertThat(primary.takeRequest(Duration.ofSeconds(10)).body()).isEqualTo(big);
    Await.until("the small copy answered", () -> count("orders:mirrored") == 1);
    assertThat(count("orders:skipped")).isEqualTo(2);
    RecordedRequest copy = shadow.takeRequest(Duration.ofSeconds(10));
    assertThat(copy.target()).isEqualTo("/orders/small");
    assertThat(copy.bodyAsString()).isEqualTo("small");
    assertThat(shadow.requestCount()).isEqualTo(1);
  }

  /**
   * 1,000 requests at 10 %: the copies are Binomial(1000, 0.1), mean 100 and standard deviation
   * 9.49; 100 +/- 47 (about 5 standard deviations) fails a correct sampler with probability below
   * 1e-6, and an ignored percentage (1,000) cannot pass.
   */
  @Test
  void copiesTheSampledPercentageWithinTheBinomialTolerance() throws Exception {
    startCounting(m -> m.percent(10).queue(2000));

    for (int i = 0; i < 1000; i++) {
      assertThat(request("/orders/" + i).send().getStatus()).isEqualTo(200);
    }

    Await.until("copies answered", () -> count("orders:mirrored") == shadow.requestCount() && shadow.inFlight() == 0);
    assertThat(primary.requestCount()).isEqualTo(1000);
    assertThat(count("orders:mirrored")).isBetween(53, 147);
    assertThat(count("orders:dropped") + count("orders:failed") + count("orders:skipped")).isZero();
  }

  @Test
  void theGatewayShutsDownPromptlyWithCopiesInFlight() throws Exception {
    startCounting(m -> m.timeout(Duration.ofSeconds(60)));
    shadow.hold();
    for (int i = 0; i < 3; i++) {
      assertThat(request("/orders/" + i).send().getStatus()).isEqualTo(200);
    }
    Await.until("three copies held", () -> shadow.inFlight() == 3);

    CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
      try {
        server.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    closed.get(20, TimeUnit.SECONDS);
    server = null;

    Await.until("the held copies aborted", () -> count("orders:failed") == 3);
    assertThat(count("orders:mirrored")).isZero();
  }

  @Test
  void explainAndTheAdminViewShowTheMirror() throws Exception {
    startCounting(m -> m.percent(25).maxBodySize(2048).queue(8).timeout(Duration.ofMillis(1500)));

    assertThat(server.handler().explain("GET", "/orders/1", HttpHeaders.empty()).policies())
        .containsExactly("mirror", "proxy");
    Map<String, Object> route = AdminView.of(server.handler()).routes().get(0);
    assertThat(route.get("mirror").toString()).isEqualTo("{target=" + shadow.uri()
        + ", percent=25.0, maxBodySize=2048, queue=8, timeoutMs=1500}");
  }
}
