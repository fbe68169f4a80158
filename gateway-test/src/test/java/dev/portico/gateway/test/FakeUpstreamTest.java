package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.upstream.UpstreamGroup;
import dev.portico.gateway.upstream.UpstreamProtocol;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** A FakeUpstream behind a real gateway records what the gateway sends and answers what the test scripts. */
@PorticoTest
class FakeUpstreamTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final FakeUpstream upstream;
  private final GatewayServer server;

  FakeUpstreamTest(FakeUpstream upstream, GatewayServer server) {
    this.upstream = upstream;
    this.server = server;
  }

  @GatewayUnderTest
  static Gateway gateway(FakeUpstream upstream) {
    return Gateway.builder()
        .route("orders", r -> r.path("/api/orders/**").stripPrefix(1).upstream(upstream.uri()))
        .build();
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return CLIENT.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void recordsMethodRawTargetHeadersAndBodyOfWhatTheGatewayForwards() throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(server.uri("/api/orders/7?q=a%2Fb"))
        .header("X-Trace", "t-1").POST(HttpRequest.BodyPublishers.ofString("{\"qty\":2}")));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok");
    RecordedRequest received = upstream.awaitRequests(1, Duration.ofSeconds(10)).get(0);
    assertThat(received.method()).isEqualTo("POST");
    assertThat(received.target()).isEqualTo("/orders/7?q=a%2Fb");
    assertThat(received.path()).isEqualTo("/orders/7");
    assertThat(received.header("x-trace")).hasValue("t-1");
    assertThat(received.header("X-Forwarded-For")).hasValue("127.0.0.1");
    assertThat(received.headerValues("X-Missing")).isEmpty();
    assertThat(received.bodyAsString()).isEqualTo("{\"qty\":2}");
  }

  @Test
  void answersScriptedAnswersInOrderThenTheDefault() throws Exception {
    upstream.answer(UpstreamAnswer.text(202, "default"));
    upstream.enqueue(UpstreamAnswer.json(201, "{\"id\":7}").header("Location", "/orders/7"), UpstreamAnswer.status(503));

    HttpResponse<String> first = send(HttpRequest.newBuilder(server.uri("/api/orders")).POST(HttpRequest.BodyPublishers.noBody()));
    HttpResponse<String> second = send(HttpRequest.newBuilder(server.uri("/api/orders")));
    HttpResponse<String> third = send(HttpRequest.newBuilder(server.uri("/api/orders")));

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(first.headers().firstValue("Location")).hasValue("/orders/7");
    assertThat(first.body()).isEqualTo("{\"id\":7}");
    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(third.statusCode()).isEqualTo(202);
    assertThat(third.body()).isEqualTo("default");
    assertThat(upstream.requestCount()).isEqualTo(3);
  }

  @Test
  void aDelayedAnswerArrivesNoSoonerThanItsDelay() throws Exception {
    upstream.enqueue(UpstreamAnswer.text(200, "late").delay(Duration.ofMillis(300)));
    long start = System.nanoTime();

    CompletableFuture<HttpResponse<String>> pending = CLIENT.sendAsync(HttpRequest.newBuilder(server.uri("/api/orders")).build(),
        HttpResponse.BodyHandlers.ofString());
    List<RecordedRequest> received = upstream.awaitRequests(1, Duration.ofSeconds(10));
    HttpResponse<String> response = pending.get();

    assertThat(received).hasSize(1);
    assertThat(response.body()).isEqualTo("late");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  @Test
  void awaitingMoreRequestsThanArriveFailsWithTheCount() throws Exception {
    send(HttpRequest.newBuilder(server.uri("/api/orders")));

    assertThatThrownBy(() -> upstream.awaitRequests(2, Duration.ofMillis(200)))
        .isInstanceOf(AssertionError.class).hasMessageContaining("received 1 of 2 requests");
  }

  @Test
  void resetForgetsRequestsAndScriptedAnswers() throws Exception {
    upstream.enqueue(UpstreamAnswer.status(500));
    send(HttpRequest.newBuilder(server.uri("/api/orders")));
    upstream.enqueue(UpstreamAnswer.status(500));

    upstream.reset();

    assertThat(upstream.requests()).isEmpty();
    assertThat(upstream.lastRequest()).isEmpty();
    assertThat(send(HttpRequest.newBuilder(server.uri("/api/orders"))).statusCode()).isEqualTo(200);
  }

  @Test
  void answersRefuseHeaderInjectionAndImpossibleStatuses() {
    assertThatThrownBy(() -> UpstreamAnswer.status(200).header("X-A", "a\r\nX-B: b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("X-A");
    assertThatThrownBy(() -> UpstreamAnswer.status(200).header("X A", "a")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UpstreamAnswer.status(99)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("99");
    assertThatThrownBy(() -> UpstreamAnswer.status(200).delay(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void takeRequestHandsOutEachRequestOnceInOrderAndPollDoesNotWait() throws Exception {
    send(HttpRequest.newBuilder(server.uri("/api/orders/1")));
    send(HttpRequest.newBuilder(server.uri("/api/orders/2")));

    assertThat(upstream.takeRequest().target()).isEqualTo("/orders/1");
    assertThat(upstream.pollRequest()).map(RecordedRequest::target).hasValue("/orders/2");
    assertThat(upstream.pollRequest()).isEmpty();
    assertThat(upstream.requestCount()).as("taking forgets nothing").isEqualTo(2);
    assertThatThrownBy(() -> upstream.takeRequest(Duration.ofMillis(100)))
        .isInstanceOf(AssertionError.class).hasMessageContaining("received no request within").hasMessageContaining("2 taken");
  }

  @Test
  void resetStartsTakingAfresh() throws Exception {
    send(HttpRequest.newBuilder(server.uri("/api/orders/1")));
    upstream.takeRequest();

    upstream.reset();
    send(HttpRequest.newBuilder(server.uri("/api/orders/2")));

    assertThat(upstream.takeRequest().target()).isEqualTo("/orders/2");
  }

  @Test
  void aResponderAnswersInsteadOfTheScriptedAnswersAndSeesTheRecordedRequest() throws Exception {
    upstream.enqueue(UpstreamAnswer.status(503));
    upstream.respondWith((recorded, request, response, callback) -> {
      response.setStatus(207);
      response.getHeaders().put("X-Seen", recorded.method() + " " + recorded.target() + " " + recorded.bodyAsString());
      callback.succeeded();
    });

    HttpResponse<String> response = send(HttpRequest.newBuilder(server.uri("/api/orders/3"))
        .POST(HttpRequest.BodyPublishers.ofString("qty=2")));

    assertThat(response.statusCode()).isEqualTo(207);
    assertThat(response.headers().firstValue("X-Seen")).hasValue("POST /orders/3 qty=2");
    assertThat(upstream.takeRequest().bodyAsString()).isEqualTo("qty=2");
  }

  @Test
  void recordsHeaderNamesAndValuesInTheCaseTheyCameIn() throws Exception {
    send(HttpRequest.newBuilder(server.uri("/api/orders")).header("x-MiXeD", "VaLuE"));

    RecordedRequest received = upstream.takeRequest();
    assertThat(received.headers()).anySatisfy(field -> {
      assertThat(field.getKey()).isEqualTo("x-MiXeD");
      assertThat(field.getValue()).isEqualTo("VaLuE");
    });
  }

  @Test
  void anUpstreamWithAHandlerOfItsOwnRecordsNothingAndCountsConnections() throws Exception {
    try (FakeUpstream raw = FakeUpstream.start(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.setStatus(204);
        callback.succeeded();
        return true;
      }
    })) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<Void> response = client.send(HttpRequest.newBuilder(raw.baseUri().resolve("/x"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());

      assertThat(response.statusCode()).isEqualTo(204);
      assertThat(raw.uri()).startsWith("http://127.0.0.1:");
      assertThat(raw.openConnections()).as("the client keeps its connection alive").isEqualTo(1);
      assertThat(raw.requests()).isEmpty();
      assertThat(raw.pollRequest()).isEmpty();
    }
  }

  private static HttpResponse<String> direct(FakeUpstream target, String path) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(target.baseUri().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitInFlight(FakeUpstream target, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (target.inFlight() != count) {
      assertThat(System.nanoTime()).as("in flight: %s, expected %s", target.inFlight(), count).isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  @Test
  void stoppedRefusesConnectionsAndRestartedListensAgainOnTheSamePort() throws Exception {
    try (FakeUpstream target = FakeUpstream.start()) {
      int port = target.port();
      assertThat(direct(target, "/before").statusCode()).isEqualTo(200);

      target.stop();
      assertThatThrownBy(() -> direct(target, "/while-stopped")).isInstanceOf(ConnectException.class);
      target.restart();

      assertThat(target.port()).isEqualTo(port);
      assertThat(direct(target, "/after").statusCode()).isEqualTo(200);
      assertThat(target.requests()).extracting(RecordedRequest::path).containsExactly("/before", "/after");
    }
  }

  @Test
  void heldAnswersWaitForReleaseAndCountAsInFlight() throws Exception {
    try (FakeUpstream target = FakeUpstream.start()) {
      target.hold();
      CompletableFuture<HttpResponse<String>> first = CLIENT.sendAsync(
          HttpRequest.newBuilder(target.baseUri().resolve("/1")).build(), HttpResponse.BodyHandlers.ofString());
      CompletableFuture<HttpResponse<String>> second = CLIENT.sendAsync(
          HttpRequest.newBuilder(target.baseUri().resolve("/2")).build(), HttpResponse.BodyHandlers.ofString());
      target.awaitRequests(2, Duration.ofSeconds(10));
      awaitInFlight(target, 2);
      assertThat(first).isNotDone();
      assertThat(second).isNotDone();

      target.release();

      assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(second.get(10, TimeUnit.SECONDS).body()).isEqualTo("ok");
      awaitInFlight(target, 0);
      assertThat(direct(target, "/3").statusCode()).as("no longer holding").isEqualTo(200);
    }
  }

  @Test
  void failsWithAStatusKeepingTheDefaultAnswerUntilItRecovers() throws Exception {
    try (FakeUpstream target = FakeUpstream.start()) {
      target.answer(UpstreamAnswer.text(200, "a").header("X-Served-By", "a"));
      target.enqueue(UpstreamAnswer.text(201, "scripted"));

      target.failWith(503);
      HttpResponse<String> failed = direct(target, "/x");
      target.recover();
      HttpResponse<String> recovered = direct(target, "/x");

      assertThat(failed.statusCode()).isEqualTo(503);
      assertThat(failed.body()).isEqualTo("a");
      assertThat(failed.headers().firstValue("X-Served-By")).hasValue("a");
      assertThat(recovered.statusCode()).as("the scripted answer waited").isEqualTo(201);
      assertThat(target.requestCount()).isEqualTo(2);
      assertThatThrownBy(() -> target.failWith(99)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> target.failEarlyWith(600)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void failingEarlyAnswersBeforeReadingTheBodyAndRecordsTheRequestWithoutIt() throws Exception {
    upstream.failEarlyWith(503);

    HttpResponse<String> response = send(HttpRequest.newBuilder(server.uri("/api/orders"))
        .POST(HttpRequest.BodyPublishers.ofString("refused")));

    assertThat(response.statusCode()).isEqualTo(503);
    RecordedRequest received = upstream.takeRequest();
    assertThat(received.method()).isEqualTo("POST");
    assertThat(received.body()).isEmpty();
  }

  @Test
  void answersTheHealthPathApartFromTheRecordedRequests() throws Exception {
    try (FakeUpstream target = FakeUpstream.start().answerHealth("/health")) {
      target.failWith(500);
      assertThat(direct(target, "/health").statusCode()).as("health answers despite the failure").isEqualTo(200);
      target.healthStatus(503);
      assertThat(direct(target, "/health?full=1").statusCode()).isEqualTo(503);
      assertThat(direct(target, "/orders").statusCode()).isEqualTo(500);

      assertThat(target.probeCount()).isEqualTo(2);
      assertThat(target.requests()).extracting(RecordedRequest::path).containsExactly("/orders");
      assertThat(target.pollRequest()).get().extracting(RecordedRequest::path).isEqualTo("/orders");
      assertThatThrownBy(() -> target.answerHealth("health")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> target.healthStatus(700)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void recordsTheProtocolAndClientPortOfEachRequest() throws Exception {
    // The gateway hands its upstream connection back to the pool just after the client has the
    // answer, so one pair of requests may race it; ten in a row without one reuse would not.
    int sent = 10;
    for (int i = 0; i < sent; i++) {
      send(HttpRequest.newBuilder(server.uri("/api/orders/" + i)));
    }

    List<RecordedRequest> received = upstream.awaitRequests(sent, Duration.ofSeconds(10));
    assertThat(received).extracting(RecordedRequest::protocol).containsOnly("HTTP/1.1");
    assertThat(received).allSatisfy(request -> assertThat(request.clientPort()).isPositive());
    assertThat(received.stream().map(RecordedRequest::clientPort).distinct().count())
        .as("the gateway keeps its upstream connection alive").isLessThan(sent);
  }

  @Test
  void anH2cUpstreamSpeaksHttp2WithPriorKnowledge() throws Exception {
    try (FakeUpstream h2c = FakeUpstream.startH2c();
        GatewayServer gateway = GatewayServer.start(Gateway.builder()
            .upstreamGroup(UpstreamGroup.builder("svc").endpoint(h2c.uri()).protocol(UpstreamProtocol.HTTP_2).build())
            .route("svc", r -> r.path("/svc/**").upstreamGroup("svc"))
            .build())) {
      HttpResponse<String> response = send(HttpRequest.newBuilder(gateway.uri("/svc/x"))
          .POST(HttpRequest.BodyPublishers.ofString("over h2c")));

      assertThat(response.statusCode()).isEqualTo(200);
      RecordedRequest received = h2c.takeRequest();
      assertThat(received.protocol()).isEqualTo("HTTP/2.0");
      assertThat(received.bodyAsString()).isEqualTo("over h2c");
      assertThatThrownBy(() -> direct(h2c, "/http1")).as("HTTP/1.1 is refused").isInstanceOf(Exception.class);
    }
  }
}
