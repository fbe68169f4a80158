package dev.portico.gateway.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Runs the JWT example on an ephemeral port: fetches a token from its demo issuer, then calls the route. */
class JwtDemoExampleTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private static JwtDemoExample example;

  @BeforeAll
  static void start() throws Exception {
    example = JwtDemoExample.start(0);
  }

  @AfterAll
  static void stop() {
    if (example != null) {
      example.close();
    }
  }

  @Test
  void aTokenFromTheDemoIssuerOpensTheRouteAndOnlyIdentityHeadersGoUpstream() throws Exception {
    String token = token("alice", "orders:read");

    HttpResponse<String> response = send(HttpRequest.newBuilder(example.uri().resolve("/api/orders/7"))
        .header("Authorization", "Bearer " + token));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode echo = JSON.readTree(response.body());
    assertThat(echo.path("path").asString()).isEqualTo("/orders/7");
    JsonNode headers = echo.path("headers");
    assertThat(headers.path("X-Auth-Subject").asString()).isEqualTo("alice");
    assertThat(headers.path("X-Auth-Scopes").asString()).isEqualTo("orders:read");
    assertThat(headers.path("X-Auth-Method").asString()).isEqualTo("jwt");
    assertThat(headers.path("Authorization").isNull()).as("the token is not sent upstream").isTrue();
  }

  @Test
  void answersATokenWithoutTheScopeWith403InsufficientScope() throws Exception {
    String token = token("bob", "profile");

    HttpResponse<String> response = send(HttpRequest.newBuilder(example.uri().resolve("/api/orders/7"))
        .header("Authorization", "Bearer " + token));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
        challenge -> assertThat(challenge).contains("error=\"insufficient_scope\"", "scope=\"orders:read\""));
  }

  @Test
  void answersARequestWithoutATokenWith401AndABearerChallenge() throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(example.uri().resolve("/api/orders/7")));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"api\"");
  }

  /** What {@code curl -s -d sub=.. -d scope=.. <issuer>/token} does. */
  private static String token(String subject, String scope) throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(example.tokenEndpoint())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("sub=" + subject + "&scope=" + scope)));
    assertThat(response.statusCode()).as("demo issuer: %s", response.body()).isEqualTo(200);
    return response.body().strip();
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return CLIENT.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
