package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.auth.AccessRule;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.cors.CorsPolicy;
import dev.portico.gateway.ratelimit.ConcurrencyLimit;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.transform.HeaderRules;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The rules of route defaults and per-method policies, on the built definition (no engine). */
class RouteDefaultsTest {
  private static final Authenticator AUTH = exchange -> CompletableFuture.completedFuture(AuthResult.noCredentials());
  private static final RateLimiter LIMITER = (exchange) -> CompletableFuture.completedFuture(RateLimitDecision.allowed());
  private static final HeaderRules GATEWAY_HEADER = HeaderRules.builder().set("X-Gateway", "portico").build();

  private static Gateway.Builder withDefaults() {
    return Gateway.builder().routeDefaults(d -> d
        .requestHeaders(GATEWAY_HEADER)
        .rateLimiter(LIMITER)
        .concurrencyLimit(ConcurrencyLimit.of(5))
        .maxRequestBodySize(1000)
        .responseTimeout(Duration.ofSeconds(2))
        .validate(v -> v.requireHeaders("X-Tenant")));
  }

  @Test
  void routeThatSaysNothingInheritsEveryDefault() {
    Gateway gateway = withDefaults().route("plain", r -> r.path("/plain/**").upstream("http://a:1")).build();

    Route plain = gateway.route("plain").orElseThrow();
    assertThat(plain.requestHeaders()).isSameAs(GATEWAY_HEADER);
    assertThat(plain.rateLimiters()).containsExactly(LIMITER);
    assertThat(plain.concurrencyLimit()).isPresent();
    assertThat(plain.maxRequestBodySize()).hasValue(1000);
    assertThat(plain.timeouts().response()).isEqualTo(Duration.ofSeconds(2));
    assertThat(plain.timeouts().connect()).isEqualTo(Timeouts.DEFAULT.connect());
    assertThat(plain.validation()).isPresent();
    assertThat(plain.inheritedPolicies()).containsExactly("rateLimiter", "concurrencyLimit", "maxRequestBodySize",
        "requestHeaders", "validate", "responseTimeout");
  }

  @Test
  void routeSettingAPolicyReplacesTheDefaultWholeHeaderRulesIncluded() {
    HeaderRules team = HeaderRules.builder().set("X-Team", "orders").build();
    Gateway gateway = withDefaults().route("orders", r -> r.path("/orders/**").upstream("http://a:1")
        .requestHeaders(team).maxRequestBodySize(5)).build();

    Route orders = gateway.route("orders").orElseThrow();
    assertThat(orders.requestHeaders()).isSameAs(team);
    assertThat(orders.maxRequestBodySize()).hasValue(5);
    assertThat(orders.inheritedPolicies()).doesNotContain("requestHeaders", "maxRequestBodySize").contains("rateLimiter");
  }

  @Test
  void routeOptsOutOfInheritedPolicies() {
    Gateway gateway = withDefaults().cors(c -> c.allowOrigins("https://app.example.com"))
        .route("open", r -> r.path("/open/**").upstream("http://a:1")
            .noRateLimit().noConcurrencyLimit().noMaxRequestBodySize().noValidation().noCors()
            .requestHeaders(HeaderRules.none()))
        .build();

    Route open = gateway.route("open").orElseThrow();
    assertThat(open.rateLimiters()).isEmpty();
    assertThat(open.concurrencyLimit()).isEmpty();
    assertThat(open.maxRequestBodySize()).isEmpty();
    assertThat(open.validation()).isEmpty();
    assertThat(open.requestHeaders().isEmpty()).isTrue();
    assertThat(gateway.corsFor(open)).isEmpty();
    assertThat(open.inheritedPolicies()).containsExactly("responseTimeout");
  }

  @Test
  void gatewayAuthenticatorAndCorsAreRouteDefaults() {
    CorsPolicy cors = CorsPolicy.builder().allowOrigins("https://app.example.com").build();
    Gateway gateway = Gateway.builder().authenticator(AUTH).cors(cors)
        .route("a", r -> r.path("/a/**").upstream("http://a:1"))
        .route("b", r -> r.path("/b/**").permitAll().upstream("http://a:1"))
        .build();

    assertThat(gateway.authenticator()).containsSame(AUTH);
    assertThat(gateway.cors()).containsSame(cors);
    assertThat(gateway.routeDefaults().declared()).containsExactly("authenticator", "cors");
    assertThat(gateway.authenticatorFor(gateway.route("a").orElseThrow())).containsSame(AUTH);
    assertThat(gateway.authenticatorFor(gateway.route("b").orElseThrow())).isEmpty();
    assertThat(gateway.corsFor(gateway.route("b").orElseThrow())).containsSame(cors);
  }

  @Test
  void toBuilderKeepsTheDeclaredRoutesSoNewDefaultsReachThem() {
    Gateway first = withDefaults().route("plain", r -> r.path("/plain/**").upstream("http://a:1")).build();
    HeaderRules v2 = HeaderRules.builder().set("X-Gateway", "v2").build();

    Gateway second = first.toBuilder().routeDefaults(d -> d.requestHeaders(v2)).build();

    Route plain = second.route("plain").orElseThrow();
    assertThat(plain.requestHeaders()).isSameAs(v2);
    assertThat(plain.maxRequestBodySize()).hasValue(1000);
  }

  @Test
  void defaultsRefusePermitAllAndAccessRules() {
    assertThatThrownBy(() -> Gateway.builder().routeDefaults(d -> d.permitAll())
        .route("a", r -> r.path("/a").upstream("http://a:1")).build())
        .hasMessage("routeDefaults: permitAll() is said per route, never by default");
    assertThatThrownBy(() -> Gateway.builder().authenticator(AUTH).routeDefaults(d -> d.authorize(AccessRule.scopes("x")))
        .route("a", r -> r.path("/a").upstream("http://a:1")).build())
        .hasMessageContaining("routeDefaults: authorize() rules are set per route or method");
  }

  @Test
  void methodPoliciesApplyToTheirMethodOnlyAndAddAccessRules() {
    AccessRule read = AccessRule.scopes("orders:read");
    AccessRule write = AccessRule.scopes("orders:write");
    Gateway gateway = Gateway.builder().authenticator(AUTH)
        .route("orders", r -> r.path("/orders/**").upstream("http://a:1").authorize(read)
            .methodPolicies("post", m -> m.authorize(write).validate(v -> v.contentTypes("application/json"))
                .maxRequestBodySize(10)))
        .build();

    Route orders = gateway.route("orders").orElseThrow();
    assertThat(orders.methodPolicies()).containsOnlyKeys("POST");
    assertThat(orders.methodPolicies().get("POST").declared()).containsExactly("authorize", "maxRequestBodySize", "validate");
    Route post = orders.forMethod("POST");
    assertThat(post.accessRules()).containsExactly(read, write);
    assertThat(post.validation()).isPresent();
    assertThat(post.maxRequestBodySize()).hasValue(10);
    assertThat(post.methodPolicies()).isEmpty();
    assertThat(orders.forMethod("GET")).isSameAs(orders);
    assertThat(orders.forMethod("post")).as("compared as sent").isSameAs(orders);
    assertThat(orders.accessRules()).containsExactly(read);
  }

  @Test
  void headTakesTheGetBlockUnlessItHasItsOwn() {
    Gateway gateway = Gateway.builder().authenticator(AUTH)
        .route("a", r -> r.path("/a/**").upstream("http://a:1").methodPolicies("GET", m -> m.maxRequestBodySize(1)))
        .route("b", r -> r.path("/b/**").upstream("http://a:1").methodPolicies("GET", m -> m.maxRequestBodySize(1))
            .methodPolicies("HEAD", m -> m.maxRequestBodySize(2)))
        .build();

    Route a = gateway.route("a").orElseThrow();
    assertThat(a.forMethod("HEAD")).isSameAs(a.forMethod("GET"));
    assertThat(gateway.route("b").orElseThrow().forMethod("HEAD").maxRequestBodySize()).hasValue(2);
  }

  @Test
  void methodBlockOverRouteDefaults() {
    Gateway gateway = withDefaults()
        .route("orders", r -> r.path("/orders/**").upstream("http://a:1")
            .methodPolicies("GET", m -> m.noValidation().noRateLimit()))
        .build();

    Route orders = gateway.route("orders").orElseThrow();
    assertThat(orders.validation()).isPresent();
    assertThat(orders.forMethod("GET").validation()).isEmpty();
    assertThat(orders.forMethod("GET").rateLimiters()).isEmpty();
    assertThat(orders.forMethod("HEAD").validation()).isEmpty();
    assertThat(orders.forMethod("POST").validation()).isPresent();
  }

  @Test
  void invalidMethodBlocksAreRefusedNamingRouteAndMethod() {
    assertThatThrownBy(() -> Gateway.builder()
        .route("a", r -> r.path("/a").methods("GET").upstream("http://a:1").methodPolicies("POST", m -> m.maxRequestBodySize(1)))
        .build())
        .hasMessage("route 'a': methodPolicies: POST is not a method the route takes (it takes [GET])");
    assertThatThrownBy(() -> Gateway.builder()
        .route("a", r -> r.path("/a").upstream("http://a:1").methodPolicies("POST", m -> m.cors(c -> c.allowOrigins("*"))))
        .build())
        .hasMessageContaining("route 'a': methodPolicies: POST: cors is set per route");
    assertThatThrownBy(() -> Gateway.builder()
        .route("a", r -> r.path("/a").upstream("http://a:1").methodPolicies("POST", m -> m.maxRequestBodySize(1))
            .methodPolicies("post", m -> m.maxRequestBodySize(2)))
        .build())
        .hasMessage("route 'a': methodPolicies: POST is given twice");
    assertThatThrownBy(() -> Gateway.builder()
        .route("a", r -> r.path("/a").upstream("http://a:1").methodPolicies("PO ST", m -> m.maxRequestBodySize(1)))
        .build())
        .hasMessageContaining("methodPolicies: 'PO ST' (expected: an HTTP method token");
    assertThatThrownBy(() -> Gateway.builder().authenticator(AUTH)
        .route("a", r -> r.path("/a").upstream("http://a:1").authorize(AccessRule.scopes("x"))
            .methodPolicies("GET", m -> m.permitAll()))
        .build())
        .hasMessage("route 'a': methodPolicies: GET: permitAll() with authorize() rules: rules need an identity");
    assertThatThrownBy(() -> Gateway.builder()
        .route("a", r -> r.path("/a").upstream("http://a:1").methodPolicies("POST", m -> m.authorize(AccessRule.scopes("x"))))
        .build())
        .hasMessage("route 'a': authorize() needs an authenticator (on the route or the gateway)");
  }

  @Test
  void keptMethodOverrideHeaderIsRefusedWithMethodPolicies() {
    assertThatThrownBy(() -> Gateway.builder().keepClientHeaders("x-http-method-override")
        .route("a", r -> r.path("/a").upstream("http://a:1").methodPolicies("POST", m -> m.maxRequestBodySize(1)))
        .build())
        .hasMessage("route 'a': methodPolicies with keepClientHeaders(x-http-method-override): a client could pass one"
            + " method's policies and have the upstream run another");
  }

  @Test
  void methodBlockIdentityHeadersAreStrippedFromEveryClient() {
    Gateway gateway = Gateway.builder().authenticator(AUTH)
        .route("a", r -> r.path("/a").upstream("http://a:1").methodPolicies("POST", m -> m
            .identityForwarding(dev.portico.gateway.auth.IdentityForwarding.builder().subjectHeader("X-Poster").build())))
        .build();

    assertThat(gateway.identityHeaders()).contains("X-Poster");
  }
}
