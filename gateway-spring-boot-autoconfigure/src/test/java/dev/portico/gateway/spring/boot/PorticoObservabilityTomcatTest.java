package dev.portico.gateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.ApiKeyRecord;
import dev.portico.gateway.auth.apikey.ApiKeyAuthenticator;
import dev.portico.gateway.auth.apikey.InMemoryApiKeyStore;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.observe.micrometer.MicrometerObservation;
import dev.portico.gateway.servlet.GatewayFilter;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.upstream.HealthCheck;
import dev.portico.gateway.upstream.UpstreamGroup;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;

/**
 * A real Boot 4 application on embedded Tomcat with actuator, metrics and observation: the
 * gateway's meters, observations, endpoint and health indicator, over real HTTP.
 */
@SpringBootTest(classes = PorticoObservabilityTomcatTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "spring.autoconfigure.exclude="
            + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration",
        "management.endpoints.web.exposure.include=health,metrics,portico",
        "management.endpoint.health.show-details=always"})
class PorticoObservabilityTomcatTest {
  static final String API_KEY = "sk-live-0123456789abcdef-SECRET";
  static final FakeUpstream ORDERS = Upstreams.start("/health");
  static final FakeUpstream STATIC = Upstreams.start(null);

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    GatewayFilter porticoGatewayFilter(ObjectProvider<GatewayObserver> observers) {
      Gateway gateway = Gateway.builder()
          .upstreamGroup(UpstreamGroup.builder("orders")
              .endpoint(ORDERS.uri())
              .healthCheck(HealthCheck.builder("/health").interval(Duration.ofMillis(100)).timeout(Duration.ofMillis(100))
                  .healthyThreshold(1).unhealthyThreshold(1).build())
              .build())
          .route("orders", r -> r.path("/api/orders/**").stripPrefix(1).upstreamGroup("orders"))
          .route("static", r -> r.path("/static/**").upstream(STATIC.uri()))
          .route("admin", r -> r.path("/admin/**").upstream(STATIC.uri())
              .authenticator(ApiKeyAuthenticator.of(InMemoryApiKeyStore.builder()
                  .key(API_KEY, ApiKeyRecord.of("ops")).build())))
          .build();
      return TestGateways.filter(gateway, observers);
    }

    @Bean
    FilterRegistrationBean<GatewayFilter> porticoFilterRegistration(GatewayFilter filter) {
      return TestGateways.registration(filter);
    }

    @Bean
    RecordingHandler recordingHandler() {
      return new RecordingHandler();
    }
  }

  /** Records the observations the registry stops. */
  static final class RecordingHandler implements ObservationHandler<Observation.Context> {
    final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

    @Override
    public void onStop(Observation.Context context) {
      stopped.add(context);
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
      return true;
    }
  }

  @LocalServerPort
  int port;
  @Autowired
  MeterRegistry registry;
  @Autowired
  RecordingHandler observations;

  Http http;

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  @AfterAll
  static void stopUpstreams() throws Exception {
    ORDERS.close();
    STATIC.close();
  }

  @Test
  void proxiedRequestsAppearInBootsMeterRegistryAndInTheMetricsEndpoint() throws Exception {
    assertThat(http.get("/api/orders/1").statusCode()).isEqualTo(200);
    assertThat(http.get("/api/orders/2").statusCode()).isEqualTo(200);

    Http.await("the exchanges recorded", Duration.ofSeconds(10), () -> {
      var timer = registry.find("portico.requests").tags("route", "orders", "status", "2xx").timer();
      return timer != null && timer.count() >= 2;
    });
    JsonNode metric = http.json("/actuator/metrics/portico.requests?tag=route:orders");
    assertThat(metric.get("name").asString()).isEqualTo("portico.requests");
    assertThat(metric.get("measurements").get(0).get("statistic").asString()).isEqualTo("COUNT");
    assertThat(metric.get("measurements").get(0).get("value").asDouble()).isGreaterThanOrEqualTo(2);
    JsonNode names = http.json("/actuator/metrics").get("names");
    assertThat(names.valueStream().map(JsonNode::asString))
        .contains("portico.requests", "portico.upstream.requests", "portico.requests.active");
  }

  @Test
  void eachProxiedExchangeIsAnObservationWithTheRouteIdAndItsUpstreamCallAChildOfIt() throws Exception {
    assertThat(http.get("/static/app.js").statusCode()).isEqualTo(200);

    Http.await("the exchange's observation stopped", Duration.ofSeconds(10), () -> exchange("static") != null);
    Observation.Context exchange = exchange("static");
    assertThat(exchange.getLowCardinalityKeyValue("method").getValue()).isEqualTo("GET");
    assertThat(exchange.getLowCardinalityKeyValue("status").getValue()).isEqualTo("2xx");
    assertThat(exchange.getContextualName()).isEqualTo("GET static");
    assertThat(exchange.getParentObservation().getContextView().getName())
        .as("a child of Spring's request observation, whose filter runs ahead of the gateway's")
        .isEqualTo("http.server.requests");
    Http.await("the upstream call's observation stopped", Duration.ofSeconds(10),
        () -> upstreamOf(exchange) != null);
    Observation.Context upstream = upstreamOf(exchange);
    assertThat(upstream.getLowCardinalityKeyValue("endpoint").getValue()).isEqualTo("127.0.0.1:" + STATIC.port());
    // Boot's meter handler turns the observations into timers too.
    assertThat(registry.find(MicrometerObservation.EXCHANGE).tags("route", "static").timer()).isNotNull();
  }

  private Observation.Context upstreamOf(Observation.Context exchange) {
    return observations.stopped.stream()
        .filter(c -> c.getName().equals(MicrometerObservation.UPSTREAM)
            && c.getParentObservation() != null && c.getParentObservation().getContextView() == exchange)
        .findFirst().orElse(null);
  }

  private Observation.Context exchange(String route) {
    return observations.stopped.stream()
        .filter(c -> c.getName().equals(MicrometerObservation.EXCHANGE)
            && c.getLowCardinalityKeyValue("route") != null
            && route.equals(c.getLowCardinalityKeyValue("route").getValue()))
        .findFirst().orElse(null);
  }

  @Test
  void endpointListsRoutesWithPredicatesUpstreamAndPolicies() throws Exception {
    JsonNode all = http.json("/actuator/portico");
    assertThat(all.get("ready").asBoolean()).isTrue();
    JsonNode routes = all.get("routes");
    assertThat(routes.valueStream().map(r -> r.get("id").asString())).containsExactly("orders", "static", "admin");
    JsonNode orders = routes.get(0);
    assertThat(orders.get("path").asString()).isEqualTo("/api/orders/**");
    assertThat(orders.get("upstream").asString()).isEqualTo("group:orders");
    assertThat(orders.get("policies").valueStream().map(JsonNode::asString)).endsWith("proxy");
    assertThat(routes.get(2).get("authenticated").asBoolean()).isTrue();
    assertThat(routes.get(2).get("policies").valueStream().map(JsonNode::asString)).contains("authentication");

    JsonNode upstreams = http.json("/actuator/portico/upstreams").get("upstreams");
    JsonNode group = upstreams.get(0);
    assertThat(group.get("group").asString()).isEqualTo("orders");
    assertThat(group.get("endpoints").get(0).get("uri").asString()).isEqualTo(ORDERS.uri());
    assertThat(group.get("routes").valueStream().map(JsonNode::asString)).containsExactly("orders");
    assertThat(http.json("/actuator/portico/routes").get("routes").size()).isEqualTo(3);
    assertThat(http.json("/actuator/portico/limiters").has("routes")).isTrue();
  }

  @Test
  void endpointExplainsARequestGivenAsQueryParameters() throws Exception {
    JsonNode routed = http.json("/actuator/portico/explain?method=GET&uri=/api/orders/42");
    assertThat(routed.get("verdict").asString()).isEqualTo("ROUTED");
    assertThat(routed.get("route").asString()).isEqualTo("orders");
    assertThat(routed.get("upstreamUri").asString()).isEqualTo("upstream-group:orders/orders/42");
    assertThat(routed.get("policies").valueStream().map(JsonNode::asString)).endsWith("proxy");
    JsonNode inline = http.json("/actuator/portico/explain?method=GET&uri=/static/app.js%3Fv%3D2");
    assertThat(inline.get("upstreamUri").asString()).isEqualTo(STATIC.uri() + "/static/app.js?v=2");

    JsonNode wrongMethod = http.json("/actuator/portico/explain?method=DELETE&uri=/nowhere");
    assertThat(wrongMethod.get("verdict").asString()).isEqualTo("NO_ROUTE");
    assertThat(http.get("/actuator/portico/explain?method=GET").statusCode()).isEqualTo(400);
    HttpResponse<String> badHost = http.get("/actuator/portico/explain?method=GET&uri=/static/x&host=a%0Db-ECHOED");
    assertThat(badHost.statusCode()).isEqualTo(400);
    assertThat(badHost.body()).doesNotContain("ECHOED");
    assertThat(http.get("/actuator/portico/nothing-here").statusCode()).isEqualTo(404);
    assertThat(http.get("/actuator/portico/config").statusCode())
        .as("no configuration file: no config part").isEqualTo(404);
  }

  @Test
  void endpointAndHealthNeverShowTheApiKey() throws Exception {
    assertThat(http.get("/admin/x", "X-Api-Key", API_KEY).statusCode()).isEqualTo(200);
    for (String path : List.of("/actuator/portico", "/actuator/portico/routes", "/actuator/portico/limiters",
        "/actuator/portico/explain?method=GET&uri=/admin/x", "/actuator/health")) {
      HttpResponse<String> response = http.get(path);
      assertThat(response.body()).as(path).doesNotContain(API_KEY).doesNotContain("SECRET")
          .doesNotContain(InMemoryApiKeyStore.sha256Hex(API_KEY));
    }
  }

  @Test
  void healthIsDownWhileAGroupHasNoHealthyEndpointAndUpAgainWhenItRecovers() throws Exception {
    Http.await("health UP", Duration.ofSeconds(10), () -> health().statusCode() == 200);
    JsonNode up = Http.JSON.readTree(health().body()).get("components").get("portico");
    assertThat(up.get("status").asString()).isEqualTo("UP");
    assertThat(up.get("details").get("upstreams").get("orders").get("status").asString()).isEqualTo("UP");

    ORDERS.stop();
    try {
      Http.await("health DOWN", Duration.ofSeconds(10), () -> health().statusCode() == 503);
      JsonNode down = Http.JSON.readTree(health().body()).get("components").get("portico");
      assertThat(down.get("status").asString()).isEqualTo("DOWN");
      JsonNode orders = down.get("details").get("upstreams").get("orders");
      assertThat(orders.get("status").asString()).isEqualTo("DOWN");
      assertThat(orders.get("endpoints").get(ORDERS.uri()).asString()).isEqualTo("unhealthy");
      assertThat(down.get("details").get("upstreams").get("route:static").get("status").asString())
          .isEqualTo("UP");
    } finally {
      ORDERS.restart();
    }
    Http.await("health UP again", Duration.ofSeconds(10), () -> health().statusCode() == 200);
  }

  private HttpResponse<String> health() {
    try {
      return http.get("/actuator/health");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
