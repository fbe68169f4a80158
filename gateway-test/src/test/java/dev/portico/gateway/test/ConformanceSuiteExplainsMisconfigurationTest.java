package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Against {@link RateLimitedValidatedRouteConformanceTest}'s gateway, a target that does not say
 * what the gateway needs fails where it should, with a message that names the setting to change;
 * a row that cannot apply is skipped with its reason. Each suite runs through the JUnit Platform
 * launcher.
 */
class ConformanceSuiteExplainsMisconfigurationTest {

  /** Every valid token for one subject: the 5-per-minute limit per subject trips. */
  static final class OneSubject extends GatewaySecurityConformance {
    @Override
    protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
      JwtAuthenticator jwt = RateLimitedValidatedRouteConformanceTest.authenticator(fixtures);
      GatewayServer server = GatewayServer.start(RateLimitedValidatedRouteConformanceTest.gateway(jwt, fixtures, true));
      return ConformanceTarget.builder().baseUri(server.baseUri()).protectedPrefix("/api/orders")
          .validToken(t -> t.audience("orders-api").subject("alice"))
          .bodyContentType("application/json").body("{\"item\":\"book\"}")
          .closeAfter(jwt, server).build();
    }
  }

  /** The body route's defaults (no Content-Type, body {@code hello}) on a JSON-validated route, and no public route. */
  static final class DefaultBody extends GatewaySecurityConformance {
    @Override
    protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
      JwtAuthenticator jwt = RateLimitedValidatedRouteConformanceTest.authenticator(fixtures);
      GatewayServer server = GatewayServer.start(RateLimitedValidatedRouteConformanceTest.gateway(jwt, fixtures, false));
      return ConformanceTarget.builder().baseUri(server.baseUri()).protectedPrefix("/api/orders")
          .validToken(t -> t.audience("orders-api"))
          .identityHeaders("X-Auth-Subject")
          .closeAfter(jwt, server).build();
    }
  }

  /** A finished test: its outcome and, when it failed or was skipped, the message why. */
  record Outcome(TestExecutionResult.Status status, String message) {}

  /** Runs {@code suite} and returns each test, by method and display name, with its outcome. */
  private static Map<String, Outcome> run(Class<?> suite) {
    Map<String, Outcome> outcomes = new TreeMap<>();
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(suite)).build();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(request, new TestExecutionListener() {
      @Override
      public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (test.isTest()) {
          String message = result.getThrowable().map(t -> String.valueOf(t.getMessage())).orElse("");
          outcomes.put(test.getLegacyReportingName() + " " + test.getDisplayName(), new Outcome(result.getStatus(), message));
        }
      }
    });
    return outcomes;
  }

  private static @Nullable Map<String, Outcome> defaultBody;

  /** Runs {@link DefaultBody} once for the tests that read its outcomes. */
  private static synchronized Map<String, Outcome> defaultBody() {
    if (defaultBody == null) {
      defaultBody = run(DefaultBody.class);
    }
    return defaultBody;
  }

  private static Map<String, Outcome> with(Map<String, Outcome> outcomes, TestExecutionResult.Status status) {
    Map<String, Outcome> selected = new TreeMap<>(outcomes);
    selected.values().removeIf(o -> o.status() != status);
    return selected;
  }

  @Test
  void tokensForOneSubjectTripAPerSubjectLimitAndTheFailureSaysSo() {
    Map<String, Outcome> outcomes = run(OneSubject.class);

    assertThat(outcomes).hasSizeGreaterThan(100);
    Map<String, Outcome> failed = with(outcomes, TestExecutionResult.Status.FAILED);
    assertThat(failed).isNotEmpty();
    assertThat(failed.values()).anySatisfy(o -> assertThat(o.message())
        .contains("status 429").contains("rate-limited the suite").contains("subject of its own"));
  }

  @Test
  void aValidatedRouteRefusesTheDefaultBodyAndTheFailureNamesTheSettings() {
    Map<String, Outcome> outcomes = defaultBody();

    Map<String, Outcome> failed = with(outcomes, TestExecutionResult.Status.FAILED);
    // By name, without the row's index: the smuggling table grows.
    assertThat(failed.keySet()).as("failed tests").map(name -> name.replaceFirst("\\[\\d+]", "[]")).containsExactlyInAnyOrder(
        "ambiguousFramingIsNeverForwardedAmbiguously(String, String, boolean)[] plain chunked (control)",
        "ambiguousFramingIsNeverForwardedAmbiguously(String, String, boolean)[] plain Content-Length (control)");
    assertThat(failed.values()).allSatisfy(o -> assertThat(o.message())
        .contains("status 415 for POST /api/orders/x with a body and a valid token").contains("bodyContentType"));
  }

  @Test
  void aPublicPrefixNoRouteTakesIsReportedAsSkippedWithTheReason() {
    Map<String, Outcome> outcomes = defaultBody();

    Map<String, Outcome> skipped = with(outcomes, TestExecutionResult.Status.ABORTED);
    assertThat(skipped.keySet()).singleElement().asString().startsWith("thePublicPrefixIsOutsideTheProtectedRoute");
    assertThat(skipped.values()).singleElement().extracting(Outcome::message).asString()
        .contains("no route takes GET /public/x (404)").contains("publicPrefix(..)");
  }
}
