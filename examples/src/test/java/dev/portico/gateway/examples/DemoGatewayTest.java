package dev.portico.gateway.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Runs the demo on an ephemeral port and sends real requests through its gateway. */
class DemoGatewayTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static DemoGateway demo;
  private static HttpClient client;

  @BeforeAll
  static void startDemo() throws Exception {
    demo = DemoGateway.start(0);
    client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  @AfterAll
  static void stopDemo() {
    if (demo != null) {
      demo.close();
    }
  }

  @Test
  void proxiesToTheOrdersBackendWithForwardingHeadersAndTheClientsRequestId() throws Exception {
    HttpResponse<String> response = send(request("/api/orders/42").header("X-Request-Id", "demo-test-1"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.headers().firstValue("X-Request-Id")).hasValue("demo-test-1");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("id").asString()).isEqualTo("42");
    JsonNode received = body.path("received");
    assertThat(received.path("path").asString()).isEqualTo("/orders/42");
    assertThat(received.path("X-Demo-Route").asString()).isEqualTo("order");
    assertThat(received.path("X-Request-Id").asString()).isEqualTo("demo-test-1");
    assertThat(received.path("X-Forwarded-For").asString()).isEqualTo("127.0.0.1");
    assertThat(received.path("X-Forwarded-Proto").asString()).isEqualTo("http");
    assertThat(received.path("host").asString()).isEqualTo(demo.ordersBackendUri().getAuthority());
  }

  @Test
  void servesPrometheusMetricsAndTheAdminViewOnTheAdminPortOnly() throws Exception {
    send(request("/api/orders/1"));

    HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(demo.adminUri().resolve("/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> ready = client.send(HttpRequest.newBuilder(demo.adminUri().resolve("/ready")).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> notOnThePublicPort = send(request("/metrics"));

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("portico_requests_seconds_count{").contains("route=\"order\"");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(notOnThePublicPort.body()).doesNotContain("portico_requests");
  }

  @Test
  void generatesARequestIdWhenTheClientSendsNone() throws Exception {
    HttpResponse<String> response = send(request("/api/orders/7"));

    assertThat(response.statusCode()).isEqualTo(200);
    String sentUpstream = JSON.readTree(response.body()).path("received").path("X-Request-Id").asString();
    assertThat(sentUpstream).matches("[A-Za-z0-9._:-]{1,128}");
    assertThat(response.headers().firstValue("X-Request-Id")).hasValue(sentUpstream);
  }

  @Test
  void catchAllRouteStripsTheFirstSegment() throws Exception {
    HttpResponse<String> response = send(request("/api/orders/42/items"));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode received = JSON.readTree(response.body()).path("received");
    assertThat(received.path("path").asString()).isEqualTo("/orders/42/items");
    assertThat(received.path("X-Demo-Route").asString()).isEqualTo("orders");
  }

  @Test
  void refusesAPathParameterWith400BadPathProblem() throws Exception {
    HttpResponse<String> response = send(request("/api/orders/42;jsessionid=x"));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/problem+json"));
    JsonNode problem = JSON.readTree(response.body());
    assertThat(problem.path("type").asString()).isEqualTo("https://portico.dev/problems/bad-path");
    assertThat(problem.path("status").asInt()).isEqualTo(400);
    assertThat(problem.path("title").asString()).isEqualTo("Bad request path");
    assertThat(problem.path("requestId").asString())
        .isNotEmpty()
        .isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
  }

  @Test
  void answersAWrongMethodWith405ProblemAndAllow() throws Exception {
    HttpResponse<String> response = send(request("/api/orders").POST(HttpRequest.BodyPublishers.ofString("{}")));

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("GET");
    assertThat(JSON.readTree(response.body()).path("type").asString())
        .isEqualTo("https://portico.dev/problems/method-not-allowed");
  }

  @Test
  void handsUnmatchedRequestsBackToTheHostsOwnHandler() throws Exception {
    HttpResponse<String> response = send(request("/"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).startsWith("This page comes from the host application");
  }

  @Test
  void streamsServerSentEventsAsTheBackendSendsThem() throws Exception {
    HttpResponse<Stream<String>> response = client.send(request("/events").build(),
        HttpResponse.BodyHandlers.ofLines());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/event-stream"));
    List<String> data = new ArrayList<>();
    long firstEventAt = 0;
    try (Stream<String> lines = response.body()) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.startsWith("data:")) {
          if (data.isEmpty()) {
            firstEventAt = System.nanoTime();
          }
          data.add(line);
        }
      }
    }
    long afterFirstEvent = Duration.ofNanos(System.nanoTime() - firstEventAt).toMillis();

    assertThat(data).hasSize(DemoGateway.EventsBackend.EVENTS);
    // The backend waits 500 ms between events: had the gateway buffered the stream, the first
    // event would have arrived together with the last.
    assertThat(afterFirstEvent).isGreaterThanOrEqualTo(1500);
  }

  private HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(demo.gatewayUri().resolve(URI.create(pathAndQuery)))
        .timeout(Duration.ofSeconds(10));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
