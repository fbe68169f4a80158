package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
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

  /**
   * A gateway with the two defects a plain forwarding proxy in front of it would have: a request
   * whose method has a lower-case letter, or that has more than one Content-Type, skips the routes
   * (a route that names {@code DELETE} does not take {@code delete}) and goes straight to the
   * protected upstream through an HTTP client that upper-cases the method.
   */
  static final class ForwardsWhatNoRouteTakes extends GatewaySecurityConformance {
    @Override
    protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
      JwtAuthenticator jwt = JettyHandlerConformanceTest.authenticator(fixtures);
      HttpClient client = new HttpClient();
      client.start();
      Handler forwarder = new Handler.Abstract() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
          String method = request.getMethod();
          List<String> contentTypes = request.getHeaders().getValuesList(HttpHeader.CONTENT_TYPE);
          if (method.equals(method.toUpperCase(Locale.ROOT)) && contentTypes.size() <= 1
              && contentTypes.stream().noneMatch(v -> v.contains(","))) {
            return false;
          }
          String body = Content.Source.asString(request);
          org.eclipse.jetty.client.Request upstream = client.newRequest(fixtures.protectedUpstreamUri()
                  + Request.getPathInContext(request))
              .method(method)
              .headers(h -> contentTypes.forEach(v -> h.add(HttpHeader.CONTENT_TYPE, v)))
              .timeout(10, TimeUnit.SECONDS);
          if (!body.isEmpty()) {
            upstream.body(new StringRequestContent(body));
          }
          response.setStatus(upstream.send().getStatus());
          callback.succeeded();
          return true;
        }
      };
      Server server = new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      server.addConnector(connector);
      server.setHandler(new Handler.Sequence(forwarder, JettyGatewayHandler.create(JettyHandlerConformanceTest.gateway(jwt, fixtures))));
      server.start();
      return JettyHandlerConformanceTest.target().baseUri(URI.create("http://127.0.0.1:" + connector.getLocalPort()))
          .closeAfter(jwt, server::stop, client::stop).build();
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
  void aGatewayThatForwardsOtherMethodSpellingsAndTwoContentTypesFailsExactlyThoseRows() {
    Map<String, TestExecutionResult.Status> outcomes = run(ForwardsWhatNoRouteTakes.class);

    assertThat(outcomes).containsEntry("aValidTokenReachesTheProtectedUpstream() aValidTokenReachesTheProtectedUpstream()",
        TestExecutionResult.Status.SUCCESSFUL);
    assertThat(failed(outcomes))
        .allSatisfy(name -> assertThat(name).matches("(aMethodInAnotherCase|twoContentTypes).*"))
        .anySatisfy(name -> assertThat(name).contains("delete"))
        .anySatisfy(name -> assertThat(name).contains("Post"))
        .anySatisfy(name -> assertThat(name).contains("two Content-Type fields"))
        .anySatisfy(name -> assertThat(name).contains("a Content-Type list"));
    assertThat(failed(outcomes)).filteredOn(name -> name.startsWith("aMethodInAnotherCase")).hasSize(10);
    assertThat(failed(outcomes)).filteredOn(name -> name.startsWith("twoContentTypes")).hasSize(3);
  }

  @Test
  void aRouteThatChecksNoAudienceFailsExactlyTheAudienceRows() {
    Map<String, TestExecutionResult.Status> outcomes = run(NoAudienceCheck.class);

    assertThat(failed(outcomes)).hasSize(2).allSatisfy(name -> assertThat(name).contains("audience"));
  }
}
