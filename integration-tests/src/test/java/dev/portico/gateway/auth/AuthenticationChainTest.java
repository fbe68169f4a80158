package dev.portico.gateway.auth;

import static dev.portico.gateway.testing.ProblemJson.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.auth.apikey.ApiKeyAuthenticator;
import dev.portico.gateway.auth.apikey.InMemoryApiKeyStore;
import dev.portico.gateway.auth.basic.BasicAuthenticator;
import dev.portico.gateway.auth.basic.Pbkdf2CredentialStore;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.testing.TestAuthenticator;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Which authenticator runs for a route, how their results become answers, and where they sit in the chain. */
class AuthenticationChainTest {
  private static final String KEY = "chain-test-key-0123456789";
  private static final ApiKeyAuthenticator API_KEYS = ApiKeyAuthenticator.of(
      InMemoryApiKeyStore.builder().key(KEY, ApiKeyRecord.of("batch")).build());
  private static final BasicAuthenticator BASIC = BasicAuthenticator.of("admin", Pbkdf2CredentialStore.builder()
      .user("alice", Pbkdf2CredentialStore.hash("secret".toCharArray(), 1_000)).build());

  private FakeUpstream upstream;
  private GatewayServer host;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = FakeUpstream.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  private void start(Gateway.Builder gateway) throws Exception {
    host = GatewayServer.builder().gateway(gateway.build()).permissiveUris(true).hostAnswer().start();
  }

  private ContentResponse get(String path, Consumer<HttpFields.Mutable> headers) throws Exception {
    return host.client().newRequest(host.uri(path)).headers(headers).timeout(10, TimeUnit.SECONDS).send();
  }

  private static String basic(String userColonPassword) {
    return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void gatewayAuthenticatorGuardsRoutesThatSetNothing() throws Exception {
    start(Gateway.builder().authenticator(new TestAuthenticator())
        .route("orders", r -> r.path("/orders/**").upstream(upstream.uri())));

    ContentResponse anonymous = get("/orders/1", h -> { });
    ContentResponse reader = get("/orders/1", h -> h.add("Authorization", "Test reader"));

    assertProblem(anonymous, ProblemType.UNAUTHORIZED);
    assertThat(anonymous.getHeaders().getValuesList("WWW-Authenticate")).containsExactly("Test realm=\"tests\"");
    assertThat(reader.getStatus()).isEqualTo(200);
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @Test
  void permitAllRouteIsOpenAlthoughTheGatewayHasAnAuthenticator() throws Exception {
    List<Optional<Identity>> seen = new CopyOnWriteArrayList<>();
    start(Gateway.builder().authenticator(new TestAuthenticator())
        .route("health", r -> r.path("/health").upstream(upstream.uri()).permitAll().filter((exchange, chain) -> {
          seen.add(exchange.identity());
          return chain.proceed(exchange);
        }))
        .route("orders", r -> r.path("/orders/**").upstream(upstream.uri())));

    assertThat(get("/health", h -> { }).getStatus()).isEqualTo(200);
    assertThat(get("/health", h -> h.add("Authorization", "Test nobody")).getStatus()).isEqualTo(200);
    assertThat(get("/orders/1", h -> { }).getStatus()).isEqualTo(401);
    assertThat(seen).containsExactly(Optional.empty(), Optional.empty());
  }

  @Test
  void routeAuthenticatorReplacesTheGatewayDefault() throws Exception {
    start(Gateway.builder().authenticator(new TestAuthenticator())
        .route("batch", r -> r.path("/batch/**").upstream(upstream.uri()).authenticator(API_KEYS)));

    ContentResponse withGatewayCredentials = get("/batch/run", h -> h.add("Authorization", "Test writer"));
    ContentResponse withKey = get("/batch/run", h -> h.add("X-Api-Key", KEY));

    assertProblem(withGatewayCredentials, ProblemType.UNAUTHORIZED);
    assertThat(withGatewayCredentials.getHeaders().getValuesList("WWW-Authenticate")).containsExactly("ApiKey realm=\"api\"");
    assertThat(withKey.getStatus()).isEqualTo(200);
  }

  @Test
  void buildRefusesAuthorizeWithoutAnyAuthenticatorNamingTheRoute() {
    Gateway.Builder builder = Gateway.builder()
        .route("reports", r -> r.path("/reports/**").upstream(upstream.uri()).authorize(AccessRule.scopes("reports:read")));

    assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("route 'reports'").hasMessageContaining("authorize()");
  }

  @Test
  void buildAcceptsAuthorizeWithOnlyAGatewayAuthenticator() {
    Gateway gateway = Gateway.builder().authenticator(new TestAuthenticator())
        .route("reports", r -> r.path("/reports/**").upstream(upstream.uri()).authorize(AccessRule.scopes("reports:read")))
        .build();

    assertThat(gateway.authenticatorFor(gateway.route("reports").orElseThrow())).isPresent();
  }

  @Test
  void orElseTriesTheNextOnlyWithoutCredentialsAndOffersBothChallenges() throws Exception {
    start(Gateway.builder().authenticator(API_KEYS.orElse(BASIC))
        .route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    ContentResponse neither = get("/api/x", h -> { });
    ContentResponse key = get("/api/x", h -> h.add("X-Api-Key", KEY));
    ContentResponse password = get("/api/x", h -> h.add("Authorization", basic("alice:secret")));
    ContentResponse badKeyGoodPassword = get("/api/x", h -> h.add("X-Api-Key", "wrong-key-0123456789")
        .add("Authorization", basic("alice:secret")));

    assertProblem(neither, ProblemType.UNAUTHORIZED);
    assertThat(neither.getHeaders().getValuesList("WWW-Authenticate"))
        .containsExactly("ApiKey realm=\"api\"", "Basic realm=\"admin\"");
    assertThat(key.getStatus()).isEqualTo(200);
    assertThat(password.getStatus()).isEqualTo(200);
    assertProblem(badKeyGoodPassword, ProblemType.UNAUTHORIZED);
    assertThat(badKeyGoodPassword.getHeaders().getValuesList("WWW-Authenticate"))
        .containsExactly("ApiKey realm=\"api\", error=\"invalid_token\", error_description=\"The API key is not valid.\"");
  }

  @Test
  void unavailableAuthenticatorAnswers503WithRetryAfter() throws Exception {
    Authenticator down = exchange -> CompletableFuture.completedFuture(AuthResult.unavailable("The user directory is down."));
    start(Gateway.builder().authenticator(down).route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    ContentResponse response = get("/api/x", h -> { });

    JsonNode problem = assertProblem(response, ProblemType.AUTHENTICATION_UNAVAILABLE);
    assertThat(problem.get("type").asString()).isEqualTo("https://portico.dev/problems/authentication-unavailable");
    assertThat(problem.get("detail").asString()).isEqualTo("The user directory is down.");
    assertThat(response.getHeaders().get("Retry-After")).isEqualTo("5");
    assertThat(response.getHeaders().get("WWW-Authenticate")).isNull();
    assertThat(upstream.pollRequest()).isEmpty();
  }

  private void assertInternalWithoutDetails(Authenticator broken) throws Exception {
    start(Gateway.builder().authenticator(broken).route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    ContentResponse response = get("/api/x", h -> { });

    JsonNode problem = assertProblem(response, ProblemType.INTERNAL);
    assertThat(problem.get("detail").asString()).isEqualTo("The gateway failed to process the request.");
    assertThat(response.getContentAsString()).doesNotContain("secret-internal").doesNotContain("Exception");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void throwingAuthenticatorAnswers500WithoutDetails() throws Exception {
    assertInternalWithoutDetails(exchange -> {
      throw new IllegalStateException("secret-internal 10.0.0.7");
    });
  }

  @Test
  void failedStageAnswers500WithoutDetails() throws Exception {
    assertInternalWithoutDetails(exchange -> CompletableFuture.failedFuture(new IllegalStateException("secret-internal")));
  }

  @Test
  void nullStageAnswers500WithoutDetails() throws Exception {
    assertInternalWithoutDetails(exchange -> null);
  }

  @Test
  void nullResultAnswers500WithoutDetails() throws Exception {
    assertInternalWithoutDetails(exchange -> CompletableFuture.completedFuture(null));
  }

  @Test
  void runsAfterGlobalFiltersAndBeforeRouteFilters() throws Exception {
    List<String> order = new CopyOnWriteArrayList<>();
    Authenticator recording = exchange -> {
      order.add("authenticate");
      return new TestAuthenticator().authenticate(exchange);
    };
    start(Gateway.builder()
        .filter((exchange, chain) -> {
          order.add("global identity=" + exchange.identity().map(Identity::subject).orElse("none"));
          return chain.proceed(exchange);
        })
        .authenticator(recording)
        .route("orders", r -> r.path("/orders/**").upstream(upstream.uri())
            .authorize((identity, exchange) -> {
              order.add("authorize " + identity.subject());
              return AccessDecision.allow();
            })
            .filter((exchange, chain) -> {
              order.add("route identity=" + exchange.identity().map(Identity::subject).orElse("none"));
              return chain.proceed(exchange);
            })));

    assertThat(get("/orders/1", h -> h.add("Authorization", "Test reader")).getStatus()).isEqualTo(200);

    assertThat(order).containsExactly("global identity=none", "authenticate", "authorize reader", "route identity=reader");
  }

  @Test
  void routeFiltersNeverRunForRefusedRequests() throws Exception {
    List<String> ran = new CopyOnWriteArrayList<>();
    start(Gateway.builder().authenticator(new TestAuthenticator())
        .route("orders", r -> r.path("/orders/**").upstream(upstream.uri()).filter((exchange, chain) -> {
          ran.add("route filter");
          return chain.proceed(exchange);
        })));

    assertThat(get("/orders/1", h -> h.add("Authorization", "Test mallory")).getStatus()).isEqualTo(401);

    assertThat(ran).isEmpty();
  }

  @Test
  void aCustomAuthenticatorWithoutChallengeStillGetsOneOnItsRefusal() throws Exception {
    Authenticator silent = exchange -> CompletableFuture.completedFuture(AuthResult.noCredentials());
    start(Gateway.builder().authenticator(silent).route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    ContentResponse response = get("/api/x", h -> { });

    assertProblem(response, ProblemType.UNAUTHORIZED);
    assertThat(response.getHeaders().getValuesList("WWW-Authenticate")).containsExactly("Bearer");
    assertThat(upstream.pollRequest()).isEmpty();
  }
}
