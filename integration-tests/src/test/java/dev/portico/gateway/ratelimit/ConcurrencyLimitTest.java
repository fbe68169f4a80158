package dev.portico.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.io.Content;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The bulkhead: at most N in flight, a bounded queue with a timeout, permits back at the exchange's end. */
class ConcurrencyLimitTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private FakeUpstream upstream;
  private GatewayServer host;
  /** Responses the upstream holds until the test lets them go, oldest first. */
  private final BlockingQueue<Runnable> held = new LinkedBlockingQueue<>();

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = FakeUpstream.start().respondWith((received, request, response, callback) ->
        held.add(() -> Content.Sink.write(response, true, "done " + received.target(), callback)));
  }

  @AfterEach
  void stop() throws Exception {
    Runnable r;
    while ((r = held.poll()) != null) {
      r.run();
    }
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  private void start(Gateway.Builder gateway) throws Exception {
    host = GatewayServer.builder().gateway(gateway.accessLog(entry -> { }).build())
        .permissiveUris(true).hostAnswer().start();
  }

  private CompletableFuture<ContentResponse> send(String path, String... headers) throws Exception {
    Request request = host.client().newRequest(host.uri(path)).timeout(10, TimeUnit.SECONDS);
    for (int i = 0; i < headers.length; i += 2) {
      String name = headers[i];
      String value = headers[i + 1];
      request.headers(h -> h.add(name, value));
    }
    return new CompletableResponseListener(request).send();
  }

  /** Lets the oldest held upstream response go. */
  private void releaseOne() throws InterruptedException {
    Runnable next = held.poll(10, TimeUnit.SECONDS);
    assertThat(next).as("a held upstream response").isNotNull();
    next.run();
  }

  private static void assertOverloaded(ContentResponse response) {
    assertThat(response.getStatus()).isEqualTo(503);
    JsonNode body = JSON.readTree(response.getContentAsString());
    assertThat(body.get("type").asString()).isEqualTo("https://portico.dev/problems/overloaded");
  }

  @Test
  void refusesRequestsOverTheLimitAtOnceWith503() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())
        .concurrencyLimit(ConcurrencyLimit.of(2))));
    CompletableFuture<ContentResponse> first = send("/api/1");
    CompletableFuture<ContentResponse> second = send("/api/2");
    upstream.takeRequest();
    upstream.takeRequest();

    ContentResponse third = send("/api/3").get(5, TimeUnit.SECONDS);

    assertOverloaded(third);
    releaseOne();
    releaseOne();
    assertThat(first.get(5, TimeUnit.SECONDS).getStatus()).isEqualTo(200);
    assertThat(second.get(5, TimeUnit.SECONDS).getStatus()).isEqualTo(200);
    CompletableFuture<ContentResponse> fourth = send("/api/4");
    assertThat(upstream.takeRequest().target()).as("permits came back when the exchanges ended").isEqualTo("/api/4");
    releaseOne();
    assertThat(fourth.get(5, TimeUnit.SECONDS).getStatus()).isEqualTo(200);
  }

  @Test
  void aQueuedRequestProceedsWhenAPermitComesBack() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())
        .concurrencyLimit(ConcurrencyLimit.of(1).queue(1, Duration.ofSeconds(10)))));
    CompletableFuture<ContentResponse> first = send("/api/1");
    upstream.takeRequest();
    CompletableFuture<ContentResponse> queued = send("/api/2");
    assertThat(upstream.pollRequest()).as("nothing passed the bulkhead while the first was in flight").isEmpty();

    releaseOne();

    assertThat(first.get(5, TimeUnit.SECONDS).getContentAsString()).isEqualTo("done /api/1");
    assertThat(upstream.takeRequest().target()).isEqualTo("/api/2");
    releaseOne();
    assertThat(queued.get(5, TimeUnit.SECONDS).getContentAsString()).isEqualTo("done /api/2");
  }

  @Test
  void aQueuedRequestGivesUpWith503AfterMaxWait() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())
        .concurrencyLimit(ConcurrencyLimit.of(1).queue(1, Duration.ofMillis(200)))));
    send("/api/1");
    upstream.takeRequest();

    long start = System.nanoTime();
    ContentResponse queued = send("/api/2").get(5, TimeUnit.SECONDS);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(180));
    assertOverloaded(queued);
    assertThat(queued.getContentAsString()).contains("within 200 ms");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void aFullQueueRefusesAtOnce() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())
        .concurrencyLimit(ConcurrencyLimit.of(1).queue(1, Duration.ofSeconds(10)))));
    send("/api/1");
    upstream.takeRequest();

    // Of two more, whichever comes second finds the queue full and is refused at once.
    CompletableFuture<ContentResponse> second = send("/api/2");
    CompletableFuture<ContentResponse> third = send("/api/3");
    ContentResponse refused = (ContentResponse) CompletableFuture.anyOf(second, third).get(5, TimeUnit.SECONDS);

    assertOverloaded(refused);
    CompletableFuture<ContentResponse> waiting = second.isDone() && second.get() == refused ? third : second;
    assertThat(waiting).isNotDone();
    releaseOne();
    upstream.takeRequest();
    releaseOne();
    assertThat(waiting.get(5, TimeUnit.SECONDS).getStatus()).isEqualTo(200);
  }

  @Test
  void perKeyLimitsEachKeySeparately() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())
        .concurrencyLimit(ConcurrencyLimit.of(1).perKey(KeyResolver.header("X-Tenant")))));
    send("/api/a1", "X-Tenant", "acme");
    upstream.takeRequest();

    ContentResponse secondAcme = send("/api/a2", "X-Tenant", "acme").get(5, TimeUnit.SECONDS);
    CompletableFuture<ContentResponse> globex = send("/api/g1", "X-Tenant", "globex");

    assertOverloaded(secondAcme);
    assertThat(upstream.takeRequest().target()).isEqualTo("/api/g1");
    releaseOne();
    releaseOne();
    assertThat(globex.get(5, TimeUnit.SECONDS).getStatus()).isEqualTo(200);
  }

  @Test
  void thePermitComesBackWhenTheExchangeFails() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    start(Gateway.builder().route("down", r -> r.path("/down/**").upstream("http://127.0.0.1:" + closedPort)
        .concurrencyLimit(ConcurrencyLimit.of(1))));

    for (int i = 0; i < 3; i++) {
      assertThat(send("/down/x").get(10, TimeUnit.SECONDS).getStatus()).as("attempt %d", i).isEqualTo(502);
    }
  }
}
