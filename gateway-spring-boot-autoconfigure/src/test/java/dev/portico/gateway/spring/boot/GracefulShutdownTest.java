package dev.portico.gateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.servlet.GatewayFilter;
import dev.portico.gateway.test.FakeUpstream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Boot application closed while slow upstream requests are in flight: they all finish, and
 * requests that arrive meanwhile get 503 {@code shutting-down}, on Tomcat and on Jetty.
 */
class GracefulShutdownTest {
  private static final int IN_FLIGHT = 6;

  @ParameterizedTest
  @ValueSource(strings = {Servers.ON_TOMCAT, Servers.ON_JETTY})
  void finishesEveryExchangeInFlightAndTurnsNewOnesAway(String server) throws Exception {
    try (FakeUpstream slow = FakeUpstream.start()) {
      ConfigurableApplicationContext app = new SpringApplicationBuilder(HostApplication.class)
          .properties(server, "server.port=0", "server.shutdown=graceful", "portico.shutdown-grace=30s",
              "portico.routes[0].id=slow", "portico.routes[0].path=/slow/**",
              "portico.routes[0].upstream=" + slow.uri(), "portico.routes[0].permitAll=true")
          .run();
      int port = ((WebServerApplicationContext) app).getWebServer().getPort();
      GatewayFilter gateway = app.getBean(GatewayFilter.class);
      slow.hold();
      List<CompletableFuture<HttpResponse<String>>> inFlight = IntStream.range(0, IN_FLIGHT)
          .mapToObj(i -> Http.sendAsync(Http.request(port, "/slow/" + i).GET().build())).toList();
      slow.awaitRequests(IN_FLIGHT, Duration.ofSeconds(10));

      CompletableFuture<Void> closed = CompletableFuture.runAsync(app::close);
      Await.until(() -> !gateway.isReady(), "the gateway shutting down");

      HttpResponse<String> refused = Http.get(port, "/slow/late");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body()).contains("https://portico.dev/problems/shutting-down");
      // The server still takes connections: the application's own endpoints answer while the gateway drains.
      assertThat(Http.get(port, "/hello").body()).isEqualTo("hello from the application");
      assertThat(closed).isNotDone();

      slow.release();
      closed.get(30, TimeUnit.SECONDS);
      for (CompletableFuture<HttpResponse<String>> response : inFlight) {
        assertThat(response.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(response.get().body()).isEqualTo("ok");
      }
      assertThat(slow.requestCount()).isEqualTo(IN_FLIGHT);
    }
  }
}
