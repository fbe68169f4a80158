package dev.portico.gateway.cors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.Challenge;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RawClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** CORS: preflights answered by the gateway, headers on every response, against a recording upstream. */
class CorsTest {
  private static final Authenticator BEARER = exchange -> CompletableFuture.completedFuture(
      exchange.request().headers().first("Authorization").filter(v -> v.startsWith("Bearer "))
          .map(v -> AuthResult.authenticated(Identity.builder(v.substring(7)).build()))
          .orElse(AuthResult.noCredentials(Challenge.bearer("api"))));

  private static final CorsPolicy APP = CorsPolicy.builder()
      .allowOrigins("https://app.example.com", "https://*.example.org", "http://localhost:*")
      .allowMethods("GET", "POST", "PUT")
      .allowHeaders("Content-Type", "Authorization", "X-Api-Version")
      .exposeHeaders("X-Request-Id", "X-Total")
      .allowCredentials()
      .maxAge(Duration.ofMinutes(10))
      .build();

  private FakeUpstream upstream;
  private GatewayServer host;

  @BeforeEach
  void start() throws Exception {
    upstream = FakeUpstream.start();
    upstream.respondWith((r, req, resp, cb) -> {
      resp.getHeaders().put("Access-Control-Allow-Origin", "*");      // the upstream's own idea of CORS
      resp.getHeaders().put("X-Total", "3");
      resp.getHeaders().put("Content-Type", "text/plain");
      Content.Sink.write(resp, true, "orders", cb);
    });
    host = GatewayServer.builder().gateway(Gateway.builder()
        .route("orders", r -> r.path("/api/orders/**").methods("GET", "POST", "PUT", "DELETE")
            .authenticator(BEARER).cors(APP).upstream(upstream.uri()))
        .route("plain", r -> r.path("/plain/**").methods("GET", "OPTIONS").permitAll().upstream(upstream.uri()))
        .build()).permissiveUris(true).hostAnswer().start();
  }

  @AfterEach
  void stop() throws Exception {
    host.close();
    upstream.close();
  }

  private ContentResponse preflight(String path, @Nullable String origin, String method, @Nullable String headers)
      throws Exception {
    return host.client().newRequest(host.uri(path)).method("OPTIONS").headers(h -> {
      if (origin != null) {
        h.add("Origin", origin);
      }
      h.add("Access-Control-Request-Method", method);
      if (headers != null) {
        h.add("Access-Control-Request-Headers", headers);
      }
    }).timeout(10, TimeUnit.SECONDS).send();
  }

  static Stream<Arguments> preflights() {
    return Stream.of(
        // origin, method, requested headers, expected status
        Arguments.of("https://app.example.com", "GET", null, 204),
        Arguments.of("https://app.example.com", "PUT", "content-type, authorization", 204),
        Arguments.of("https://APP.example.com", "POST", "X-Api-Version", 204),
        Arguments.of("https://a.example.org", "POST", "content-type", 204),
        Arguments.of("https://a.b.example.org", "GET", null, 204),
        Arguments.of("http://localhost:5173", "GET", "authorization", 204),
        Arguments.of("http://localhost", "GET", null, 204),
        Arguments.of("https://example.org", "GET", null, 403),            // *. needs at least one label
        Arguments.of("http://app.example.com", "GET", null, 403),         // scheme differs
        Arguments.of("https://app.example.com:8443", "GET", null, 403),   // port differs
        Arguments.of("https://evil.example.com", "GET", null, 403),
        Arguments.of("null", "GET", null, 403),
        Arguments.of("https://app.example.com", "DELETE", null, 403),     // the route takes it, the policy does not
        Arguments.of("https://app.example.com", "PUT", "x-secret", 403),
        Arguments.of("https://app.example.com", "PUT", "content-type, x-secret", 403));
  }

  @ParameterizedTest(name = "{0} {1} [{2}] -> {3}")
  @MethodSource("preflights")
  void preflightMatrix(String origin, String method, @Nullable String headers, int expected) throws Exception {
    ContentResponse response = preflight("/api/orders/7", origin, method, headers);

    assertThat(response.getStatus()).isEqualTo(expected);
    HttpFields h = response.getHeaders();
    if (expected == 204) {
      assertThat(h.get("Access-Control-Allow-Origin")).isEqualTo(origin);
      assertThat(h.get("Access-Control-Allow-Credentials")).isEqualTo("true");
      assertThat(h.get("Access-Control-Allow-Methods")).isEqualTo("GET, POST, PUT");
      assertThat(h.get("Access-Control-Allow-Headers")).isEqualTo(headers == null ? null : headers.toLowerCase());
      assertThat(h.get("Access-Control-Max-Age")).isEqualTo("600");
      assertThat(h.get("Vary")).isEqualTo("Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
      assertThat(response.getContent()).isEmpty();
    } else {
      assertThat(h.get("Content-Type")).isEqualTo("application/problem+json");
      assertThat(response.getContentAsString()).contains("https://portico.dev/problems/cors-rejected");
      assertThat(h.getFieldNamesCollection()).noneMatch(n -> n.toLowerCase().startsWith("access-control-"));
    }
    assertThat(upstream.pollRequest()).as("preflights never reach the upstream").isEmpty();
  }

  @Test
  void preflightIsAnsweredWithoutCredentialsOnAnAuthenticatedRoute() throws Exception {
    ContentResponse preflight = preflight("/api/orders", "https://app.example.com", "POST", "authorization");
    ContentResponse withoutToken = host.client().newRequest(host.uri("/api/orders")).method("OPTIONS")
        .timeout(10, TimeUnit.SECONDS).send();

    assertThat(preflight.getStatus()).isEqualTo(204);
    assertThat(withoutToken.getStatus()).as("plain OPTIONS is routed by its method").isEqualTo(405);
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void preflightForAMethodNoRouteTakesIsACorsRefusalNamingThatMethod() throws Exception {
    ContentResponse response = preflight("/api/orders/7", "https://app.example.com", "PATCH", null);

    assertThat(response.getStatus()).isEqualTo(403);
    assertThat(response.getHeaders().get("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.getContentAsString()).contains("https://portico.dev/problems/cors-rejected")
        .contains("Method 'PATCH' is not allowed for cross-origin requests here; allowed: DELETE, GET, POST, PUT.")
        .doesNotContain("OPTIONS");
    assertThat(response.getHeaders().getFieldNamesCollection()).noneMatch(n -> n.toLowerCase().startsWith("access-control-"));
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void preflightForAMethodNoRouteTakesFromAnotherOriginIsRefusedForTheOrigin() throws Exception {
    ContentResponse response = preflight("/api/orders/7", "https://evil.example.com", "PATCH", null);

    assertThat(response.getStatus()).isEqualTo(403);
    assertThat(response.getContentAsString()).contains("Origin 'https://evil.example.com' may not call this route");
  }

  @Test
  void preflightForAMethodNoRouteTakesIsRefusedByAnyRouteOnThePathThatHasAPolicy() throws Exception {
    host.close();
    host = GatewayServer.builder().gateway(Gateway.builder()
        .route("read", r -> r.path("/items").methods("GET").permitAll().upstream(upstream.uri()))
        .route("write", r -> r.path("/items").methods("POST").permitAll().cors(APP).upstream(upstream.uri()))
        .build()).permissiveUris(true).hostAnswer().start();

    ContentResponse response = preflight("/items", "https://app.example.com", "DELETE", null);

    assertThat(response.getStatus()).as("the GET route has no policy; the POST route's refuses").isEqualTo(403);
    assertThat(response.getContentAsString()).contains("Method 'DELETE' is not allowed for cross-origin requests here;"
        + " allowed: GET, POST.");
  }

  @Test
  void preflightForAMethodNotTakenOnAPathWithoutCorsIsRoutedAsOptions() throws Exception {
    ContentResponse response = preflight("/plain/x", "https://app.example.com", "DELETE", null);

    assertThat(response.getStatus()).as("no CORS policy here: OPTIONS is proxied like any request").isEqualTo(200);
    assertThat(upstream.takeRequest().method()).isEqualTo("OPTIONS");
  }

  @Test
  void preflightForAPathNoRouteMatchesIsHandedBackToTheHost() throws Exception {
    ContentResponse response = preflight("/elsewhere", "https://app.example.com", "GET", null);

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getContentAsString()).isEqualTo(GatewayServer.HOST_ANSWER);
  }

  @Test
  void preflightOnARouteWithoutCorsIsProxiedLikeAnyOptionsRequest() throws Exception {
    ContentResponse response = preflight("/plain/x", "https://app.example.com", "GET", null);

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().method()).isEqualTo("OPTIONS");
  }

  @Test
  void allowedOriginGetsCorsHeadersAndTheUpstreamsOwnAreDropped() throws Exception {
    ContentResponse response = host.client().newRequest(host.uri("/api/orders/7"))
        .headers(h -> h.add("Origin", "https://app.example.com").add("Authorization", "Bearer alice"))
        .timeout(10, TimeUnit.SECONDS).send();

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getHeaders().getValuesList("Access-Control-Allow-Origin")).containsExactly("https://app.example.com");
    assertThat(response.getHeaders().get("Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(response.getHeaders().get("Access-Control-Expose-Headers")).isEqualTo("X-Request-Id, X-Total");
    assertThat(response.getHeaders().get("Vary")).isEqualTo("Origin");
  }

  @Test
  void disallowedOriginGetsNoCorsHeaders() throws Exception {
    ContentResponse response = host.client().newRequest(host.uri("/api/orders/7"))
        .headers(h -> h.add("Origin", "https://evil.example.com").add("Authorization", "Bearer alice"))
        .timeout(10, TimeUnit.SECONDS).send();

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getHeaders().getFieldNamesCollection()).noneMatch(n -> n.toLowerCase().startsWith("access-control-"));
    assertThat(response.getHeaders().get("Vary")).isEqualTo("Origin");
  }

  @Test
  void problemsCarryCorsHeadersSoBrowsersCanReadThem() throws Exception {
    ContentResponse response = host.client().newRequest(host.uri("/api/orders/7"))
        .headers(h -> h.add("Origin", "https://app.example.com")).timeout(10, TimeUnit.SECONDS).send();

    assertThat(response.getStatus()).isEqualTo(401);
    assertThat(response.getHeaders().get("WWW-Authenticate")).startsWith("Bearer");
    assertThat(response.getHeaders().get("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    assertThat(response.getHeaders().get("Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(response.getHeaders().get("Access-Control-Expose-Headers")).as("the policy's own, then what a refusal needs")
        .isEqualTo("X-Request-Id, X-Total, WWW-Authenticate, Retry-After, RateLimit, RateLimit-Policy");
    assertThat(response.getHeaders().get("Vary")).isEqualTo("Origin");
  }

  @Test
  void refusalsExposeTheHeadersABrowserAppNeedsEvenWhenThePolicyExposesNone() throws Exception {
    host.close();
    host = GatewayServer.builder().gateway(Gateway.builder()
        .requestIdHeader("X-Correlation-Id")
        .cors(c -> c.allowOrigins("https://app.example.com"))
        .route("limited", r -> r.path("/limited").permitAll()
            .rateLimiter(dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter.perKey(1, Duration.ofMinutes(1),
                dev.portico.gateway.ratelimit.KeyResolver.clientIp()))
            .upstream(upstream.uri()))
        .build()).permissiveUris(true).hostAnswer().start();
    String expected = "WWW-Authenticate, Retry-After, RateLimit, RateLimit-Policy, X-Correlation-Id";

    ContentResponse allowed = get("/limited", "https://app.example.com");
    ContentResponse limited = get("/limited", "https://app.example.com");
    ContentResponse otherOrigin = get("/limited", "https://evil.example.com");

    assertThat(allowed.getStatus()).isEqualTo(200);
    assertThat(allowed.getHeaders().get("Access-Control-Expose-Headers")).as("an upstream answer: the policy's only").isNull();
    assertThat(limited.getStatus()).isEqualTo(429);
    assertThat(limited.getHeaders().get("Retry-After")).isNotNull();
    assertThat(limited.getHeaders().get("Access-Control-Expose-Headers")).isEqualTo(expected);
    assertThat(otherOrigin.getStatus()).isEqualTo(429);
    assertThat(otherOrigin.getHeaders().getFieldNamesCollection()).noneMatch(n -> n.toLowerCase().startsWith("access-control-"));
  }

  private ContentResponse get(String path, String origin) throws Exception {
    return host.client().newRequest(host.uri(path)).headers(h -> h.add("Origin", origin))
        .timeout(10, TimeUnit.SECONDS).send();
  }

  @Test
  void gatewayWidePolicyAppliesToRoutesAndRefusalsBeforeRouting() throws Exception {
    host.close();
    host = GatewayServer.builder().gateway(Gateway.builder()
        .cors(c -> c.allowAnyOrigin().allowMethods("GET", "DELETE"))
        .route("open", r -> r.path("/open/**").methods("GET", "DELETE").permitAll().upstream(upstream.uri()))
        .route("own", r -> r.path("/own/**").permitAll().cors(APP).upstream(upstream.uri()))
        .build()).permissiveUris(true).hostAnswer().start();

    ContentResponse preflight = preflight("/open/x", "https://anyone.example", "DELETE", null);
    ContentResponse get = host.client().newRequest(host.uri("/open/x"))
        .headers(h -> h.add("Origin", "https://anyone.example")).timeout(10, TimeUnit.SECONDS).send();
    ContentResponse notAllowed = host.client().newRequest(host.uri("/open/x")).method("POST")
        .headers(h -> h.add("Origin", "https://anyone.example")).timeout(10, TimeUnit.SECONDS).send();
    ContentResponse own = preflight("/own/x", "https://anyone.example", "GET", null);

    assertThat(preflight.getStatus()).isEqualTo(204);
    assertThat(preflight.getHeaders().get("Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(preflight.getHeaders().get("Access-Control-Allow-Credentials")).isNull();
    assertThat(get.getHeaders().get("Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(notAllowed.getStatus()).isEqualTo(405);
    assertThat(notAllowed.getHeaders().get("Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(notAllowed.getHeaders().get("Access-Control-Expose-Headers"))
        .isEqualTo("WWW-Authenticate, Retry-After, RateLimit, RateLimit-Policy, X-Request-Id");
    assertThat(own.getStatus()).as("a route's own policy replaces the gateway's").isEqualTo(403);
  }

  @Test
  void preflightAnswerIsWellFramedOnTheWire() throws Exception {
    RawClient.Response response = RawClient.exchange(host.port(), "OPTIONS /api/orders/7 HTTP/1.1\r\nHost: x\r\n"
        + "Origin: https://app.example.com\r\nAccess-Control-Request-Method: PUT\r\nConnection: close\r\n\r\n");

    assertThat(response.status()).isEqualTo(204);
    assertThat(response.text().toLowerCase()).doesNotContain("content-length").doesNotContain("transfer-encoding");
    assertThat(response.body()).isEmpty();
  }
}
