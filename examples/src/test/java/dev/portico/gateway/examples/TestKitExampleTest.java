package dev.portico.gateway.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.test.FakeIdentityProvider;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.test.TestClock;
import dev.portico.gateway.test.UpstreamAnswer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The test kit's fakes in a host's test, as the testing page shows them. */
class TestKitExampleTest {
  private final HttpClient client = HttpClient.newHttpClient();

  private HttpResponse<String> get(GatewayServer server, String path, String token) throws Exception {
    return client.send(HttpRequest.newBuilder(server.uri(path)).header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aTokenFromTheFakeProviderReachesTheFakeUpstreamUntilItExpires() throws Exception {
    // tag::fakes[]
    TestClock clock = TestClock.atNow();
    try (FakeIdentityProvider idp = FakeIdentityProvider.builder().clock(clock).start();
         FakeUpstream orders = FakeUpstream.start();
         JwtAuthenticator jwt = JwtAuthenticator.builder()
             .issuer(idp.issuer()).audience("orders-api").clock(clock).build();
         GatewayServer server = GatewayServer.start(Gateway.builder()
             .route("orders", r -> r.path("/api/orders/**").authenticator(jwt)
                 .stripPrefix(1).upstream(orders.uri()))
             .build())) {
      orders.enqueue(UpstreamAnswer.json(200, "{\"id\":7}"));
      String token = idp.token().subject("alice").audience("orders-api")
          .expiresIn(Duration.ofMinutes(5)).sign();

      assertThat(get(server, "/api/orders/7", token).body()).isEqualTo("{\"id\":7}");
      RecordedRequest received = orders.awaitRequests(1, Duration.ofSeconds(5)).get(0);
      assertThat(received.target()).isEqualTo("/orders/7");
      assertThat(received.header("X-Forwarded-For")).hasValue("127.0.0.1");

      clock.advance(Duration.ofMinutes(10));           // no waiting: the token is now expired
      assertThat(get(server, "/api/orders/7", token).statusCode()).isEqualTo(401);
      assertThat(orders.requestCount()).isEqualTo(1);
    }
    // end::fakes[]
  }

  private HttpResponse<String> get(GatewayServer server, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aFailingThenStoppedUpstreamRecoversOnTheSamePort() throws Exception {
    // tag::failover[]
    try (FakeUpstream orders = FakeUpstream.start();
         GatewayServer server = GatewayServer.start(Gateway.builder()
             .route("orders", r -> r.path("/api/orders/**").stripPrefix(1).upstream(orders.uri()))
             .build())) {
      orders.failWith(503);                            // every answer fails, until recover()
      assertThat(get(server, "/api/orders/7").statusCode()).isEqualTo(503);
      orders.recover();

      orders.stop();                                   // connections are refused ...
      assertThat(get(server, "/api/orders/7").statusCode()).isEqualTo(502);
      orders.restart();                                // ... until it listens again, on the same port
      assertThat(get(server, "/api/orders/7").statusCode()).isEqualTo(200);
      assertThat(orders.requests()).extracting(RecordedRequest::protocol).containsExactly("HTTP/1.1", "HTTP/1.1");
    }
    // end::failover[]
  }
}
