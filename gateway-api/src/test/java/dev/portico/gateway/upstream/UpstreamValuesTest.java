package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Route;
import dev.portico.gateway.UpstreamTls;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The upstream values and their validation, which names the group or route and the field. */
class UpstreamValuesTest {

  @Test
  void endpointsAreIdentifiedByAddressAndCarryAWeight() {
    Endpoint e = Endpoint.of("http://orders-1:8080/base/", 3);

    assertThat(e.address()).isEqualTo("http://orders-1:8080/base");
    assertThat(e.weight()).isEqualTo(3);
    assertThat(e.withWeight(1).address()).isEqualTo(e.address());
    assertThat(e).isNotEqualTo(e.withWeight(1)).isEqualTo(Endpoint.of("http://orders-1:8080/base", 3));
    assertThatThrownBy(() -> Endpoint.of("http://a:1", 0)).hasMessage("weight: 0 (expected: 1-10000)");
    assertThatThrownBy(() -> Endpoint.of("ftp://a")).hasMessageContaining("expected: an http or https URI");
  }

  @Test
  void aGroupNeedsEndpointsOrASourceButNotBoth() {
    assertThatThrownBy(() -> UpstreamGroup.builder("orders").build())
        .hasMessage("upstream group 'orders': no endpoints (add endpoint(...) or endpoints(source))");
    assertThatThrownBy(() -> UpstreamGroup.builder("orders").endpoint("http://a:1")
        .endpoints(EndpointRegistry.of()).build())
        .hasMessage("upstream group 'orders': both endpoint(...) and endpoints(source): use one");
    assertThatThrownBy(() -> UpstreamGroup.builder("orders").endpoint("http://a:1").endpoint("http://a:1", 2).build())
        .hasMessage("upstream group 'orders': endpoint http://a:1 is listed twice");
    assertThatThrownBy(() -> UpstreamGroup.builder("orders").endpoint("nope").build())
        .hasMessageStartingWith("upstream group 'orders': endpoint: uri: 'nope'");
    assertThatThrownBy(() -> UpstreamGroup.builder("orders").endpoint("http://a:1")
        .tls(UpstreamTls.builder().build()).build())
        .hasMessage("upstream group 'orders': tls() needs https endpoints, not http://a:1");
    assertThatThrownBy(() -> UpstreamGroup.builder("orders").endpoint("http://a:1").maxConnectionsPerEndpoint(0).build())
        .hasMessage("upstream group 'orders': maxConnectionsPerEndpoint: 0 (expected: >= 1)");
  }

  @Test
  void aGroupHasSafeDefaults() {
    UpstreamGroup g = UpstreamGroup.of("orders", "http://a:1", "http://b:1");

    assertThat(g.endpoints()).extracting(Endpoint::address).containsExactly("http://a:1", "http://b:1");
    assertThat(g.outlierDetection()).isSameAs(OutlierDetection.defaults());
    assertThat(g.healthCheck()).isEmpty();
    assertThat(g.circuitBreaker()).isEmpty();
    assertThat(g.panicMode()).isFalse();
    assertThat(g.protocol()).isEqualTo(UpstreamProtocol.HTTP_1_1);
    assertThat(g.toBuilder().panicMode(true).build().panicMode()).isTrue();
  }

  @Test
  void routesReferToGroupsTheGatewayDefines() {
    assertThatThrownBy(() -> Gateway.builder()
        .route("orders", r -> r.path("/orders/**").upstreamGroup("orders"))
        .build())
        .hasMessage("route 'orders': upstream group 'orders' is not defined (define it with upstreamGroup(...) on the gateway)");
    assertThatThrownBy(() -> Gateway.builder()
        .upstreamGroup(UpstreamGroup.of("orders", "http://a:1"))
        .upstreamGroup(UpstreamGroup.of("orders", "http://b:1"))
        .route("orders", r -> r.path("/orders/**").upstreamGroup("orders"))
        .build())
        .hasMessage("upstream group 'orders' is defined twice (group names must be unique)");

    Gateway gateway = Gateway.builder()
        .upstreamGroup(UpstreamGroup.of("orders", "http://a:1"))
        .route("orders", r -> r.path("/orders/**").upstreamGroup("orders").retry(RetryPolicy.defaults()))
        .route("cdn", r -> r.path("/static/**").upstream("http://cdn:80"))
        .build();
    Route orders = gateway.route("orders").orElseThrow();
    assertThat(orders.upstreamGroup()).contains("orders");
    assertThat(orders.upstream()).isEmpty();
    assertThat(orders.retryPolicy()).isSameAs(RetryPolicy.defaults());
    assertThat(gateway.route("cdn").orElseThrow().upstream()).isPresent();
    assertThat(gateway.route("cdn").orElseThrow().retryPolicy().enabled()).isFalse();
    assertThat(gateway.upstreamGroup("orders")).isPresent();
    assertThat(gateway.toBuilder().build().upstreamGroups()).hasSize(1);
  }

  @Test
  void retryPolicyKnowsWhichMethodsAreSafeOnceSent() {
    assertThat(RetryPolicy.defaults().mayRetrySent("GET")).isTrue();
    assertThat(RetryPolicy.defaults().mayRetrySent("put")).isTrue();
    assertThat(RetryPolicy.defaults().mayRetrySent("POST")).isFalse();
    assertThat(RetryPolicy.defaults().mayRetrySent("PATCH")).isFalse();
    assertThat(RetryPolicy.builder().retryNonIdempotent().build().mayRetrySent("POST")).isTrue();
    assertThat(RetryPolicy.none().enabled()).isFalse();
    assertThat(RetryPolicy.defaults().retryOnStatuses()).containsExactlyInAnyOrder(502, 503, 504);
    assertThatThrownBy(() -> RetryPolicy.builder().retryOnStatuses(200)).hasMessage("retryOnStatuses: 200 (expected: 400-599)");
    assertThatThrownBy(() -> RetryPolicy.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageStartingWith("backoff:");
  }

  @Test
  void healthCheckOutlierAndCircuitSettingsAreChecked() {
    assertThat(HealthCheck.http("/health").expects(204)).isTrue();
    assertThat(HealthCheck.http("/health").expects(500)).isFalse();
    assertThat(HealthCheck.builder("/ready").expectedStatuses(200).build().expectedStatuses()).containsExactly(200);
    assertThatThrownBy(() -> HealthCheck.http("health")).hasMessageStartingWith("health check path: 'health'");
    assertThatThrownBy(() -> HealthCheck.builder("/h").interval(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(2)).build())
        .hasMessage("health check /h: timeout PT2S is longer than the interval PT1S");
    assertThat(OutlierDetection.disabled().enabled()).isFalse();
    assertThatThrownBy(() -> OutlierDetection.builder().maxEjectedPercent(101)).hasMessage("maxEjectedPercent: 101 (expected: 0-100)");
    assertThatThrownBy(() -> CircuitBreakerSettings.builder().slidingWindow(10, 20))
        .hasMessage("slidingWindow minimumCalls: 20 (expected: 1-10)");
    assertThatThrownBy(() -> CircuitBreakerSettings.builder().failureRateThreshold(0))
        .hasMessageStartingWith("failureRateThreshold: 0.0");
  }

  @Test
  void webSocketSettingsAreOptInPerRoute() {
    Route plain = Route.builder("r").path("/r/**").upstream("http://a:1").build();
    Route ws = plain.toBuilder().websocket(dev.portico.gateway.WebSocketSettings.defaults()
        .withIdleTimeout(Duration.ofSeconds(30)).withMaxMessageSize(4096)).build();

    assertThat(plain.webSocket()).isEmpty();
    assertThat(ws.webSocket()).hasValueSatisfying(w -> {
      assertThat(w.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
      assertThat(w.maxMessageSize()).isEqualTo(4096);
    });
    assertThat(Route.builder("d").path("/d").upstream("http://a:1").websocket().build().webSocket())
        .contains(dev.portico.gateway.WebSocketSettings.defaults());
    assertThatThrownBy(() -> dev.portico.gateway.WebSocketSettings.defaults().withMaxMessageSize(0))
        .hasMessage("maxMessageSize: 0 (expected: > 0)");
  }

  @Test
  void aRegistryTellsItsSubscribersAndRefusesDuplicateAddresses() throws Exception {
    EndpointRegistry registry = EndpointRegistry.of(Endpoint.of("http://a:1"));
    List<List<Endpoint>> seen = new CopyOnWriteArrayList<>();

    AutoCloseable subscription = registry.subscribe(seen::add, null);
    registry.update(List.of(Endpoint.of("http://b:1")));
    subscription.close();
    registry.update(List.of(Endpoint.of("http://c:1")));

    assertThat(seen).containsExactly(List.of(Endpoint.of("http://a:1")), List.of(Endpoint.of("http://b:1")));
    assertThatThrownBy(() -> registry.update(List.of(Endpoint.of("http://a:1"), Endpoint.of("http://a:1/", 2))))
        .hasMessage("endpoints: http://a:1 is listed twice");
  }
}
