package dev.portico.gateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Explanation;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.upstream.EndpointStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** How endpoint states add up to a group's and the gateway's health. */
class PorticoHealthIndicatorTest {

  private static Health health(EndpointStatus... status) {
    Gateway definition = Gateway.builder().route("a", r -> r.path("/a/**").upstream("http://127.0.0.1:9")).build();
    RunningGateway running = new RunningGateway() {
      @Override
      public Gateway gateway() {
        return definition;
      }

      @Override
      public void reconfigure(Gateway next) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Explanation explain(String method, String uri, HttpHeaders headers) {
        throw new UnsupportedOperationException();
      }

      @Override
      public List<String> policies(String routeId) {
        return List.of();
      }

      @Override
      public boolean isReady() {
        return true;
      }

      @Override
      public List<EndpointStatus> upstreamStatus() {
        return List.of(status);
      }

      @Override
      public void shutdown(Duration grace) {}
    };
    return new PorticoHealthIndicator(() -> running, Duration.ofSeconds(1)).health();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> group(Health health, String name) {
    return ((Map<String, Map<String, Object>>) health.getDetails().get("upstreams")).get(name);
  }

  @Test
  void aGroupWithOneEndpointInRotationIsUp() {
    Health health = health(new EndpointStatus("orders", "http://a:1", false, false, "closed"),
        new EndpointStatus("orders", "http://b:1", true, false, "closed"));

    assertThat(health.getStatus()).isEqualTo(Status.UP);
    assertThat(group(health, "orders")).containsEntry("status", "UP")
        .containsEntry("endpoints", Map.of("http://a:1", "unhealthy", "http://b:1", "healthy"));
  }

  @Test
  void aGroupWhoseOnlyHealthyEndpointIsEjectedIsDown() {
    Health health = health(new EndpointStatus("orders", "http://a:1", true, true, "none"),
        new EndpointStatus("route:static", "http://c:1", true, false, "none"));

    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(group(health, "orders")).containsEntry("status", "DOWN")
        .containsEntry("endpoints", Map.of("http://a:1", "ejected"));
    assertThat(group(health, "route:static")).containsEntry("status", "UP");
  }

  @Test
  void aGroupWhoseCircuitIsOpenIsDownAndHalfOpenIsUp() {
    assertThat(health(new EndpointStatus("orders", "http://a:1", true, false, "open")).getStatus())
        .isEqualTo(Status.DOWN);
    assertThat(health(new EndpointStatus("orders", "http://a:1", true, false, "half-open")).getStatus())
        .isEqualTo(Status.UP);
  }

  @Test
  void aGatewayWithoutUpstreamStateYetIsUp() {
    Health health = health();

    assertThat(health.getStatus()).isEqualTo(Status.UP);
    assertThat(health.getDetails()).containsEntry("ready", true).doesNotContainKey("redis");
  }
}
