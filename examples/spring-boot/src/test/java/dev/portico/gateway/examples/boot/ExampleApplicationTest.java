package dev.portico.gateway.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The example application as {@code mvn spring-boot:run} starts it (the dev profile, with its fake
 * backends and development token issuer), on embedded Tomcat and a free port, with real HTTP
 * requests: tokens come from the development token endpoint, as the printed curl commands get them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("dev")
class ExampleApplicationTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final JsonMapper JSON = JsonMapper.shared();

  @LocalServerPort
  int port;

  @Value("${portico.limiters.perUser.limit}")
  int limitPerMinute;

  @Test
  void theApplicationsOwnControllerAnswersPathsNoRouteMatches() throws Exception {
    HttpResponse<String> hello = get("/hello");
    HttpResponse<String> version = get("/api/version");

    assertThat(hello.statusCode()).isEqualTo(200);
    assertThat(json(hello).path("message").asString()).isEqualTo("Hello from the application's own controller");
    assertThat(version.statusCode()).isEqualTo(200);
    assertThat(json(version).path("application").asString()).isEqualTo("spring-boot-example");
  }

  @Test
  void aGatewayRouteWithoutATokenIsRefusedWith401ProblemJson() throws Exception {
    HttpResponse<String> response = get("/api/orders/7");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/problem+json"));
    assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
        challenge -> assertThat(challenge).startsWith("Bearer"));
    assertThat(json(response).path("type").asString()).isEqualTo("https://portico.dev/problems/unauthorized");
  }

  @Test
  void aTokenFromTheIssuerGetsTheRequestProxiedToTheOrdersBackend() throws Exception {
    HttpResponse<String> response = get("/api/orders/7?full=true", "Authorization", "Bearer " + token("alice", "orders:read"));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode echo = json(response);
    assertThat(echo.path("backend").asString()).isEqualTo("orders");
    assertThat(echo.path("path").asString()).isEqualTo("/orders/7?full=true");
    assertThat(echo.path("user").asString()).isEqualTo("alice");
    assertThat(echo.path("authorizationReceived").asBoolean()).isFalse();
  }

  @Test
  void aTokenFromTheIssuerGetsTheRequestProxiedToTheInventoryBackend() throws Exception {
    HttpResponse<String> response = get("/api/inventory/42", "Authorization", "Bearer " + token("bob", ""));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode echo = json(response);
    assertThat(echo.path("backend").asString()).isEqualTo("inventory");
    assertThat(echo.path("path").asString()).isEqualTo("/inventory/42");
    assertThat(echo.path("user").asString()).isEqualTo("bob");
  }

  @Test
  void aTokenWithoutTheOrdersScopeIsRefusedWith403() throws Exception {
    HttpResponse<String> response = get("/api/orders/7", "Authorization", "Bearer " + token("carol", "profile"));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(json(response).path("type").asString()).isEqualTo("https://portico.dev/problems/forbidden");
    assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
        challenge -> assertThat(challenge).contains("insufficient_scope"));
  }

  @Test
  void aUserOverTheRateLimitGets429WithRetryAfter() throws Exception {
    String bearer = "Bearer " + token("rate-limited-dave", "");
    for (int i = 1; i <= limitPerMinute; i++) {
      assertThat(get("/api/inventory/1", "Authorization", bearer).statusCode()).as("request %d", i).isEqualTo(200);
    }

    HttpResponse<String> refused = get("/api/inventory/1", "Authorization", bearer);
    HttpResponse<String> otherUser = get("/api/inventory/1", "Authorization", "Bearer " + token("erin", ""));

    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(json(refused).path("type").asString()).isEqualTo("https://portico.dev/problems/rate-limited");
    assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(
        seconds -> assertThat(Long.parseLong(seconds)).isPositive());
    assertThat(otherUser.statusCode()).as("another user's budget").isEqualTo(200);
  }

  @Test
  void aPathNoRouteAndNoControllerTakesIsTheApplicationsOwn404() throws Exception {
    HttpResponse<String> response = get("/api/nothing-here");

    assertThat(response.statusCode()).isEqualTo(404);
    // Spring Boot's error answer, not the gateway's no-route problem.
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/json"));
    JsonNode error = json(response);
    assertThat(error.path("path").asString()).isEqualTo("/api/nothing-here");
    assertThat(error.has("type")).isFalse();
  }

  @Test
  void theDevelopmentTokenEndpointRefusesASubjectThatIsNotASimpleName() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/dev/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("sub=%22%7D%2C%22admin%22%3Atrue"))
        .build();

    assertThat(CLIENT.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
  }

  @Test
  void theActuatorEndpointShowsTheGatewaysRoutes() throws Exception {
    HttpResponse<String> gateway = get("/actuator/portico");
    HttpResponse<String> routes = get("/actuator/portico/routes");

    assertThat(gateway.statusCode()).isEqualTo(200);
    assertThat(json(gateway).path("ready").asBoolean()).isTrue();
    assertThat(routes.statusCode()).isEqualTo(200);
    assertThat(json(routes).findValuesAsString("id")).containsExactlyInAnyOrder("orders", "inventory");
  }

  @Test
  void theHealthEndpointIncludesTheGatewaysUpstreams() throws Exception {
    HttpResponse<String> response = get("/actuator/health");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode health = json(response);
    assertThat(health.path("status").asString()).isEqualTo("UP");
    JsonNode portico = health.path("components").path("portico");
    assertThat(portico.path("status").asString()).isEqualTo("UP");
    assertThat(portico.path("details").path("upstreams").propertyNames())
        .containsExactlyInAnyOrder("route:orders", "route:inventory");
  }

  @Test
  void theGatewaysMetersAreInBootsRegistry() throws Exception {
    get("/api/orders/1"); // a 401 on the orders route: one exchange at least

    HttpResponse<String> response = get("/actuator/metrics/portico.requests?tag=route:orders");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).findValuesAsString("statistic")).contains("COUNT");
    assertThat(json(response).findValues("value").get(0).asDouble()).isPositive();
  }

  private String token(String subject, String scope) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/dev/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("sub=" + subject + "&scope=" + scope.replace(' ', '+')))
        .build();
    HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("token endpoint: %s", response.body()).isEqualTo(200);
    return response.body().strip();
  }

  private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) {
    return JSON.readTree(response.body());
  }
}
