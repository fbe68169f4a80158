package dev.portico.gateway.test;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.portico.gateway.Filter;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
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
   * Not Portico: a front that routes on the raw path and lets every URI through, answering 200 for
   * anything under {@code /public/}: it takes double encodings and control escapes that a
   * double-decoding or trimming upstream would read as {@code ..}, the way Portico on Tomcat did
   * before it refused them.
   */
  static final class RoutesOnTheRawPath extends GatewaySecurityConformance {
    @Override
    protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
      Server server = new Server();
      HttpConfiguration config = new HttpConfiguration();
      config.setUriCompliance(UriCompliance.UNSAFE);
      ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      server.setHandler(new Handler.Abstract.NonBlocking() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
          String path = String.valueOf(request.getHttpURI().getPath());
          response.setStatus(path.startsWith("/public/") ? 200 : path.startsWith("/admin/") ? 401 : 404);
          callback.succeeded();
          return true;
        }
      });
      server.start();
      AutoCloseable stop = server::stop;
      return JettyHandlerConformanceTest.target().baseUri(URI.create("http://127.0.0.1:" + connector.getLocalPort()))
          .closeAfter(stop).build();
    }
  }

  /** A global filter decodes and re-encodes the query, as some proxies "clean" it: bytes the upstream gets are not the client's. */
  static final class ReencodesTheQuery extends GatewaySecurityConformance {
    @Override
    protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
      JwtAuthenticator jwt = JettyHandlerConformanceTest.authenticator(fixtures);
      Filter reencode = (exchange, chain) -> chain.proceed(exchange.withRequest(exchange.request().toBuilder()
          .rawQuery(exchange.request().rawQuery().map(ReencodesTheQuery::reencode).orElse(null)).build()));
      GatewayServer server = GatewayServer.start(Gateway.builder()
          .filter(reencode)
          .route("public", r -> r.path("/public/**").upstream(fixtures.publicUpstreamUri()))
          .route("admin", r -> r.path("/admin/**").authenticator(jwt)
              .identityForwarding(IdentityForwarding.headersOnly())
              .upstream(fixtures.protectedUpstreamUri()))
          .build());
      return JettyHandlerConformanceTest.target().baseUri(server.baseUri()).closeAfter(jwt, server).build();
    }

    private static String reencode(String query) {
      StringBuilder out = new StringBuilder();
      for (String part : query.split("&", -1)) {
        if (out.length() > 0) {
          out.append('&');
        }
        out.append(URLEncoder.encode(URLDecoder.decode(part, UTF_8), UTF_8).replace("%3D", "="));
      }
      return out.toString();
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
  void aGatewayThatRoutesOnTheRawPathFailsTheDoubleEncodingAndControlEscapeRows() {
    Map<String, TestExecutionResult.Status> outcomes = run(RoutesOnTheRawPath.class);

    assertThat(failed(outcomes))
        .anySatisfy(name -> assertThat(name).contains("double-encoded dot-segment %252e%252e: GET /public/%252e%252e/admin/x"))
        .anySatisfy(name -> assertThat(name).contains("double-encoded dot-segment %25%32%65"))
        .anySatisfy(name -> assertThat(name).contains("double-encoded dot-segment %25u002e"))
        .anySatisfy(name -> assertThat(name).contains("control escape ..%09: GET /public/..%09/admin/x"))
        .anySatisfy(name -> assertThat(name).contains("control escape ..%7F"));
  }

  @Test
  void aGatewayThatReencodesTheQueryFailsTheQueryRowsButNotTheControl() {
    Map<String, TestExecutionResult.Status> outcomes = run(ReencodesTheQuery.class);

    assertThat(outcomes).containsEntry("aValidTokenReachesTheProtectedUpstream() aValidTokenReachesTheProtectedUpstream()",
        TestExecutionResult.Status.SUCCESSFUL);
    assertThat(failed(outcomes))
        .allSatisfy(name -> assertThat(name).startsWith("queryReachesTheUpstreamByteForByteOrIsRefused"))
        .anySatisfy(name -> assertThat(name).contains("encoded byte that is not UTF-8: ?c=%FF"))
        .anySatisfy(name -> assertThat(name).contains("semicolons: ?a;b=1;c"))
        .noneSatisfy(name -> assertThat(name).contains("plain: ?a=1&b=2"));
  }

  @Test
  void aRouteThatChecksNoAudienceFailsExactlyTheAudienceRows() {
    Map<String, TestExecutionResult.Status> outcomes = run(NoAudienceCheck.class);

    assertThat(failed(outcomes)).hasSize(2).allSatisfy(name -> assertThat(name).contains("audience"));
  }
}
