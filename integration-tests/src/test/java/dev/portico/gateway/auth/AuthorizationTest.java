package dev.portico.gateway.auth;

import static dev.portico.gateway.testing.ProblemJson.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.testing.TestAuthenticator;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Access rules as the engine applies them after authentication: 403 problems, through a real gateway. */
class AuthorizationTest {
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

  private void start(AccessRule... rules) throws Exception {
    host = GatewayServer.builder().gateway(Gateway.builder()
        .authenticator(new TestAuthenticator())
        .route("orders", r -> {
          r.path("/orders/**").upstream(upstream.uri());
          for (AccessRule rule : rules) {
            r.authorize(rule);
          }
        })
        .build()).permissiveUris(true).hostAnswer().start();
  }

  private ContentResponse as(String user) throws Exception {
    return host.client().newRequest(host.uri("/orders/1")).headers(h -> h.add("Authorization", "Test " + user))
        .timeout(10, TimeUnit.SECONDS).send();
  }

  private void assertAllowed(ContentResponse response) throws InterruptedException {
    assertThat(response.getStatus()).isEqualTo(200);
    upstream.takeRequest();
  }

  private JsonNode assertForbidden(ContentResponse response) {
    JsonNode problem = assertProblem(response, ProblemType.FORBIDDEN);
    assertThat(upstream.pollRequest()).as("upstream must not be called").isEmpty();
    return problem;
  }

  @Test
  void scopesRequiresEveryScopeAndNamesTheMissingOnesInTheChallenge() throws Exception {
    start(AccessRule.scopes("orders:read", "orders:write"));

    ContentResponse denied = as("reader");

    JsonNode problem = assertForbidden(denied);
    assertThat(problem.get("detail").asString()).isEqualTo("The token lacks the required scope: orders:write.");
    assertThat(denied.getHeaders().getValuesList("WWW-Authenticate")).containsExactly(
        "Bearer error=\"insufficient_scope\", error_description=\"The token lacks the required scope: orders:write.\", scope=\"orders:write\"");
    assertAllowed(as("writer"));
  }

  @Test
  void anyScopeAllowsOneOfThem() throws Exception {
    start(AccessRule.anyScope("orders:write", "orders:read"));

    assertAllowed(as("reader"));
  }

  @Test
  void anyScopeDeniesWithInsufficientScopeWhenNoneIsGranted() throws Exception {
    start(AccessRule.anyScope("admin:all", "orders:delete"));

    ContentResponse denied = as("writer");

    assertForbidden(denied);
    assertThat(denied.getHeaders().get("WWW-Authenticate")).contains("error=\"insufficient_scope\"");
  }

  @Test
  void rolesRequiresEveryRoleWithoutAScopeChallenge() throws Exception {
    start(AccessRule.roles("admin", "clerk"));

    ContentResponse denied = as("reader");

    assertThat(assertForbidden(denied).get("detail").asString()).isEqualTo("A required role is missing.");
    assertThat(denied.getHeaders().get("WWW-Authenticate")).isNull();
    assertAllowed(as("writer"));
  }

  @Test
  void anyRoleAllowsOneOfThem() throws Exception {
    start(AccessRule.anyRole("admin", "auditor"));

    assertForbidden(as("reader"));
    assertAllowed(as("writer"));
  }

  @Test
  void claimEqualsComparesStringsAndNumbersAsText() throws Exception {
    start(AccessRule.claimEquals("tenant", "acme").and(AccessRule.claimEquals("level", "3")));

    assertAllowed(as("reader"));
    assertThat(assertForbidden(as("writer")).get("detail").asString())
        .isEqualTo("Claim 'tenant' does not have the required value.");
  }

  @Test
  void claimEqualsNeverMatchesAListByItsText() throws Exception {
    start(AccessRule.claimEquals("groups", "[staff, emea]"));

    assertForbidden(as("reader"));
  }

  @Test
  void claimContainsFindsArrayElementsAndSpaceSeparatedWords() throws Exception {
    start(AccessRule.claimContains("groups", "emea").and(AccessRule.claimContains("amr", "otp")));

    assertAllowed(as("reader"));
    assertForbidden(as("writer"));
  }

  @Test
  void claimContainsIgnoresNestedLists() throws Exception {
    start(AccessRule.claimContains("flags", "admin"));

    assertForbidden(as("reader"));
  }

  @Test
  void thatDeniesWithItsOwnReason() throws Exception {
    start(AccessRule.that(identity -> identity.issuer().isPresent(), "Only tokens from our IdP."));

    assertThat(assertForbidden(as("reader")).get("detail").asString()).isEqualTo("Only tokens from our IdP.");
    assertAllowed(as("writer"));
  }

  @Test
  void orAllowsWhenEitherAllowsAndReportsTheFirstDenial() throws Exception {
    start(AccessRule.scopes("orders:write").or(AccessRule.claimEquals("tenant", "acme")));

    assertAllowed(as("reader"));
    assertAllowed(as("writer"));
  }

  @Test
  void andDeniesWithTheFirstFailingRule() throws Exception {
    start(AccessRule.scopes("orders:read").and(AccessRule.roles("admin")));

    assertThat(assertForbidden(as("reader")).get("detail").asString()).isEqualTo("A required role is missing.");
    assertAllowed(as("writer"));
  }

  @Test
  void everyAuthorizeRuleOfARouteMustAllow() throws Exception {
    start(AccessRule.scopes("orders:read"), AccessRule.anyRole("admin"));

    assertForbidden(as("reader"));
    assertAllowed(as("writer"));
  }

  @Test
  void authenticationFailureComesBeforeAuthorization() throws Exception {
    start(AccessRule.scopes("orders:read"));

    ContentResponse response = host.client().newRequest(host.uri("/orders/1")).timeout(10, TimeUnit.SECONDS).send();

    assertProblem(response, ProblemType.UNAUTHORIZED);
    assertThat(response.getHeaders().get("WWW-Authenticate")).isEqualTo("Test realm=\"tests\"");
  }
}
