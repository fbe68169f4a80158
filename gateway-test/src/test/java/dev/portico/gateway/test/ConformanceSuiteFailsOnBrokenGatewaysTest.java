package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The suite's checks can fail: run against gateways that are broken on purpose, through the JUnit
 * Platform launcher, the rows that should catch them fail and the controls still pass.
 */
class ConformanceSuiteFailsOnBrokenGatewaysTest {

  /** The "protected" route has no authenticator: every request reaches the upstream. */
  static final class OpenProtectedRoute extends GatewaySecurityConformance {
    @Override
    protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
      GatewayServer server = GatewayServer.start(Gateway.builder()
          .route("public", r -> r.path("/public/**").upstream(fixtures.publicUpstreamUri()))
          .route("admin", r -> r.path("/admin/**").permitAll().upstream(fixtures.protectedUpstreamUri()))
          .build());
      return JettyHandlerConformanceTest.target().baseUri(server.baseUri()).closeAfter(server).build();
    }
  }

  /** The JWT route checks no audience (the host forgot to configure one). */
  static final class NoAudienceCheck extends GatewaySecurityConformance {
    @Override
    protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
      JwtAuthenticator jwt = JwtAuthenticator.builder().issuer(fixtures.identityProvider().issuer()).build();
      GatewayServer server = GatewayServer.start(JettyHandlerConformanceTest.gateway(jwt, fixtures));
      return JettyHandlerConformanceTest.target().baseUri(server.baseUri()).closeAfter(jwt, server).build();
    }
  }

  /** Runs {@code suite} and returns each test's method (with the row's index) and display name, and its outcome. */
  private static Map<String, TestExecutionResult.Status> run(Class<?> suite) {
    Map<String, TestExecutionResult.Status> outcomes = new TreeMap<>();
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(suite)).build();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(request, new TestExecutionListener() {
      @Override
      public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (test.isTest()) {
          outcomes.put(test.getLegacyReportingName() + " " + test.getDisplayName(), result.getStatus());
        }
      }
    });
    return outcomes;
  }

  private static List<String> failed(Map<String, TestExecutionResult.Status> outcomes) {
    return outcomes.entrySet().stream().filter(e -> e.getValue() == TestExecutionResult.Status.FAILED).map(Map.Entry::getKey).toList();
  }

  @Test
  void anUnprotectedRouteFailsThePathAndTokenRowsButNotTheControl() {
    Map<String, TestExecutionResult.Status> outcomes = run(OpenProtectedRoute.class);

    assertThat(outcomes).hasSizeGreaterThan(100);
    assertThat(outcomes).containsEntry("aValidTokenReachesTheProtectedUpstream() aValidTokenReachesTheProtectedUpstream()",
        TestExecutionResult.Status.SUCCESSFUL);
    assertThat(failed(outcomes))
        .anySatisfy(name -> assertThat(name).contains("plain protected path, no token"))
        .anySatisfy(name -> assertThat(name).contains("dot-segment: GET /public/../admin/x"))
        .anySatisfy(name -> assertThat(name).contains("alg none"))
        .anySatisfy(name -> assertThat(name).contains("expired"))
        .anySatisfy(name -> assertThat(name).startsWith("keysTheTokenPointsToAreNeverFetched"));
  }

  @Test
  void aRouteThatChecksNoAudienceFailsExactlyTheAudienceRows() {
    Map<String, TestExecutionResult.Status> outcomes = run(NoAudienceCheck.class);

    assertThat(failed(outcomes)).hasSize(2).allSatisfy(name -> assertThat(name).contains("audience"));
  }
}
