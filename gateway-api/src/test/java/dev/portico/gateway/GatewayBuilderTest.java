package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GatewayBuilderTest {
  private static final String UPSTREAM = "http://upstream:8080";

  private static String buildError(Consumer<Gateway.Builder> spec) {
    Gateway.Builder builder = Gateway.builder();
    spec.accept(builder);
    Throwable thrown = catchThrowable(builder::build);
    assertThat(thrown).isInstanceOf(IllegalStateException.class);
    return thrown.getMessage();
  }

  private static String routeError(Consumer<Route.Builder> spec) {
    return buildError(g -> g.route("orders", spec));
  }

  @Test
  void buildsValidRoutesInDeclarationOrder() {
    Gateway gateway = Gateway.builder()
        .route("orders", r -> r.path("/api/orders/**").methods("get", "POST").upstream(UPSTREAM))
        .route("static", r -> r.path("/static/**").upstream(UPSTREAM))
        .build();

    assertThat(gateway.routes()).extracting(Route::id).containsExactly("orders", "static");
    assertThat(gateway.route("orders").orElseThrow().methods()).containsExactlyInAnyOrder("GET", "POST");
  }

  @Test
  void duplicateIdIsNamed() {
    String message = buildError(g -> g
        .route("orders", r -> r.path("/a").upstream(UPSTREAM))
        .route("orders", r -> r.path("/b").upstream(UPSTREAM)));

    assertThat(message).contains("route 'orders'", "declared twice");
  }

  @Test
  void routesWithTheSamePredicatesAreBothNamed() {
    String message = buildError(g -> g
        .route("first", r -> r.path("/users/{id}").methods("GET").upstream(UPSTREAM))
        .route("second", r -> r.path("/users/{userId}").methods("GET").upstream("http://other:8080")));

    assertThat(message).contains("'first'", "'second'", "same predicates", "/users/{userId}");
  }

  @Test
  void routeShadowedByAnEarlierBroaderRouteWithTheSamePathIsNamedWithIt() {
    String message = buildError(g -> g
        .route("broad", r -> r.path("/api/**").upstream(UPSTREAM))
        .route("narrow", r -> r.path("/api/**").methods("GET").header("X-Tenant", "acme").upstream(UPSTREAM)));

    assertThat(message).contains("route 'narrow' can never match", "route 'broad'", "/api/**");
  }

  @Test
  void routeShadowedThroughAWildcardHostIsFlagged() {
    String message = buildError(g -> g
        .route("tenants", r -> r.path("/x").hosts("*.example.com").upstream(UPSTREAM))
        .route("api", r -> r.path("/x").hosts("API.example.com").upstream(UPSTREAM)));

    assertThat(message).contains("route 'api' can never match", "route 'tenants'");
  }

  @Test
  void exactHostIsNotShadowedByAWildcardThatDoesNotMatchIt() {
    Gateway gateway = Gateway.builder()
        .route("tenants", r -> r.path("/x").hosts("*.example.com").upstream(UPSTREAM))
        .route("apex", r -> r.path("/x").hosts("example.com").upstream(UPSTREAM))
        .build();

    assertThat(gateway.routes()).hasSize(2);
  }

  @Test
  void laterMoreSpecificRouteAfterABroadOneIsNotFlagged() {
    Gateway gateway = Gateway.builder()
        .route("all", r -> r.path("/**").upstream(UPSTREAM))
        .route("api", r -> r.path("/api/**").upstream(UPSTREAM))
        .route("order", r -> r.path("/api/orders/{id}").upstream(UPSTREAM))
        .route("health", r -> r.path("/api/health").upstream(UPSTREAM))
        .build();

    assertThat(gateway.routes()).hasSize(4);
  }

  @Test
  void laterRouteWithTheSamePathButNarrowerEarlierPredicatesIsNotFlagged() {
    Gateway gateway = Gateway.builder()
        .route("reads", r -> r.path("/api/**").methods("GET").upstream(UPSTREAM))
        .route("rest", r -> r.path("/api/**").upstream(UPSTREAM))
        .build();

    assertThat(gateway.routes()).hasSize(2);
  }

  @Test
  void regexRouteAfterACoveringRootCatchAllIsFlagged() {
    String message = buildError(g -> g
        .route("all", r -> r.path("/**").upstream(UPSTREAM))
        .route("versioned", r -> r.pathRegex("/v[0-9]+/.*").upstream(UPSTREAM)));

    assertThat(message).contains("route 'versioned' can never match", "route 'all'");
  }

  @Test
  void regexRouteBeforeARootCatchAllIsNotFlagged() {
    Gateway gateway = Gateway.builder()
        .route("versioned", r -> r.pathRegex("/v[0-9]+/.*").upstream(UPSTREAM))
        .route("all", r -> r.path("/**").upstream(UPSTREAM))
        .build();

    assertThat(gateway.routes()).hasSize(2);
  }

  @Test
  void missingPathIsNamed() {
    assertThat(routeError(r -> r.upstream(UPSTREAM))).isEqualTo("route 'orders': no path");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      /a/**/b      | '**' must be the last segment
      /a*          | must make up a whole segment
      /{1x}        | bad variable name '1x'
      /{id}/{id}   | variable 'id' appears twice
      a/b          | must start with '/'
      /a//b        | empty segment
      /a/../b      | dot-segments
      /a%2Fb       | encoded '/'
      /a;b         | ';' is never accepted
      """)
  void invalidPathPatternIsNamedWithTheReason(String pattern, String reason) {
    String message = routeError(r -> r.path(pattern).upstream(UPSTREAM));

    assertThat(message).startsWith("route 'orders': path: invalid path pattern '" + pattern + "'").contains(reason);
  }

  @Test
  void badRegexIsNamed() {
    String message = routeError(r -> r.pathRegex("/a(b").upstream(UPSTREAM));

    assertThat(message).startsWith("route 'orders': path: path regex '/a(b'");
  }

  @Test
  void missingUpstreamIsNamed() {
    assertThat(routeError(r -> r.path("/a"))).isEqualTo("route 'orders': no upstream");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://x", "http://", "http://h?q", "http://h#f", "http://user@h", "orders:8080"})
  void badUpstreamUriIsNamed(String uri) {
    String message = routeError(r -> r.path("/a").upstream(uri));

    assertThat(message).startsWith("route 'orders': upstream: uri: '" + uri + "'");
  }

  @Test
  void rewriteWithAVariableThePathDoesNotCaptureIsNamed() {
    String message = routeError(r -> r.path("/orders/{id}").rewritePath("/v2/{orderId}").upstream(UPSTREAM));

    assertThat(message).startsWith("route 'orders': rewritePath uses {orderId}").contains("'/orders/{id}'", "[id]");
  }

  @Test
  void invalidRewriteTemplateIsNamed() {
    assertThat(routeError(r -> r.path("/a").rewritePath("v2").upstream(UPSTREAM)))
        .startsWith("route 'orders': rewritePath: template: 'v2'");
    assertThat(routeError(r -> r.path("/a").stripPrefix(-1).upstream(UPSTREAM)))
        .startsWith("route 'orders': stripPrefix: segments: -1");
  }

  @Test
  void invalidMethodIsNamed() {
    assertThat(routeError(r -> r.path("/a").methods("GE T").upstream(UPSTREAM)))
        .isEqualTo("route 'orders': methods: 'GE T' (expected: an HTTP method token such as GET)");
  }

  @Test
  void invalidHostPatternIsNamed() {
    assertThat(routeError(r -> r.path("/a").hosts("api.example.com:443").upstream(UPSTREAM)))
        .startsWith("route 'orders': hosts: invalid host pattern 'api.example.com:443'");
  }

  @Test
  void invalidHeaderAndQueryConditionsAreNamed() {
    assertThat(routeError(r -> r.path("/a").header("X Bad").upstream(UPSTREAM)))
        .startsWith("route 'orders': header: 'X Bad'");
    assertThat(routeError(r -> r.path("/a").queryParam("").upstream(UPSTREAM)))
        .isEqualTo("route 'orders': queryParam: empty name");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    String message = buildError(g -> g
        .route("a", r -> r.upstream(UPSTREAM))
        .route("b", r -> r.path("/b"))
        .route("c", r -> r.path("/c").upstream(UPSTREAM))
        .route("c", r -> r.path("/d").upstream(UPSTREAM)));

    assertThat(message).startsWith("3 configuration errors:")
        .contains("route 'a': no path", "route 'b': no upstream", "route 'c' is declared twice");
  }

  @Test
  void routeBuilderAloneFailsAtBuildNotAtTheSetter() {
    Route.Builder builder = Route.builder("r").path("/a").hosts("a:1").upstream(UPSTREAM);

    assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("route 'r': hosts:");
  }

  @Test
  void toBuilderKeepsEveryRouteAndSetting() {
    Gateway gateway = Gateway.builder()
        .route("a", r -> r.path("/a").upstream(UPSTREAM))
        .trustedProxies("10.0.0.0/8")
        .requestIdHeader("X-Trace")
        .build();

    Gateway copy = gateway.toBuilder().route("b", r -> r.path("/b").upstream(UPSTREAM)).build();

    assertThat(copy.routes()).extracting(Route::id).containsExactly("a", "b");
    assertThat(copy.trustedProxies()).containsExactly(IpRange.parse("10.0.0.0/8"));
    assertThat(copy.requestIdHeader()).isEqualTo("X-Trace");
  }

  @Test
  void identityHeadersAreEveryNameTheGatewaySetsFromAnIdentityLessCredentialHeaders() {
    Gateway gateway = Gateway.builder()
        .route("a", r -> r.path("/a/**").upstream(UPSTREAM)
            .identityForwarding(dev.portico.gateway.auth.IdentityForwarding.builder().subjectHeader("X-User").build())
            .requestHeaders(h -> h.set("x-auth-subject", "{identity.subject}").add("X-Tmp", "t-{identity.plan}")
                .rename("X-Tmp", "X-Plan").set("Authorization", "Bearer {identity.claim.upstream_token}")
                .set("X-Route", "{route.id}")))
        .build();

    assertThat(gateway.identityHeaders())
        .containsExactly("X-Auth-Subject", "X-Auth-Scopes", "X-Auth-Issuer", "X-Auth-Method", "X-User", "X-Tmp", "X-Plan");
  }

  @Test
  void aHeaderConditionOnAHeaderNoClientCanSendIsNamed() {
    assertThat(buildError(g -> g.route("spoofable", r -> r.path("/a/**").header("x-auth-subject", "admin").upstream(UPSTREAM))))
        .isEqualTo("route 'spoofable': header condition on x-auth-subject can never be met: the gateway removes"
            + " x-auth-subject from every client request before routing");
    assertThat(buildError(g -> g.route("override", r -> r.path("/a/**").header("X-HTTP-Method-Override").upstream(UPSTREAM))))
        .contains("route 'override': header condition on X-HTTP-Method-Override can never be met");
    assertThat(Gateway.builder().keepClientHeaders("X-HTTP-Method-Override")
        .route("override", r -> r.path("/a/**").header("X-HTTP-Method-Override").upstream(UPSTREAM)).build().routes())
        .hasSize(1);
  }
}
