package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** {@code @PorticoTest} starts one gateway and its fakes per class and hands them to the tests. */
@PorticoTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PorticoExtensionTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final List<GatewayServer> SERVERS_SEEN = new ArrayList<>();

  @GatewayUnderTest
  static Gateway gateway(FakeUpstream orders, FakeUpstream billing, FakeIdentityProvider idp) {
    return Gateway.builder()
        .route("orders", r -> r.path("/api/orders/**").upstream(orders.uri()))
        .route("billing", r -> r.path("/api/billing/**")
            .authenticator(JwtAuthenticator.builder().issuer(idp.issuer()).audience("billing").build())
            .upstream(billing.uri()))
        .build();
  }

  private static HttpResponse<String> get(GatewayServer server, String path, Optional<String> token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(10));
    token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @BeforeAll
  static void lifecycleMethodsGetTheFixturesToo(GatewayServer server, FakeUpstream orders) {
    assertThat(server.port()).isPositive();
    assertThat(orders.port()).isPositive();
  }

  @Test
  @Order(1)
  void eachFakeUpstreamParameterIsTheUpstreamOfTheSamePosition(GatewayServer server, FakeUpstream orders,
      FakeUpstream billing) throws Exception {
    SERVERS_SEEN.add(server);
    orders.enqueue(UpstreamAnswer.text(200, "orders"));

    assertThat(get(server, "/api/orders/7", Optional.empty()).body()).isEqualTo("orders");
    assertThat(orders.requestCount()).isEqualTo(1);
    assertThat(billing.requestCount()).isZero();
  }

  @Test
  @Order(2)
  void upstreamsForgetTheRequestsOfEarlierTestsButTheGatewayIsTheSame(GatewayServer server, FakeUpstream orders) {
    SERVERS_SEEN.add(server);

    assertThat(orders.requestCount()).isZero();
    assertThat(SERVERS_SEEN).hasSize(2).allSatisfy(s -> assertThat(s).isSameAs(SERVERS_SEEN.get(0)));
  }

  @Test
  @Order(3)
  void theIdentityProviderTheGatewayTrustsIsInjected(GatewayServer server, FakeIdentityProvider idp,
      FakeUpstream orders, FakeUpstream billing) throws Exception {
    String token = idp.token().subject("alice").audience("billing").sign();

    assertThat(get(server, "/api/billing/1", Optional.empty()).statusCode()).isEqualTo(401);
    assertThat(get(server, "/api/billing/1", Optional.of(token)).statusCode()).isEqualTo(200);
    assertThat(billing.requestCount()).isEqualTo(1);
  }

  @Nested
  class NestedClasses {
    @Test
    void shareTheEnclosingClassesGateway(GatewayServer server, FakeUpstream orders) throws Exception {
      assertThat(get(server, "/api/orders/1", Optional.empty()).statusCode()).isEqualTo(200);
      assertThat(orders.requestCount()).isEqualTo(1);
    }
  }

  /** No @GatewayUnderTest method. */
  @PorticoTest
  static final class WithoutGateway {
    @Test
    void runs() {}
  }

  static GatewayServer stoppedServer;

  /** Keeps its server, to see it stopped afterwards. */
  @PorticoTest
  static final class KeepsItsServer {
    @GatewayUnderTest
    static Gateway gateway(FakeUpstream upstream) {
      return Gateway.builder().route("api", r -> r.path("/**").upstream(upstream.uri())).build();
    }

    @Test
    void runs(GatewayServer server) {
      stoppedServer = server;
    }
  }

  private static List<TestExecutionResult> run(Class<?> testClass) {
    List<TestExecutionResult> results = new ArrayList<>();
    LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(),
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            results.add(result);
          }
        });
    return results;
  }

  @Nested
  class Misuse {
    @Test
    void aClassWithoutAGatewayMethodFailsWithAMessageThatSaysWhatToAdd() {
      assertThat(run(WithoutGateway.class)).anySatisfy(result -> {
        assertThat(result.getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
        assertThat(result.getThrowable()).get().extracting(Throwable::getMessage).asString()
            .contains("@GatewayUnderTest");
      });
    }

    @Test
    void theGatewayIsStoppedAfterTheClass() {
      assertThat(run(KeepsItsServer.class)).allSatisfy(result ->
          assertThat(result.getStatus()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL));

      assertThat(stoppedServer).isNotNull();
      assertThat(stoppedServer.handler().isStopped()).isTrue();
    }
  }
}
