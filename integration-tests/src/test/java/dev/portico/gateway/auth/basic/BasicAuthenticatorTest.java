package dev.portico.gateway.auth.basic;

import static dev.portico.gateway.testing.ProblemJson.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class BasicAuthenticatorTest {
  /** Low on purpose: these tests are about parsing and answers, not about the cost of hashing. */
  private static final int ITERATIONS = 1_000;
  private static final String ALICE_HASH = Pbkdf2CredentialStore.hash("wonder:land".toCharArray(), ITERATIONS);
  private static final Pbkdf2CredentialStore USERS = Pbkdf2CredentialStore.builder()
      .user("alice", ALICE_HASH, Set.of("admin"))
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
        .route("admin", r -> r.path("/admin/**").upstream(upstream.uri()).authenticator(authenticator)
            .filter((exchange, chain) -> {
              seen.set(exchange.identity().orElse(null));
              return chain.proceed(exchange);
            }))
        .build()).permissiveUris(true).hostAnswer().start();
  }

  private ContentResponse get(Consumer<HttpFields.Mutable> headers) throws Exception {
    return host.client().newRequest(host.uri("/admin/x")).headers(headers).timeout(10, TimeUnit.SECONDS).send();
  }

  private static String basic(String userColonPassword) {
    return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
  }

  private void assertInvalidRequest(ContentResponse response) {
    assertProblem(response, ProblemType.UNAUTHORIZED);
    assertThat(response.getHeaders().get("WWW-Authenticate")).startsWith("Basic realm=\"admin\", error=\"invalid_request\"");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void acceptsRightPasswordCheckedOnThePbkdf2Executor() throws Exception {
    // Record where the hash runs; where later steps continue depends on which finishes first.
    java.util.List<String> hashThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor(
        r -> new Thread(r, "portico-pbkdf2-test"));
    Pbkdf2CredentialStore users = Pbkdf2CredentialStore.builder()
        .user("alice", ALICE_HASH, Set.of("admin"))
        .executor(task -> pool.execute(() -> {
          hashThreads.add(Thread.currentThread().getName());
          task.run();
        }))
        .build();
    start(BasicAuthenticator.of("admin", users));

    ContentResponse response = get(h -> h.add("Authorization", basic("alice:wonder:land")));

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().header("Authorization")).contains(basic("alice:wonder:land"));
    assertThat(seen.get().subject()).isEqualTo("alice");
    assertThat(seen.get().method()).isEqualTo("basic");
    assertThat(seen.get().roles()).containsExactly("admin");
    assertThat(hashThreads).containsExactly("portico-pbkdf2-test");
    pool.shutdown();
  }

  @Test
  void answersMissingCredentialsWithBasicChallenge() throws Exception {
    start(BasicAuthenticator.of("admin", USERS));

    ContentResponse response = get(h -> h.add("Authorization", "Bearer abc"));

    assertProblem(response, ProblemType.UNAUTHORIZED);
    assertThat(response.getHeaders().getValuesList("WWW-Authenticate")).containsExactly("Basic realm=\"admin\"");
  }

  @Test
  void answersWrongPasswordAndUnknownUserAlike() throws Exception {
    start(BasicAuthenticator.of("admin", USERS));

    ContentResponse wrong = get(h -> h.add("Authorization", basic("alice:wonder")));
    ContentResponse unknown = get(h -> h.add("Authorization", basic("mallory:wonder:land")));

    JsonNode wrongProblem = assertProblem(wrong, ProblemType.UNAUTHORIZED);
    JsonNode unknownProblem = assertProblem(unknown, ProblemType.UNAUTHORIZED);
    assertThat(wrong.getHeaders().getValuesList("WWW-Authenticate")).containsExactly("Basic realm=\"admin\"");
    assertThat(unknown.getHeaders().getValuesList("WWW-Authenticate")).containsExactly("Basic realm=\"admin\"");
    assertThat(wrongProblem.get("detail")).isEqualTo(unknownProblem.get("detail"));
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void rejectsBadBase64WithInvalidRequest() throws Exception {
    start(BasicAuthenticator.of("admin", USERS));

    assertInvalidRequest(get(h -> h.add("Authorization", "Basic !!!not-base64")));
  }

  @Test
  void rejectsCredentialsWithoutColonWithInvalidRequest() throws Exception {
    start(BasicAuthenticator.of("admin", USERS));

    assertInvalidRequest(get(h -> h.add("Authorization", basic("alice"))));
  }

  @Test
  void rejectsEmptyCredentialsWithInvalidRequest() throws Exception {
    start(BasicAuthenticator.of("admin", USERS));

    assertInvalidRequest(get(h -> h.add("Authorization", "Basic")));
  }

  @Test
  void rejectsBytesThatAreNotUtf8WithInvalidRequest() throws Exception {
    start(BasicAuthenticator.of("admin", USERS));
    String latin1 = Base64.getEncoder().encodeToString(new byte[] {'a', (byte) 0xE9, ':', 'x'});

    assertInvalidRequest(get(h -> h.add("Authorization", "Basic " + latin1)));
  }

  @Test
  void rejectsControlCharactersWithInvalidRequest() throws Exception {
    start(BasicAuthenticator.of("admin", USERS));

    assertInvalidRequest(get(h -> h.add("Authorization", basic("alice:wonder\u0000:land"))));
  }

  @Test
  void rejectsDuplicateAuthorizationHeadersWithInvalidRequest() throws Exception {
    start(BasicAuthenticator.of("admin", USERS));

    assertInvalidRequest(get(h -> h.add("Authorization", basic("alice:wonder:land"))
        .add("Authorization", basic("alice:wonder:land"))));
  }

  @Test
  void answersSaturatedPasswordChecksWith503() throws Exception {
    Pbkdf2CredentialStore saturated = Pbkdf2CredentialStore.builder()
        .user("alice", ALICE_HASH)
        .executor(task -> {
          throw new RejectedExecutionException("queue full");
        })
        .build();
    start(BasicAuthenticator.of("admin", saturated));

    ContentResponse response = get(h -> h.add("Authorization", basic("alice:wonder:land")));

    JsonNode problem = assertProblem(response, ProblemType.AUTHENTICATION_UNAVAILABLE);
    assertThat(problem.get("detail").asString()).doesNotContain("queue");
    assertThat(response.getHeaders().get("Retry-After")).isNotBlank();
  }
}
