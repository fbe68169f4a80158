package dev.portico.gateway.auth.apikey;

import static dev.portico.gateway.testing.ProblemJson.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.auth.ApiKeyRecord;
import dev.portico.gateway.auth.ApiKeyStore;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RawClient;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ApiKeyAuthenticatorTest {
  private static final String KEY = "k3y-for-billing-0123456789";
  private static final InMemoryApiKeyStore STORE = InMemoryApiKeyStore.builder()
      .key(KEY, ApiKeyRecord.of("billing", Set.of("invoices:read")).withPlan("gold"))
      .build();

  private FakeUpstream upstream;
  private GatewayServer host;
  private final AtomicReference<Identity> seen = new AtomicReference<>();

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

  private void start(Authenticator authenticator) throws Exception {
    host = GatewayServer.builder().gateway(Gateway.builder()
        .authenticator(authenticator)
        .route("api", r -> r.path("/api/**").upstream(upstream.uri()).filter((exchange, chain) -> {
          seen.set(exchange.identity().orElse(null));
          return chain.proceed(exchange);
        }))
        .build()).permissiveUris(true).hostAnswer().start();
  }

  private ContentResponse get(String pathQuery, Consumer<HttpFields.Mutable> headers) throws Exception {
    return host.client().newRequest(host.uri(pathQuery)).headers(headers).timeout(10, TimeUnit.SECONDS).send();
  }

  @Test
  void acceptsKnownKeyFromHeaderWithPrincipalScopesAndPlan() throws Exception {
    start(ApiKeyAuthenticator.of(STORE));

    ContentResponse response = get("/api/invoices", h -> h.add("X-Api-Key", KEY));

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().header("X-Api-Key")).contains(KEY);
    Identity identity = seen.get();
    assertThat(identity.subject()).isEqualTo("billing");
    assertThat(identity.method()).isEqualTo("api-key");
    assertThat(identity.scopes()).containsExactly("invoices:read");
    assertThat(identity.plan()).contains("gold");
  }

  @Test
  void answersMissingKeyWith401AndApiKeyChallenge() throws Exception {
    start(ApiKeyAuthenticator.of(STORE));

    ContentResponse response = get("/api/invoices", h -> { });

    assertProblem(response, ProblemType.UNAUTHORIZED);
    assertThat(response.getHeaders().getValuesList("WWW-Authenticate")).containsExactly("ApiKey realm=\"api\"");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void rejectsUnknownKeyWithInvalidTokenAndClientSafeDetail() throws Exception {
    start(ApiKeyAuthenticator.of(STORE));

    ContentResponse response = get("/api/invoices", h -> h.add("X-Api-Key", KEY + "x"));

    JsonNode problem = assertProblem(response, ProblemType.UNAUTHORIZED);
    assertThat(problem.get("detail").asString()).isEqualTo("The API key is not valid.").doesNotContain(KEY);
    assertThat(response.getHeaders().get("WWW-Authenticate"))
        .isEqualTo("ApiKey realm=\"api\", error=\"invalid_token\", error_description=\"The API key is not valid.\"");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void rejectsDuplicateKeyHeadersWithInvalidRequest() throws Exception {
    start(ApiKeyAuthenticator.of(STORE));

    ContentResponse response = get("/api/invoices", h -> h.add("X-Api-Key", KEY).add("X-Api-Key", "other-key-0123456789"));

    assertProblem(response, ProblemType.UNAUTHORIZED);
    assertThat(response.getHeaders().get("WWW-Authenticate")).contains("error=\"invalid_request\"");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void rejectsEmptyKeyWithInvalidRequest() throws Exception {
    start(ApiKeyAuthenticator.of(STORE));

    ContentResponse response = get("/api/invoices", h -> h.add("X-Api-Key", ""));

    assertProblem(response, ProblemType.UNAUTHORIZED);
    assertThat(response.getHeaders().get("WWW-Authenticate")).contains("error=\"invalid_request\"");
  }

  @Test
  void readsKeyFromCustomHeader() throws Exception {
    start(ApiKeyAuthenticator.builder(STORE).header("X-Key").realm("billing").build());

    assertThat(get("/api/x", h -> h.add("X-Key", KEY)).getStatus()).isEqualTo(200);
    ContentResponse missing = get("/api/x", h -> h.add("X-Api-Key", KEY));
    assertThat(missing.getStatus()).isEqualTo(401);
    assertThat(missing.getHeaders().get("WWW-Authenticate")).isEqualTo("ApiKey realm=\"billing\"");
  }

  @Test
  void acceptsPercentEncodedKeyFromConfiguredQueryParameter() throws Exception {
    String key = "key+with/odd=chars-0123456789";
    InMemoryApiKeyStore store = InMemoryApiKeyStore.builder().key(key, ApiKeyRecord.of("odd")).build();
    start(ApiKeyAuthenticator.builder(store).queryParameter("api_key").build());

    ContentResponse response = get("/api/x?a=1&api_key=key%2Bwith%2Fodd%3Dchars-0123456789", h -> { });

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(seen.get().subject()).isEqualTo("odd");
  }

  @Test
  void ignoresQueryParameterUnlessConfigured() throws Exception {
    start(ApiKeyAuthenticator.of(STORE));

    ContentResponse response = get("/api/x?api_key=" + KEY, h -> { });

    assertProblem(response, ProblemType.UNAUTHORIZED);
    assertThat(response.getHeaders().get("WWW-Authenticate")).isEqualTo("ApiKey realm=\"api\"");
  }

  @Test
  void rejectsKeyInBothHeaderAndQuery() throws Exception {
    start(ApiKeyAuthenticator.builder(STORE).queryParameter("api_key").build());

    ContentResponse response = get("/api/x?api_key=" + KEY, h -> h.add("X-Api-Key", KEY));

    assertProblem(response, ProblemType.UNAUTHORIZED);
    assertThat(response.getHeaders().get("WWW-Authenticate")).contains("error=\"invalid_request\"");
  }

  @Test
  void refusesAQueryWithInvalidPercentEncodingBeforeAuthentication() throws Exception {
    start(ApiKeyAuthenticator.builder(STORE).queryParameter("api_key").build());

    RawClient.Response response = RawClient.send(host.port(), "/api/x?api_key=%zz");

    // The engine refuses a query it could not forward byte for byte before any route or authenticator runs.
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.text()).contains("https://portico.dev/problems/bad-path").contains("application/problem+json");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void answersFailingStoreWith503() throws Exception {
    ApiKeyStore down = key -> CompletableFuture.failedFuture(new IllegalStateException("database down at 10.0.0.7"));
    start(ApiKeyAuthenticator.of(down));

    ContentResponse response = get("/api/x", h -> h.add("X-Api-Key", KEY));

    JsonNode problem = assertProblem(response, ProblemType.AUTHENTICATION_UNAVAILABLE);
    assertThat(problem.get("detail").asString()).doesNotContain("10.0.0.7");
    assertThat(response.getHeaders().get("Retry-After")).isNotBlank();
    assertThat(upstream.pollRequest()).isEmpty();
  }
}
