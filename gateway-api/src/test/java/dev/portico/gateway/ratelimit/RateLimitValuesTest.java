package dev.portico.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Route;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RateLimitValuesTest {
  private static final RateLimitPolicy ORDERS = new RateLimitPolicy("orders", 100, Duration.ofMinutes(1));

  @Test
  void decisionsCarryWhatTheHeadersNeed() {
    RateLimitDecision allowed = RateLimitDecision.allowed(ORDERS, 42, Duration.ofSeconds(18));
    RateLimitDecision rejected = RateLimitDecision.rejected(ORDERS, 0, Duration.ofSeconds(60), Duration.ofMillis(600));

    assertThat(allowed.isAllowed()).isTrue();
    assertThat(allowed.policies()).containsExactly(ORDERS);
    assertThat(allowed.remaining()).isEqualTo(42);
    assertThat(rejected.kind()).isEqualTo(RateLimitDecision.Kind.REJECTED);
    assertThat(rejected.retryAfter()).isEqualTo(Duration.ofMillis(600));
    assertThat(RateLimitDecision.allowed().policy()).isEmpty();
    assertThat(RateLimitDecision.unavailable("down").detail()).hasValue("down");
  }

  @Test
  void withPoliciesKeepsTheBindingPolicyListed() {
    RateLimitPolicy hourly = new RateLimitPolicy("orders-hourly", 1_000, Duration.ofHours(1));

    RateLimitDecision decision = RateLimitDecision.allowed(ORDERS, 1, Duration.ZERO).withPolicies(java.util.List.of(hourly));

    assertThat(decision.policies()).containsExactly(ORDERS, hourly);
    assertThat(decision.policy()).hasValue(ORDERS);
  }

  @Test
  void valuesRefuseNonsenseWhereItEnters() {
    assertThatThrownBy(() -> new RateLimitPolicy("a\"b", 1, Duration.ofSeconds(1))).hasMessageContaining("name");
    assertThatThrownBy(() -> new RateLimitPolicy("a", 0, Duration.ofSeconds(1))).hasMessageContaining("quota: 0");
    assertThatThrownBy(() -> RateLimitDecision.allowed(ORDERS, -1, Duration.ZERO)).hasMessageContaining("remaining: -1");
    assertThatThrownBy(() -> ConcurrencyLimit.of(0)).hasMessageContaining("maxInFlight: 0");
    assertThatThrownBy(() -> ConcurrencyLimit.of(1).queue(5, Duration.ZERO)).hasMessageContaining("maxWait");
    assertThatThrownBy(() -> RequestCost.byBodySize(0)).hasMessageContaining("bytesPerToken: 0");
  }

  @Test
  void unlimitedAllowsEverythingAndWhenAppliesOnlyToMatches() throws Exception {
    RateLimiter refuseAll = exchange -> java.util.concurrent.CompletableFuture.completedFuture(
        RateLimitDecision.rejected(Duration.ofSeconds(1)));
    RateLimiter writesOnly = refuseAll.when(exchange -> !exchange.request().method().equals("GET"));
    KeyResolverTest.FakeExchange get = KeyResolverTest.FakeExchange.get();

    assertThat(RateLimiter.unlimited().acquire(get).toCompletableFuture().get(1, TimeUnit.SECONDS).isAllowed()).isTrue();
    assertThat(writesOnly.acquire(get).toCompletableFuture().get(1, TimeUnit.SECONDS).isAllowed()).isTrue();
    assertThat(writesOnly.acquire(get.withRequest(get.request().toBuilder().method("POST").build()))
        .toCompletableFuture().get(1, TimeUnit.SECONDS).isAllowed()).isFalse();
  }

  @Test
  void costsByBodySizeAndByRoute() {
    KeyResolverTest.FakeExchange get = KeyResolverTest.FakeExchange.get();

    assertThat(RequestCost.byBodySize(1_000).cost(get)).as("no body").isEqualTo(1);
    assertThat(RequestCost.byBodySize(1_000).cost(get.header("Content-Length", "1000"))).isEqualTo(1);
    assertThat(RequestCost.byBodySize(1_000).cost(get.header("Content-Length", "1001"))).isEqualTo(2);
    assertThat(RequestCost.byRoute(Map.of("orders", 5L), 1).cost(get)).isEqualTo(5);
  }

  @Test
  void aChunkedBodyCostsAsMuchAsTheRoutesMaximum() {
    KeyResolverTest.FakeExchange get = KeyResolverTest.FakeExchange.get();
    KeyResolverTest.FakeExchange limited = new KeyResolverTest.FakeExchange(
        get.route().toBuilder().maxRequestBodySize(10_000).build(), get.request(), get.clientIp(), get.identity());

    assertThat(RequestCost.byBodySize(1_000).cost(limited.header("Transfer-Encoding", "chunked"))).isEqualTo(10);
    assertThat(RequestCost.byBodySize(1_000).cost(get.header("Transfer-Encoding", "chunked"))).isEqualTo(1);
  }

  @Test
  void routeAndGatewayKeepTheirLimitsAndCopyThemToBuilders() {
    RateLimiter limiter = RateLimiter.unlimited();
    Gateway gateway = Gateway.builder()
        .rateLimiter(limiter)
        .rateLimitHeaders(RateLimitHeaders.IETF_AND_LEGACY)
        .route("orders", r -> r.path("/orders/**").upstream("http://orders:8080")
            .rateLimiter(limiter).concurrencyLimit(ConcurrencyLimit.of(4)).maxRequestBodySize(1_024))
        .build();
    Route orders = gateway.route("orders").orElseThrow();

    assertThat(gateway.rateLimiters()).containsExactly(limiter);
    assertThat(gateway.toBuilder().build().rateLimitHeaders()).isEqualTo(RateLimitHeaders.IETF_AND_LEGACY);
    assertThat(orders.rateLimiters()).containsExactly(limiter);
    assertThat(orders.toBuilder().build().concurrencyLimit()).hasValueSatisfying(c -> assertThat(c.maxInFlight()).isEqualTo(4));
    assertThat(orders.maxRequestBodySize()).hasValue(1_024);
    assertThat(Route.builder("x").path("/x").upstream("http://x:1").build().maxRequestBodySize()).isEmpty();
  }

  @Test
  void aNegativeMaximumBodySizeIsABuildErrorNamingRouteAndField() {
    Throwable thrown = catchThrowable(() -> Gateway.builder()
        .route("upload", r -> r.path("/upload").upstream("http://u:8080").maxRequestBodySize(-1)).build());

    assertThat(thrown).isInstanceOf(IllegalStateException.class)
        .hasMessage("route 'upload': maxRequestBodySize: -1 (expected: >= 0)");
  }
}
