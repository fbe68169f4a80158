package dev.portico.gateway.auth.introspection;

import static dev.portico.gateway.testing.ProblemJson.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.test.TestClock;
import dev.portico.gateway.test.TestExchange;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IntrospectionAuthenticatorTest {
  private static final long NOW = 1_900_000_000L;

  private final TestClock clock = TestClock.at(Instant.ofEpochSecond(NOW));
  private final AtomicInteger hits = new AtomicInteger();
  /** What the authorization server answers, by token; unknown tokens are inactive. */
  private final Map<String, String> answers = new ConcurrentHashMap<>();
  private volatile int status = 200;
  private volatile CountDownLatch hold = new CountDownLatch(0);
  private FakeUpstream authorizationServer;
  private IntrospectionAuthenticator authenticator;
  private GatewayServer host;
  private FakeUpstream upstream;

  @BeforeEach
  void startAuthorizationServer() throws Exception {
    authorizationServer = FakeUpstream.start().respondWith((received, request, response, callback) -> {
      hits.incrementAndGet();
      if (!hold.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("held too long");
      }
      String token = form(received.bodyAsString()).get("token");
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      Content.Sink.write(response, true, answers.getOrDefault(token, "{\"active\":false}"), callback);
    });
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (authenticator != null) {
      authenticator.close();
    }
    authorizationServer.close();
  }

  private IntrospectionAuthenticator.Builder builder() {
    return IntrospectionAuthenticator.builder(authorizationServer.uri() + "/introspect")
        .clientCredentials("gateway", "s3cret")
        .clock(clock);
  }

  private AuthResult authenticate(String authorization) throws Exception {
    return authenticator.authenticate(TestExchange.get("/api/x", "Authorization", authorization))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Map<String, String> form(String body) {
    Map<String, String> fields = new java.util.LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return fields;
  }

  private void activeToken(String token, long exp) {
    answers.put(token, "{\"active\":true,\"sub\":\"alice\",\"iss\":\"https://idp.example\",\"scope\":\"orders:read orders:write\","
        + "\"client_id\":\"shop\",\"aud\":[\"orders-api\",\"other\"],\"exp\":" + exp + "}");
  }

  @Test
  void acceptsActiveTokenAndSendsItAsFormWithClientCredentials() throws Exception {
    authenticator = builder().build();
    activeToken("tok-1", NOW + 600);

    AuthResult result = authenticate("Bearer tok-1");

    assertThat(result.kind()).isEqualTo(AuthResult.Kind.AUTHENTICATED);
    Identity identity = result.identity().orElseThrow();
    assertThat(identity.subject()).isEqualTo("alice");
    assertThat(identity.method()).isEqualTo("introspection");
    assertThat(identity.issuer()).contains("https://idp.example");
    assertThat(identity.scopes()).containsExactlyInAnyOrder("orders:read", "orders:write");
    assertThat(identity.claim("client_id")).contains("shop");
    assertThat(identity.claim("exp")).hasValueSatisfying(exp -> assertThat(((Number) exp).longValue()).isEqualTo(NOW + 600));
    RecordedRequest call = authorizationServer.takeRequest();
    assertThat(call.method()).isEqualTo("POST");
    assertThat(call.target()).isEqualTo("/introspect");
    assertThat(call.header("Content-Type").orElse(null)).startsWith("application/x-www-form-urlencoded");
    assertThat(call.header("Authorization").orElse(null))
        .isEqualTo("Basic " + Base64.getEncoder().encodeToString("gateway:s3cret".getBytes(StandardCharsets.UTF_8)));
    assertThat(form(call.bodyAsString())).containsExactly(Map.entry("token", "tok-1"), Map.entry("token_type_hint", "access_token"));
  }

  @Test
  void takesSubjectFromUsernameOrClientIdWithoutSub() throws Exception {
    authenticator = builder().build();
    answers.put("user", "{\"active\":true,\"username\":\"bob\"}");
    answers.put("client", "{\"active\":true,\"client_id\":\"batch-job\"}");
    answers.put("nobody", "{\"active\":true,\"scope\":\"x\"}");

    assertThat(authenticate("Bearer user").identity()).map(Identity::subject).contains("bob");
    assertThat(authenticate("Bearer client").identity()).map(Identity::subject).contains("batch-job");
    assertThat(authenticate("Bearer nobody").kind()).isEqualTo(AuthResult.Kind.REJECTED);
  }

  @Test
  void cachesActiveTokenSoTheEndpointIsAskedOnce() throws Exception {
    authenticator = builder().build();
    activeToken("tok-1", NOW + 600);

    for (int i = 0; i < 3; i++) {
      assertThat(authenticate("Bearer tok-1").kind()).isEqualTo(AuthResult.Kind.AUTHENTICATED);
    }

    assertThat(hits).hasValue(1);
  }

  @Test
  void keepsActiveTokenNoLongerThanItsExp() throws Exception {
    authenticator = builder().cacheTtl(Duration.ofMinutes(10)).build();
    activeToken("tok-1", NOW + 60);
    authenticate("Bearer tok-1");

    clock.advance(Duration.ofSeconds(59));
    authenticate("Bearer tok-1");
    assertThat(hits).hasValue(1);

    clock.advance(Duration.ofSeconds(2));
    authenticate("Bearer tok-1");
    assertThat(hits).hasValue(2);
  }

  @Test
  void keepsActiveTokenNoLongerThanTheCacheTtl() throws Exception {
    authenticator = builder().cacheTtl(Duration.ofSeconds(30)).build();
    activeToken("tok-1", NOW + 3600);
    authenticate("Bearer tok-1");

    clock.advance(Duration.ofSeconds(31));
    authenticate("Bearer tok-1");

    assertThat(hits).hasValue(2);
  }

  @Test
  void rejectsInactiveTokenAndRemembersForTheNegativeTtl() throws Exception {
    authenticator = builder().negativeCacheTtl(Duration.ofSeconds(10)).build();

    AuthResult first = authenticate("Bearer revoked");
    AuthResult second = authenticate("Bearer revoked");
    clock.advance(Duration.ofSeconds(11));
    authenticate("Bearer revoked");

    assertThat(first.kind()).isEqualTo(AuthResult.Kind.REJECTED);
    assertThat(first.challenges()).singleElement().satisfies(c -> {
      assertThat(c.scheme()).isEqualTo("Bearer");
      assertThat(c.error()).isEqualTo("invalid_token");
    });
    assertThat(second.kind()).isEqualTo(AuthResult.Kind.REJECTED);
    assertThat(hits).hasValue(2);
  }

  @Test
  void boundsTheCacheToItsSize() throws Exception {
    authenticator = builder().cacheSize(2).build();
    for (String token : List.of("a", "b", "c")) {
      activeToken(token, NOW + 600);
      authenticate("Bearer " + token);
    }

    authenticate("Bearer a");

    assertThat(hits).hasValue(4);
  }

  @Test
  void sharesOneCallAmongConcurrentRequestsForTheSameToken() throws Exception {
    authenticator = builder().build();
    activeToken("tok-1", NOW + 600);
    hold = new CountDownLatch(1);

    List<CompletableFuture<AuthResult>> results = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      results.add(authenticator.authenticate(TestExchange.get("/x", "Authorization", "Bearer tok-1")).toCompletableFuture());
    }
    hold.countDown();

    for (CompletableFuture<AuthResult> result : results) {
      assertThat(result.get(10, TimeUnit.SECONDS).kind()).isEqualTo(AuthResult.Kind.AUTHENTICATED);
    }
    assertThat(hits).hasValue(1);
  }

  @Test
  void checksAudienceAndIssuerWhenConfigured() throws Exception {
    activeToken("tok-1", NOW + 600);
    authenticator = builder().audience("orders-api").issuer("https://idp.example").build();
    assertThat(authenticate("Bearer tok-1").kind()).isEqualTo(AuthResult.Kind.AUTHENTICATED);
    authenticator.close();

    authenticator = builder().audience("billing-api").build();
    AuthResult wrongAudience = authenticate("Bearer tok-1");
    assertThat(wrongAudience.kind()).isEqualTo(AuthResult.Kind.REJECTED);
    assertThat(wrongAudience.challenges().get(0).errorDescription()).isEqualTo("The token is not meant for this API.");
    authenticator.close();

    authenticator = builder().issuer("https://other.example").build();
    assertThat(authenticate("Bearer tok-1").kind()).isEqualTo(AuthResult.Kind.REJECTED);
  }

  @Test
  void offersBearerChallengeWithoutBearerToken() throws Exception {
    authenticator = builder().realm("orders").build();

    AuthResult result = authenticator.authenticate(TestExchange.get("/x")).toCompletableFuture().get();

    assertThat(result.kind()).isEqualTo(AuthResult.Kind.NO_CREDENTIALS);
    assertThat(result.challenges()).singleElement().extracting(c -> c.headerValue()).isEqualTo("Bearer realm=\"orders\"");
    assertThat(hits).hasValue(0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Bearer", "Bearer ", "Bearer a b", "Bearer <script>", "Bearer ä"})
  void rejectsMalformedBearerHeaderWithoutCallingTheEndpoint(String authorization) throws Exception {
    authenticator = builder().build();

    AuthResult result = authenticate(authorization);

    assertThat(result.kind()).isEqualTo(AuthResult.Kind.REJECTED);
    assertThat(result.challenges().get(0).error()).isEqualTo("invalid_request");
    assertThat(hits).hasValue(0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"not json", "[]", "{\"sub\":\"alice\"}", "{\"active\":\"true\",\"sub\":\"alice\"}",
      "{\"active\":true,\"active\":false}", "{\"active\":true,\"sub\":\"a\",\"exp\":\"soon\"}", "{\"active\":true} trailing", ""})
  void answersGarbageAsUnavailableAndDoesNotCacheIt(String garbage) throws Exception {
    authenticator = builder().build();
    answers.put("tok-1", garbage);

    AuthResult first = authenticate("Bearer tok-1");
    authenticate("Bearer tok-1");

    assertThat(first.kind()).isEqualTo(AuthResult.Kind.UNAVAILABLE);
    assertThat(first.detail()).contains("The token cannot be checked right now.");
    assertThat(hits).hasValue(2);
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 503, 401, 400, 302})
  void answersEndpointErrorsAsUnavailable(int endpointStatus) throws Exception {
    authenticator = builder().build();
    activeToken("tok-1", NOW + 600);
    status = endpointStatus;

    assertThat(authenticate("Bearer tok-1").kind()).isEqualTo(AuthResult.Kind.UNAVAILABLE);

    status = 200;
    assertThat(authenticate("Bearer tok-1").kind()).isEqualTo(AuthResult.Kind.AUTHENTICATED);
  }

  @Test
  void answersOversizedResponseAsUnavailable() throws Exception {
    authenticator = builder().maxResponseBytes(1024).build();
    answers.put("tok-1", "{\"active\":true,\"sub\":\"alice\",\"pad\":\"" + "x".repeat(4096) + "\"}");

    assertThat(authenticate("Bearer tok-1").kind()).isEqualTo(AuthResult.Kind.UNAVAILABLE);
  }

  @Test
  void answersUnreachableEndpointAsUnavailable() throws Exception {
    int closedPort = dev.portico.gateway.testing.RefusingPort.reserve();
    authenticator = IntrospectionAuthenticator.builder("http://127.0.0.1:" + closedPort + "/introspect")
        .clientCredentials("gateway", "s3cret").timeout(Duration.ofSeconds(2)).build();

    assertThat(authenticate("Bearer tok-1").kind()).isEqualTo(AuthResult.Kind.UNAVAILABLE);
  }

  @Test
  void answersSlowEndpointAsUnavailableAfterTheTimeout() throws Exception {
    authenticator = builder().timeout(Duration.ofMillis(300)).build();
    activeToken("tok-1", NOW + 600);
    hold = new CountDownLatch(1);
    try {
      assertThat(authenticate("Bearer tok-1").kind()).isEqualTo(AuthResult.Kind.UNAVAILABLE);
    } finally {
      hold.countDown();
    }
  }

  @Test
  void answersUnavailableOnceClosed() throws Exception {
    authenticator = builder().build();
    activeToken("tok-1", NOW + 600);
    activeToken("tok-2", NOW + 600);
    authenticate("Bearer tok-1");

    authenticator.close();

    assertThat(authenticate("Bearer tok-2").kind()).isEqualTo(AuthResult.Kind.UNAVAILABLE);
  }

  @Test
  void requiresClientCredentials() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> IntrospectionAuthenticator.builder("https://idp.example/i").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("clientCredentials");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> IntrospectionAuthenticator.builder("/relative"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endpoint");
  }

  // Through a real gateway: how the results reach the client.

  private void startGateway() throws Exception {
    upstream = FakeUpstream.start();
    host = GatewayServer.builder().gateway(Gateway.builder()
        .authenticator(authenticator)
        .route("api", r -> r.path("/api/**").upstream(upstream.uri()))
        .build()).permissiveUris(true).hostAnswer().start();
  }

  private ContentResponse get(String authorization) throws Exception {
    return host.client().newRequest(host.uri("/api/x")).headers(h -> h.add("Authorization", authorization))
        .timeout(10, TimeUnit.SECONDS).send();
  }

  @Test
  void gatewayForwardsActiveTokenAndRefusesInactiveOneWith401() throws Exception {
    authenticator = builder().build();
    activeToken("tok-1", NOW + 600);
    startGateway();

    assertThat(get("Bearer tok-1").getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().header("Authorization")).contains("Bearer tok-1");
    ContentResponse refused = get("Bearer revoked");
    assertProblem(refused, ProblemType.UNAUTHORIZED);
    assertThat(refused.getHeaders().get("WWW-Authenticate"))
        .isEqualTo("Bearer realm=\"api\", error=\"invalid_token\", error_description=\"The token is not active.\"");
  }

  @Test
  void gatewayAnswers503WhenTheEndpointFails() throws Exception {
    authenticator = builder().build();
    status = 500;
    startGateway();

    ContentResponse response = get("Bearer tok-1");

    assertProblem(response, ProblemType.AUTHENTICATION_UNAVAILABLE);
    assertThat(response.getContentAsString()).doesNotContain("127.0.0.1").doesNotContain("tok-1");
    assertThat(response.getHeaders().get("Retry-After")).isNotBlank();
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void gatewayRejectsDuplicateAuthorizationHeadersWithInvalidRequest() throws Exception {
    authenticator = builder().build();
    activeToken("tok-1", NOW + 600);
    startGateway();

    ContentResponse response = host.client().newRequest(host.uri("/api/x"))
        .headers(h -> h.add("Authorization", "Bearer tok-1").add("Authorization", "Bearer tok-1"))
        .timeout(10, TimeUnit.SECONDS).send();

    assertProblem(response, ProblemType.UNAUTHORIZED);
    assertThat(response.getHeaders().get("WWW-Authenticate")).contains("error=\"invalid_request\"");
    assertThat(hits).hasValue(0);
  }
}
