package dev.portico.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeIdentityProvider;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.test.UpstreamAnswer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A gateway read from a file serves real requests on Jetty: JWT authentication against a fake
 * identity provider's JWKS, a scope rule, a per-user rate limit, a rewrite and identity forwarding.
 */
class FileServedGatewayTest {
  private static FakeIdentityProvider idp;
  private static FakeUpstream upstream;
  private static GatewayServer server;
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    idp = FakeIdentityProvider.start();
    upstream = FakeUpstream.start();
    upstream.answer(UpstreamAnswer.text(200, "order"));
    Map<String, String> env = Map.of("IDP_JWKS", idp.jwksUri(), "IDP_ISSUER", idp.issuer(),
        "ORDERS_UPSTREAM", upstream.uri());
    Gateway gateway = GatewayConfig.builder().environment(env::get).build().readResource("serving/gateway.yaml");
    server = GatewayServer.start(gateway);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    upstream.close();
    idp.close();
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String token(String subject, String scope) {
    return idp.token().subject(subject).audience("orders-api").claim("scope", scope).sign();
  }

  @Test
  void aPermitAllRouteNeedsNoToken() throws Exception {
    assertThat(get("/health", null).statusCode()).isEqualTo(200);
  }

  @Test
  void refusesARequestWithoutATokenWith401AndAChallenge() throws Exception {
    HttpResponse<String> response = get("/api/orders/1", null);
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
  }

  @Test
  void refusesATokenWithoutTheScopeWith403() throws Exception {
    assertThat(get("/api/orders/1", token("bob", "profile")).statusCode()).isEqualTo(403);
  }

  @Test
  void proxiesAnAuthorizedRequestRewrittenWithTheSubjectAndThenLimitsTheUser() throws Exception {
    String token = token("alice", "orders:read");
    int before = upstream.requestCount();

    HttpResponse<String> first = get("/api/orders/42", token);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).isEqualTo("order");
    RecordedRequest seen = upstream.lastRequest().orElseThrow();
    assertThat(seen.path()).isEqualTo("/orders/42");
    assertThat(seen.header("X-User")).hasValue("alice");
    assertThat(seen.header("Authorization")).isEmpty();

    assertThat(get("/api/orders/43", token).statusCode()).isEqualTo(200);
    HttpResponse<String> limited = get("/api/orders/44", token);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    assertThat(limited.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(upstream.requestCount() - before).isEqualTo(2);

    // The limit is per user: another user still gets through.
    assertThat(get("/api/orders/45", token("carol", "orders:read")).statusCode()).isEqualTo(200);
  }
}
