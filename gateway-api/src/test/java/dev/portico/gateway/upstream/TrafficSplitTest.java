package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Route;
import org.junit.jupiter.api.Test;

class TrafficSplitTest {

  private static Gateway.Builder groups() {
    return Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("v1").endpoint("http://localhost:1").build())
        .upstreamGroup(UpstreamGroup.builder("v2").endpoint("http://localhost:2").build());
  }

  @Test
  void invalidWeightsAndSidesAreBuildErrorsNamingTheRoute() {
    assertThatThrownBy(() -> groups().route("orders", r -> r.path("/o").split(s -> s.to("v1", -1).to("v2", 10))).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("route 'orders': split: to: v1 weight -1 (expected: >= 0)");
    assertThatThrownBy(() -> groups().route("orders", r -> r.path("/o").split(s -> s.to("v1", 0).to("v2", 0))).build())
        .hasMessageContaining("split: weights {v1=0, v2=0} add up to 0");
    assertThatThrownBy(() -> groups().route("orders", r -> r.path("/o").split(s -> s.to("v1", 1).to("v1", 2))).build())
        .hasMessageContaining("split: to: v1 is given twice");
    assertThatThrownBy(() -> groups().route("orders", r -> r.path("/o").split(s -> { })).build())
        .hasMessageContaining("split: no side");
    assertThatThrownBy(() -> groups().route("orders", r -> r.path("/o")
            .split(s -> s.to("v1", 90).to("v2", 10).whenHeader("X-Canary", "on", "v3"))).build())
        .hasMessageContaining("'v3' is not a side of this split");
    assertThatThrownBy(() -> groups().route("orders", r -> r.path("/o")
            .split(s -> s.to("v1", 90).whenHeader("X Canary", "on", "v1"))).build())
        .hasMessageContaining("whenHeader: 'X Canary' (expected: a token)");
  }

  @Test
  void everySideMustBeAGroupTheGatewayDefines() {
    assertThatThrownBy(() -> groups().route("orders", r -> r.path("/o").split(s -> s.to("v1", 90).to("v9", 10))).build())
        .hasMessageContaining("route 'orders': split: upstream group 'v9' is not defined");
    assertThatThrownBy(() -> groups().route("orders", r -> r.path("/o").split(s -> s.to("v0", 90).to("v1", 10))).build())
        .hasMessageContaining("route 'orders': upstream group 'v0' is not defined");
  }

  @Test
  void theFirstSideIsTheRoutesDefaultGroupAndAnUpstreamReplacesTheSplit() {
    Route split = Route.builder("orders").path("/o").split(s -> s.to("v2", 10).to("v1", 90)).build();
    assertThat(split.upstreamGroup()).hasValue("v2");
    assertThat(split.split().orElseThrow().weights()).containsExactly(
        java.util.Map.entry("v2", 10), java.util.Map.entry("v1", 90));
    assertThat(split.toBuilder().build().split()).isEqualTo(split.split());

    Route replaced = split.toBuilder().upstream("http://localhost:3").build();
    assertThat(replaced.split()).isEmpty();
    assertThat(replaced.upstreamGroup()).isEmpty();
  }
}
