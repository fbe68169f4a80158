package dev.portico.gateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.config.ConfigWatch;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.servlet.GatewayFilter;
import dev.portico.gateway.test.FakeUpstream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;

/**
 * A real Boot 4 application on embedded Jetty, its gateway read from a configuration file with a
 * Redis-backed rate limiter on a real redis-server that requires a password: the endpoint's
 * configuration version and failed reloads, the health of the limiter's Redis through an outage,
 * and that neither the password nor the API key ever shows.
 */
@SpringBootTest(classes = PorticoEndpointJettyRedisTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "spring.autoconfigure.exclude="
            + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
        "management.endpoints.web.exposure.include=health,portico",
        "management.endpoint.health.show-details=always",
        "portico.health.redis-timeout=500ms"})
class PorticoEndpointJettyRedisTest {
  static final String PASSWORD = "hunter2-redis-password";
  static final String API_KEY = "sk-file-0123456789abcdef-SECRET";
  static final RedisProcess REDIS = RedisProcess.start(PASSWORD);
  static final FakeUpstream ORDERS = Upstreams.start(null);
  static final Path FILE = write("""
      authenticators:
        keys:
          apiKey:
            keys:
              - key: %s
                principal: ops
      limiters:
        shared:
          limit: 1000
          period: 1m
          key: clientIp
          store: redis
          redis:
            uri: redis://:%s@127.0.0.1:%d
      authenticator: keys
      routes:
        - id: orders
          path: /api/orders/**
          upstream: %s
          rateLimiters: [shared]
      """.formatted(API_KEY, PASSWORD, REDIS.port(), ORDERS.uri()));

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    GatewayFilter porticoGatewayFilter(ObjectProvider<GatewayObserver> observers) {
      return TestGateways.filter(GatewayConfig.load(FILE), observers);
    }

    @Bean
    FilterRegistrationBean<GatewayFilter> porticoFilterRegistration(GatewayFilter filter) {
      return TestGateways.registration(filter);
    }

    @Bean
    ConfigWatch porticoConfigWatch(GatewayFilter filter) {
      return GatewayConfig.watch(FILE, filter);
    }
  }

  @LocalServerPort
  int port;
  @Autowired
  ServletWebServerApplicationContext context;
  @Autowired
  ConfigWatch watch;

  Http http;

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  @AfterAll
  static void stop() throws Exception {
    ORDERS.close();
    REDIS.close();
  }

  static Path write(String yaml) {
    try {
      Path file = Files.createTempDirectory("portico-boot").resolve("gateway.yaml");
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void endpointAnswersOnJettyWithTheConfigurationFilesVersion() throws Exception {
    assertThat(context.getWebServer().getClass().getSimpleName()).startsWith("Jetty");
    JsonNode all = http.json("/actuator/portico");
    assertThat(all.get("routes").get(0).get("id").asString()).isEqualTo("orders");
    assertThat(all.get("routes").get(0).get("authenticated").asBoolean()).isTrue();
    assertThat(all.get("limiters").get("routes").get("orders").get(0).get("store").asString()).isEqualTo("redis");
    JsonNode config = all.get("config");
    assertThat(config.get("sha256").asString()).isEqualTo(watch.version().sha256());
    assertThat(config.get("file").asString()).isEqualTo(FILE.toAbsolutePath().toString());
    assertThat(http.json("/actuator/portico/config").get("sha256").asString()).isEqualTo(watch.version().sha256());
    assertThat(http.json("/actuator/portico/explain?method=GET&uri=/api/orders/7").get("route").asString())
        .isEqualTo("orders");
  }

  @Test
  void aFailedReloadIsShownByItsPositionsWithoutTheValueItQuotes() throws Exception {
    String original = Files.readString(FILE);
    long failuresBefore = watch.failures();
    Files.writeString(FILE, original.replace("limit: 1000", "limit: hunter3-not-a-number"));
    try {
      Http.await("the reload failed", Duration.ofSeconds(10), () -> watch.failures() > failuresBefore);
      HttpResponse<String> response = http.get("/actuator/portico/config");
      JsonNode config = Http.JSON.readTree(response.body());
      assertThat(config.get("failures").asLong()).isGreaterThan(failuresBefore);
      JsonNode error = config.get("lastError");
      assertThat(error.get("type").asString()).isEqualTo("ConfigException");
      assertThat(error.get("problems").get(0).asString()).startsWith(FILE.toString() + ":").contains("limit");
      assertThat(response.body()).doesNotContain("hunter3");
      assertThat(config.get("sha256").asString()).isEqualTo(sha256(original));
    } finally {
      long reloadsBefore = watch.reloads();
      Files.writeString(FILE, original + "# restored\n");
      Http.await("the restored file applied", Duration.ofSeconds(10), () -> watch.reloads() > reloadsBefore);
    }
    assertThat(http.json("/actuator/portico/config").get("lastError").isNull()).isTrue();
  }

  @Test
  void healthFollowsTheRedisOfTheRateLimiterThroughAnOutage() throws Exception {
    assertThat(http.get("/api/orders/1", "X-Api-Key", API_KEY).statusCode()).isEqualTo(200);
    Http.await("health UP", Duration.ofSeconds(10), () -> health().statusCode() == 200);
    JsonNode redis = component().get("details").get("redis").get("shared");
    assertThat(redis.get("reachable").asBoolean()).isTrue();
    assertThat(redis.has("roundTripMs")).isTrue();

    REDIS.kill();
    try {
      Http.await("health DOWN", Duration.ofSeconds(10), () -> health().statusCode() == 503);
      JsonNode down = component();
      assertThat(down.get("status").asString()).isEqualTo("DOWN");
      assertThat(down.get("details").get("redis").get("shared").get("reachable").asBoolean()).isFalse();
      assertThat(down.get("details").get("redis").get("shared").get("error").asString())
          .contains("Redis").doesNotContain(PASSWORD);   // the limiter's own reason: disconnected, reconnecting
    } finally {
      REDIS.restart();
    }
    Http.await("health UP again once Lettuce reconnected", Duration.ofSeconds(20), () -> health().statusCode() == 200);
  }

  @Test
  void neitherTheRedisPasswordNorTheApiKeyEverShows() throws Exception {
    assertThat(http.get("/api/orders/2", "X-Api-Key", API_KEY).statusCode()).isEqualTo(200);
    for (String path : List.of("/actuator/portico", "/actuator/portico/limiters", "/actuator/portico/routes",
        "/actuator/portico/upstreams", "/actuator/portico/config", "/actuator/health",
        "/actuator/portico/explain?method=GET&uri=/api/orders/2")) {
      String body = http.get(path).body();
      assertThat(body).as(path).doesNotContain(PASSWORD).doesNotContain("hunter2").doesNotContain(API_KEY)
          .doesNotContain("SECRET");
    }
  }

  private JsonNode component() throws IOException {
    return Http.JSON.readTree(health().body()).get("components").get("portico");
  }

  private HttpResponse<String> health() {
    try {
      return http.get("/actuator/health");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
