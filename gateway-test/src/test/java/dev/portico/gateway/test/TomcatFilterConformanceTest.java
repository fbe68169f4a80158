package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;

/**
 * The conformance suite against {@code GatewayFilter} in Tomcat 11, in front of an application
 * servlet that must never get what the protected route takes or refuses. Answers as
 * {@code GatewayServlet} in the same container: what no route matches is answered 404 by the
 * application instead of the gateway.
 */
class TomcatFilterConformanceTest extends TomcatServletConformanceTest {
  private final ApplicationBehindFilter application = new ApplicationBehindFilter();

  @Override
  protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
    JwtAuthenticator jwt = JettyHandlerConformanceTest.authenticator(fixtures);
    ServletServer host = ServletServer.builder(ServletServer.Container.TOMCAT)
        .gateway(JettyHandlerConformanceTest.gateway(jwt, fixtures))
        .filterBefore(application)
        .start();
    return JettyHandlerConformanceTest.target().baseUri(host.baseUri()).closeAfter(jwt, host).build();
  }

  @AfterEach
  void applicationGotNothingOfTheProtectedRoute() {
    application.assertNothingUnder("/admin");
  }

  @AfterAll
  void applicationGotWhatNoRouteMatched() {
    // GET /ADMIN/x and GET /admin./x match no route (paths are case-sensitive): the application answers them.
    assertThat(application.received()).as("requests handed down the chain").isPositive();
  }
}
