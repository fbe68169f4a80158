package dev.portico.gateway.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.test.FakeIdentityProvider;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.GatewayUnderTest;
import dev.portico.gateway.test.PorticoTest;
import dev.portico.gateway.test.UpstreamAnswer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** One gateway and its fakes for the whole class, through {@code @PorticoTest}. */
// tag::extension[]
@PorticoTest
class PorticoTestExampleTest {
  private final HttpClient client = HttpClient.newHttpClient();

  @GatewayUnderTest                                    // started once, before the first test
  static Gateway gateway(FakeUpstream orders, FakeIdentityProvider idp) {
    return Gateway.builder()
        .route("orders", r -> r.path("/api/orders/**")
            .authenticator(JwtAuthenticator.builder().issuer(idp.issuer()).audience("orders-api").build())
            .stripPrefix(1).upstream(orders.uri()))
        .build();
  }

  @Test
  void aTokenFromTheProviderReachesTheUpstream(GatewayServer server, FakeUpstream orders,
      FakeIdentityProvider idp) throws Exception {
    orders.enqueue(UpstreamAnswer.json(200, "{\"id\":7}"));
    String token = idp.token().audience("orders-api").sign();

    HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.uri("/api/orders/7"))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.body()).isEqualTo("{\"id\":7}");
    assertThat(orders.awaitRequests(1, Duration.ofSeconds(5)).get(0).target()).isEqualTo("/orders/7");
  }

  @Test
  void noTokenIsAnswered401AndNeverReachesTheUpstream(GatewayServer server, FakeUpstream orders)
      throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.uri("/api/orders/7")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(orders.requestCount()).isZero();         // the upstreams forget between tests
  }
}
// end::extension[]
