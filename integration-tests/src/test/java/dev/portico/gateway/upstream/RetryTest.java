package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.RefusingPort;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retries through real hops: to another endpoint, on connect failures and retryable statuses, only
 * when safe for the method and the body, within the per-try timeout and the budget. With round robin
 * and equal weights the first request goes to the first endpoint.
 */
class RetryTest {
  private final GroupHarness h = new GroupHarness();

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  private void start(RetryPolicy policy, String... uris) throws Exception {
    UpstreamGroup.Builder group = UpstreamGroup.builder("svc").outlierDetection(OutlierDetection.disabled());
    for (String uri : uris) {
      group.endpoint(uri);
    }
    h.start(Gateway.builder()
        .upstreamGroup(group.build())
        .route("svc", r -> r.path("/svc/**").upstreamGroup("svc").retry(policy))
        .build());
  }

  private ContentResponse send(String method, String body) throws Exception {
    return h.request("/svc/x").method(method).body(new StringRequestContent("text/plain", body)).send();
  }

  @Test
  void retriesAnIdempotentRequestOnAnotherEndpointAfter503() throws Exception {
    FakeUpstream a = h.backend("a").failWith(503);
    FakeUpstream b = h.backend("b");
    start(RetryPolicy.defaults(), a.uri(), b.uri());

    ContentResponse response = h.get("/svc/x");

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getContentAsString()).isEqualTo("b");
    assertThat(a.requestCount()).isEqualTo(1);
    assertThat(b.requestCount()).isEqualTo(1);
  }

  @Test
  void retriesEvenAPostWhenTheConnectionWasRefused() throws Exception {
    FakeUpstream b = h.backend("b");
    start(RetryPolicy.defaults(), "http://127.0.0.1:" + RefusingPort.reserve(), b.uri());

    ContentResponse response = send("POST", "order #1");

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(GroupHarness.bodies(b)).containsExactly("order #1");
  }

  @Test
  void doesNotRetryAPostOnceItsBodyWasSent() throws Exception {
    FakeUpstream a = h.backend("a").failWith(503);
    FakeUpstream b = h.backend("b");
    start(RetryPolicy.defaults(), a.uri(), b.uri());

    ContentResponse response = send("POST", "order #2");

    assertThat(response.getStatus()).isEqualTo(503);
    assertThat(GroupHarness.bodies(a)).containsExactly("order #2");
    assertThat(b.requestCount()).isZero();
  }

  @Test
  void retriesAPostWhenTheRouteSaysSo() throws Exception {
    FakeUpstream a = h.backend("a").failWith(503);
    FakeUpstream b = h.backend("b");
    start(RetryPolicy.builder().retryNonIdempotent().build(), a.uri(), b.uri());

    ContentResponse response = send("POST", "order #3");

    assertThat(response.getContentAsString()).isEqualTo("b");
    assertThat(GroupHarness.bodies(b)).containsExactly("order #3");
  }

  @Test
  void replaysAPutBodyWithinTheCapToTheNextEndpoint() throws Exception {
    FakeUpstream a = h.backend("a").failWith(502);
    FakeUpstream b = h.backend("b");
    start(RetryPolicy.defaults(), a.uri(), b.uri());
    String body = "p".repeat(40_000);

    ContentResponse response = send("PUT", body);

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(GroupHarness.bodies(a)).containsExactly(body);
    assertThat(GroupHarness.bodies(b)).containsExactly(body);
  }

  @Test
  void replaysWhatWasKeptAndGoesOnReadingAStreamingBodyWhenTheFirstEndpointAnsweredEarly() throws Exception {
    FakeUpstream a = h.backend("a").failEarlyWith(503);
    FakeUpstream b = h.backend("b");
    start(RetryPolicy.defaults(), a.uri(), b.uri());
    AsyncRequestContent body = new AsyncRequestContent("text/plain");
    CompletableFuture<ContentResponse> response =
        new CompletableResponseListener(h.request("/svc/x").method("PUT").body(body)).send();

    body.write(ByteBuffer.wrap("1".repeat(1000).getBytes(StandardCharsets.UTF_8)), Callback.NOOP);
    Await.until("a refused the request", () -> a.requestCount() == 1);
    body.write(ByteBuffer.wrap("2".repeat(1000).getBytes(StandardCharsets.UTF_8)), Callback.NOOP);
    body.close();

    assertThat(response.get(10, TimeUnit.SECONDS).getContentAsString()).isEqualTo("b");
    assertThat(GroupHarness.bodies(b)).containsExactly("1".repeat(1000) + "2".repeat(1000));
  }

  @Test
  void doesNotRetryABodyLargerThanTheReplayCap() throws Exception {
    FakeUpstream a = h.backend("a").failWith(502);
    FakeUpstream b = h.backend("b");
    start(RetryPolicy.builder().maxReplayBytes(1024).build(), a.uri(), b.uri());

    ContentResponse response = send("PUT", "p".repeat(10_000));

    assertThat(response.getStatus()).isEqualTo(502);
    assertThat(b.requestCount()).isZero();
  }

  @Test
  void aPerTryTimeoutMovesOnToAFasterEndpoint() throws Exception {
    FakeUpstream slow = h.backend("slow").hold();   // answers only when the test ends
    FakeUpstream fast = h.backend("fast");
    start(RetryPolicy.builder().perTryTimeout(Duration.ofMillis(200)).build(), slow.uri(), fast.uri());

    long start = System.nanoTime();
    ContentResponse response = h.get("/svc/x");

    assertThat(response.getContentAsString()).isEqualTo("fast");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
  }

  @Test
  void noRetryStartsAfterTheDeadline() throws Exception {
    FakeUpstream a = h.backend("a", Duration.ofMillis(150)).failWith(503);
    FakeUpstream b = h.backend("b", Duration.ofMillis(150)).failWith(503);
    start(RetryPolicy.builder().maxRetries(5).budget(100, 100).deadline(Duration.ofMillis(300))
        .backoff(Duration.ZERO, Duration.ZERO).build(), a.uri(), b.uri());

    ContentResponse response = h.get("/svc/x");

    // Without the deadline, six tries of 150 ms each; with it, the second try is in flight when it passes.
    assertThat(response.getStatus()).isEqualTo(504);
    assertThat(a.requestCount() + b.requestCount()).isBetween(1, 2);
  }

  @Test
  void aTryInFlightWhenTheDeadlinePassesIsAborted() throws Exception {
    FakeUpstream a = h.backend("a", Duration.ofMillis(3_000));
    FakeUpstream b = h.backend("b");
    start(RetryPolicy.builder().deadline(Duration.ofMillis(200)).backoff(Duration.ZERO, Duration.ZERO).build(),
        a.uri(), b.uri());

    long start = System.nanoTime();
    ContentResponse response = h.get("/svc/x");

    assertThat(response.getStatus()).isEqualTo(504);
    assertThat(response.getContentAsString()).contains("upstream-timeout").contains("retry deadline");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
    assertThat(b.requestCount()).isZero();
  }

  @Test
  void givesUpAfterMaxRetriesWithTheLastAnswer() throws Exception {
    FakeUpstream a = h.backend("a").failWith(503);
    FakeUpstream b = h.backend("b").failWith(504);
    start(RetryPolicy.builder().maxRetries(3).budget(100, 100).build(), a.uri(), b.uri());

    ContentResponse response = h.get("/svc/x");

    assertThat(a.requestCount() + b.requestCount()).isEqualTo(4);
    assertThat(response.getStatus()).isIn(503, 504);
  }

  @Test
  void theRetryBudgetCapsRetriesAtItsShareOfRequests() throws Exception {
    FakeUpstream a = h.backend("a").failWith(503);
    FakeUpstream b = h.backend("b").failWith(503);
    // Up to 3 retries each, but retries may be at most 10 % of requests (no per-second allowance).
    start(RetryPolicy.builder().maxRetries(3).backoff(Duration.ZERO, Duration.ZERO).budget(10, 0).build(),
        a.uri(), b.uri());

    int requests = 100;
    for (int i = 0; i < requests; i++) {
      assertThat(h.get("/svc/x").getStatus()).isEqualTo(503);
    }

    // Without the budget: 400 upstream requests. With it: 100 plus at most 10 % of 100 (the window is 10 s).
    int upstream = a.requestCount() + b.requestCount();
    assertThat(upstream).isBetween(requests + 1, requests + 10);
  }
}
