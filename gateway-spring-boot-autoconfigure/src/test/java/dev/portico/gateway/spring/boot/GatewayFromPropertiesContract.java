package dev.portico.gateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.servlet.GatewayFilter;
import dev.portico.gateway.test.RecordedRequest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A Boot application whose gateway the {@code portico.*} properties of
 * {@code application-properties.yaml} give, mounted ahead of its own controller; run on Tomcat and
 * on Jetty by the subclasses.
 */
@ActiveProfiles("properties")
abstract class GatewayFromPropertiesContract {
  @LocalServerPort
  int port;

  @Autowired
  ServletWebServerApplicationContext context;

  @Autowired
  GatewayFilter filter;

  @Autowired
  RunningGateway running;

  @DynamicPropertySource
  static void upstream(DynamicPropertyRegistry registry) {
    registry.add("orders.upstream", Upstreams.ORDERS::uri);
  }

  /** The class name of the web server the application must run on. */
  abstract String expectedServer();

  @BeforeEach
  void forgetEarlierRequests() {
    Upstreams.ORDERS.reset();
    HostApplication.FIRST_FILTER_SAW.clear();
    HostApplication.OBSERVED.clear();
  }

  @Test
  void runsOnTheServerOfTheTest() {
    assertThat(context.getWebServer().getClass().getSimpleName()).isEqualTo(expectedServer());
  }

  @Test
  void proxiesARequestARouteMatches() throws Exception {
    HttpResponse<String> response = Http.get(port, "/api/orders/7?full=true");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok");
    RecordedRequest received = Upstreams.ORDERS.takeRequest();
    assertThat(received.target()).isEqualTo("/orders/7?full=true"); // strip-prefix: 1, a relaxed key
    assertThat(received.header("X-Audit")).contains("seen"); // the audit bean, named by portico.filters
  }

  @Test
  void passesARequestNoRouteMatchesToTheApplicationsController() throws Exception {
    HttpResponse<String> response = Http.get(port, "/hello");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello from the application");
    assertThat(Upstreams.ORDERS.requestCount()).isZero();
  }

  @Test
  void leavesTheApplicationsFormRequestsToSpringMvc() throws Exception {
    HttpResponse<String> response = Http.send(Http.request(port, "/app/form", "Content-Type",
        "application/x-www-form-urlencoded").PUT(HttpRequest.BodyPublishers.ofString("a=1")).build());

    assertThat(response.body()).isEqualTo("the application read a=1");
  }

  @Test
  void refusesARequestWithoutCredentialsWithAProblem() throws Exception {
    HttpResponse<String> response = Http.get(port, "/api/admin/users");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/problem+json"));
    assertThat(response.body()).contains("\"type\":\"https://portico.dev/problems/unauthorized\"");
    assertThat(Upstreams.ORDERS.requestCount()).isZero();
  }

  @Test
  void letsARequestWithTheKeyThrough() throws Exception {
    HttpResponse<String> response = Http.get(port, "/api/admin/users", "X-Api-Key", "alice-key-0123456789abcdef");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(Upstreams.ORDERS.takeRequest().target()).isEqualTo("/api/admin/users");
  }

  @Test
  void answersAMethodTheRouteDoesNotTakeWith405() throws Exception {
    // methods: GET,POST, one comma-separated property
    HttpResponse<String> response = Http.send(Http.request(port, "/api/admin/users", "X-Api-Key", "alice-key-0123456789abcdef")
        .DELETE().build());

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.body()).contains("https://portico.dev/problems/method-not-allowed");
  }

  @Test
  void forwardsFormBodiesUnreadByTheFiltersBehindIt() throws Exception {
    // FormContentFilter parses PUT forms and HiddenHttpMethodFilter reads a POST's _method: both come after.
    Http.send(Http.request(port, "/api/orders/7", "Content-Type", "application/x-www-form-urlencoded")
        .PUT(HttpRequest.BodyPublishers.ofString("a=1&b=2")).build());
    Http.send(Http.request(port, "/api/orders/8", "Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("_method=DELETE&c=3")).build());

    RecordedRequest put = Upstreams.ORDERS.takeRequest();
    assertThat(put.method()).isEqualTo("PUT");
    assertThat(put.bodyAsString()).isEqualTo("a=1&b=2");
    RecordedRequest post = Upstreams.ORDERS.takeRequest();
    assertThat(post.method()).isEqualTo("POST");
    assertThat(post.bodyAsString()).isEqualTo("_method=DELETE&c=3");
  }

  @Test
  void runsBehindAFilterOfHighestPrecedence() throws Exception {
    Http.get(port, "/api/orders/9");

    assertThat(HostApplication.FIRST_FILTER_SAW).contains("/api/orders/9");
  }

  @Test
  void tellsEveryObserverBeanInTheirOrder() throws Exception {
    Http.get(port, "/api/orders/10");

    assertThat(HostApplication.OBSERVED).containsExactly("first:/api/orders/10", "second:/api/orders/10");
  }

  @Test
  void exposesTheFilterAsTheRunningGateway() {
    assertThat(running).isSameAs(filter);
    assertThat(running.explain("GET", "/api/orders/1", HttpHeaders.empty()).toString()).contains("orders");
    assertThat(running.gateway().routes()).extracting(r -> r.id()).containsExactly("orders", "admin");
  }

}
