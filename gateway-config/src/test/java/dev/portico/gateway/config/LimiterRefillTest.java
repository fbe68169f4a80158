package dev.portico.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A limiter's {@code refill} behaves as the reference says, its default included: INTERVALLY gives
 * the whole limit back a period after the first request (a refused caller waits out the period),
 * GREEDY one token every period / limit.
 */
class LimiterRefillTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @ParameterizedTest(name = "refill: {0}")
  @CsvSource({"'', 31, 60", "'refill: INTERVALLY', 31, 60", "'refill: GREEDY', 1, 30"})
  void aRefusedCallerIsToldToWaitAsTheRefillSays(String refill, long atLeast, long atMost) throws Exception {
    try (FakeUpstream upstream = FakeUpstream.start()) {
      String file = """
          limiters:
            two:
              limit: 2
              period: 1m
              key: clientIp
              %s
          routes:
            - id: api
              path: /api/**
              upstream: ${env:UPSTREAM}
              rateLimiters: [two]
          """.formatted(refill);
      Gateway gateway = GatewayConfig.builder().environment(Map.of("UPSTREAM", upstream.uri())::get).build()
          .read(new StringReader(file), "gateway.yaml");
      try (GatewayServer server = GatewayServer.start(gateway)) {
        assertThat(get(server).statusCode()).isEqualTo(200);
        assertThat(get(server).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = get(server);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()))
            .isBetween(atLeast, atMost);
      }
    }
  }

  private static HttpResponse<String> get(GatewayServer server) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(server.uri("/api/x")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
