package dev.portico.gateway.operations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Explanation;
import dev.portico.gateway.Explanation.Verdict;
import dev.portico.gateway.Filter;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code explain}: what the gateway would do with a request, from the same table and chains it runs. */
class ExplainTest {
  private static final Filter TAG = Filter.named("tag", (exchange, chain) -> chain.proceed(exchange));
  private static final Filter AUDIT = Filter.named("audit", (exchange, chain) -> chain.proceed(exchange));

  private final JettyGatewayHandler gateway = JettyGatewayHandler.create(Gateway.builder()
      .filter(TAG)
      .route("order", r -> r
          .path("/api/orders/{id}")
          .methods("GET", "PUT")
          .rewritePath("/orders/{id}")
          .rateLimiter(Bucket4jRateLimiter.perKey(10, Duration.ofMinutes(1), KeyResolver.clientIp()))
          .requestHeaders(h -> h.set("X-Order", "{var.id}"))
          .filter(AUDIT)
          .cors(c -> c.allowOrigins("https://app.example.com"))
          .upstream("http://orders:8080/base"))
      .route("admin", r -> r.path("/admin/**").hosts("admin.example.com").stripPrefix(1).upstream("https://admin:8443"))
      .build());

  @Test
  void namesTheRouteTheUpstreamUriAndThePoliciesInTheOrderTheyRun() {
    Explanation e = gateway.explain("GET", "/api/orders/42?expand=lines", HttpHeaders.empty());

    assertThat(e.verdict()).isEqualTo(Verdict.ROUTED);
    assertThat(e.routeId()).hasValue("order");
    assertThat(e.path()).isEqualTo("/api/orders/42");
    assertThat(e.pathVariables()).isEqualTo(Map.of("id", "42"));
    assertThat(e.upstreamUri()).hasValue("http://orders:8080/base/orders/42?expand=lines");
    assertThat(e.policies()).containsExactly("tag", "rate-limit", "audit", "request-headers", "proxy");
    assertThat(e.refusal()).isEmpty();
  }

  @Test
  void showsTheNormalizedPath() {
    Explanation e = gateway.explain("GET", "/api/./orders//7", HttpHeaders.empty());

    assertThat(e.path()).isEqualTo("/api/orders/7");
    assertThat(e.upstreamUri()).hasValue("http://orders:8080/base/orders/7");
  }

  @Test
  void saysWhyAnAmbiguousPathIsRefused() {
    Explanation e = gateway.explain("GET", "/api/orders/a%2Fb", HttpHeaders.empty());

    assertThat(e.verdict()).isEqualTo(Verdict.BAD_PATH);
    assertThat(e.refusal()).hasValueSatisfying(reason -> assertThat(reason).containsIgnoringCase("slash"));
    assertThat(e.routeId()).isEmpty();
  }

  @Test
  void saysThatAMethodInAnotherCaseIsRefusedBeforeRouting() {
    Explanation e = gateway.explain("delete", "/api/orders/42", HttpHeaders.empty());

    assertThat(e.verdict()).isEqualTo(Verdict.UNFORWARDABLE);
    assertThat(e.refusal()).hasValueSatisfying(reason -> assertThat(reason).contains("case-sensitive"));
    assertThat(e.routeId()).isEmpty();
  }

  @Test
  void listsTheAllowedMethodsWhenOnlyTheMethodDoesNotMatch() {
    Explanation e = gateway.explain("DELETE", "/api/orders/42", HttpHeaders.empty());

    assertThat(e.verdict()).isEqualTo(Verdict.METHOD_NOT_ALLOWED);
    assertThat(e.allowedMethods()).containsExactlyInAnyOrder("GET", "PUT");
  }

  @Test
  void matchesHostsFromAnAbsoluteUriOrTheHostHeader() {
    assertThat(gateway.explain("GET", "/admin/users", HttpHeaders.empty()).verdict()).isEqualTo(Verdict.NO_ROUTE);

    Explanation absolute = gateway.explain("GET", "https://admin.example.com/admin/users?page=2", HttpHeaders.empty());
    Explanation header = gateway.explain("GET", "/admin/users",
        HttpHeaders.builder().add("Host", "admin.example.com").build());

    assertThat(absolute.routeId()).hasValue("admin");
    assertThat(absolute.upstreamUri()).hasValue("https://admin:8443/users?page=2");
    assertThat(header.routeId()).hasValue("admin");
  }

  @Test
  void recognizesACorsPreflightTheGatewayAnswersItself() {
    Explanation e = gateway.explain("OPTIONS", "/api/orders/42", HttpHeaders.builder()
        .add("Origin", "https://app.example.com").add("Access-Control-Request-Method", "PUT").build());

    assertThat(e.verdict()).isEqualTo(Verdict.PREFLIGHT);
    assertThat(e.routeId()).hasValue("order");
    assertThat(e.policies()).containsExactly("cors-preflight");
  }

  @Test
  void aPreflightForAMethodNoRouteTakesIsTheCorsPolicysRefusal() {
    Explanation e = gateway.explain("OPTIONS", "/api/orders/42", HttpHeaders.builder()
        .add("Origin", "https://app.example.com").add("Access-Control-Request-Method", "DELETE").build());

    assertThat(e.verdict()).isEqualTo(Verdict.PREFLIGHT);
    assertThat(e.routeId()).hasValue("order");
    assertThat(e.refusal()).hasValue("Method 'DELETE' is not allowed for cross-origin requests here; allowed: GET, PUT.");
    assertThat(e.allowedMethods()).containsExactlyInAnyOrder("GET", "PUT");
  }

  @Test
  void explainsWithTheConfigurationInForceAfterAReconfiguration() {
    gateway.reconfigure(Gateway.builder().route("v2", r -> r.path("/api/**").upstream("http://v2:8080")).build());

    assertThat(gateway.explain("GET", "/api/orders/42", HttpHeaders.empty()).routeId()).hasValue("v2");
  }

  @Test
  void routesOnTheHeadersTheGatewayKeepsAsHandleDoes() {
    JettyGatewayHandler byHeader = JettyGatewayHandler.create(Gateway.builder()
        .route("v2", r -> r.path("/api/**").header("X-Version", "2").upstream("http://a:8080"))
        .route("plain", r -> r.path("/api/**").upstream("http://b:8080"))
        .build());

    Explanation kept = byHeader.explain("GET", "/api/x", HttpHeaders.builder().add("X-Version", "2").build());
    Explanation named = byHeader.explain("GET", "/api/x", HttpHeaders.builder().add("X-Version", "2")
        .add("Connection", "close, X-Version").build());

    assertThat(kept.routeId()).hasValue("v2");
    // A field the client's Connection names is for the gateway's hop only: dropped before routing.
    assertThat(named.routeId()).hasValue("plain");
  }
}
