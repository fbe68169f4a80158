package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A TestClock moves only when told, and the gateway's limiter follows it. */
class TestClockTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void standsStillUntilAdvancedAndMovesWallAndMonotonicTimeTogether() {
    TestClock clock = TestClock.at(Instant.parse("2026-01-01T00:00:00Z"));

    clock.advance(Duration.ofMinutes(2));

    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T00:02:00Z"));
    assertThat(clock.nanoTime()).isEqualTo(Duration.ofMinutes(2).toNanos());
    assertThat(clock.millis()).isEqualTo(Instant.parse("2026-01-01T00:02:00Z").toEpochMilli());
  }

  @Test
  void neverGoesBack() {
    TestClock clock = TestClock.atNow();

    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("never goes back");
  }

  @Test
  void aRateLimitRefillsWhenTheClockIsAdvancedNotBefore() throws Exception {
    TestClock clock = TestClock.atNow();
    Bucket4jRateLimiter limiter = Bucket4jRateLimiter.builder().bandwidth(1, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.clientIp()).timeSource(clock::nanoTime).build();
    try (FakeUpstream upstream = FakeUpstream.start();
         GatewayServer server = GatewayServer.start(Gateway.builder()
             .route("api", r -> r.path("/api/**").rateLimiter(limiter).upstream(upstream.uri())).build())) {
      HttpRequest request = HttpRequest.newBuilder(server.uri("/api/x")).timeout(Duration.ofSeconds(10)).build();

      int first = CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      HttpResponse<Void> second = CLIENT.send(request, HttpResponse.BodyHandlers.discarding());
      clock.advance(Duration.ofSeconds(59));
      int almost = CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      clock.advance(Duration.ofSeconds(1));
      int refilled = CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();

      assertThat(first).isEqualTo(200);
      assertThat(second.statusCode()).isEqualTo(429);
      assertThat(second.headers().firstValue("Retry-After")).hasValue("60");
      assertThat(almost).isEqualTo(429);
      assertThat(refilled).isEqualTo(200);
      assertThat(upstream.requestCount()).isEqualTo(2);
    }
  }
}
