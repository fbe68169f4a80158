package dev.portico.gateway.security;

import static dev.portico.gateway.testing.ProblemJson.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.IpRules;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.RawClient;
import dev.portico.gateway.testing.Mounting;
import dev.portico.gateway.testing.TestAuthenticator;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Client address rules ({@link IpRules}) end to end on every adapter: direct clients (the test
 * client connects from 127.0.0.1), clients forwarded by a trusted proxy (the test client, trusted
 * as one, names them in {@code X-Forwarded-For}), and the same headers from an untrusted client,
 * which must not move the decision. A refusal is 403 {@code ip-refused} and reaches no upstream,
 * authenticator or rate limiter.
 */
class IpRulesTest {
  private FakeUpstream upstream;
  private Mounting.Running host;

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

  private Request get(String path) {
    return host.client().newRequest(host.uri(path)).timeout(10, TimeUnit.SECONDS);
  }

  private Request forwardedFor(String path, String client) {
    return get(path).headers(h -> h.put("X-Forwarded-For", client));
  }

  private void assertRefused(ContentResponse response) {
    assertProblem(response, ProblemType.IP_REFUSED);
    assertThat(response.getStatus()).isEqualTo(403);
  }

  @ParameterizedTest
  @EnumSource(Mounting.class)
  void aDirectClientInTheAllowListPassesAndOneOutsideIsRefusedWith403(Mounting mounting) throws Exception {
    host = mounting.start(Gateway.builder()
        .route("local", r -> r.path("/local/**").upstream(upstream.uri()).ipRules(IpRules.allow("127.0.0.0/8")))
        .route("office", r -> r.path("/office/**").upstream(upstream.uri()).ipRules(IpRules.allow("10.0.0.0/8")))
        .build());

    assertThat(get("/local/1").send().getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().path()).isEqualTo("/local/1");

    assertRefused(get("/office/1").send());
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void forwardingHeadersFromAnUntrustedClientDoNotMoveTheDecision(Mounting mounting) throws Exception {
    host = mounting.start(Gateway.builder()
        .route("office", r -> r.path("/office/**").upstream(upstream.uri()).ipRules(IpRules.allow("10.0.0.0/8")))
        .route("open", r -> r.path("/open/**").upstream(upstream.uri()).ipRules(IpRules.deny("127.0.0.1")))
        .build());

    // Claims to be an allowed office address: the raw peer (127.0.0.1) decides.
    assertRefused(forwardedFor("/office/1", "10.1.2.3").send());
    assertRefused(get("/office/1").headers(h -> h.put("Forwarded", "for=10.1.2.3")
        .put("X-Real-IP", "10.1.2.3")).send());
    // Claims to be someone else than the denied peer: still the peer.
    assertRefused(forwardedFor("/open/1", "192.0.2.7").send());
    // The same over a raw socket, with the header spelled in another case and listed twice.
    RawClient.Response raw = RawClient.exchange(host.port(), "GET /office/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "x-forwarded-for: 10.1.2.3\r\nX-FORWARDED-FOR: 10.9.9.9\r\nConnection: close\r\n\r\n");
    assertThat(raw.status()).isEqualTo(403);
    assertThat(raw.text()).contains(ProblemType.IP_REFUSED.type().toString());
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Mounting.class)
  void behindATrustedProxyTheForwardedClientAddressDecides(Mounting mounting) throws Exception {
    host = mounting.start(Gateway.builder()
        .trustedProxies("127.0.0.1")
        .route("office", r -> r.path("/office/**").upstream(upstream.uri()).ipRules(IpRules.allow("10.0.0.0/8")))
        .build());

    assertThat(forwardedFor("/office/1", "10.1.2.3").send().getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().header("X-Forwarded-For")).hasValue("10.1.2.3, 127.0.0.1");

    assertRefused(forwardedFor("/office/2", "192.0.2.7").send());
    // A client that prepends an allowed address to its own: the right-most untrusted hop decides.
    assertRefused(forwardedFor("/office/3", "10.1.2.3, 192.0.2.7").send());
    // The proxy itself, with no header: the peer, outside the allow list.
    assertRefused(get("/office/4").send());
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void denyWinsOverAllow(Mounting mounting) throws Exception {
    host = mounting.start(Gateway.builder()
        .trustedProxies("127.0.0.1")
        .route("office", r -> r.path("/office/**").upstream(upstream.uri())
            .ipRules(ip -> ip.allow("10.0.0.0/8").deny("10.66.0.0/16")))
        .build());

    assertThat(forwardedFor("/office/1", "10.1.2.3").send().getStatus()).isEqualTo(200);
    assertRefused(forwardedFor("/office/2", "10.66.1.1").send());
    assertThat(upstream.requests()).hasSize(1);
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void ipv6RangesMatchAndIpv4MappedAddressesCountAsIpv4(Mounting mounting) throws Exception {
    host = mounting.start(Gateway.builder()
        .trustedProxies("127.0.0.1")
        .route("v6", r -> r.path("/v6/**").upstream(upstream.uri()).ipRules(IpRules.allow("2001:db8::/32")))
        .route("v4", r -> r.path("/v4/**").upstream(upstream.uri())
            .ipRules(ip -> ip.allow("10.0.0.0/8").deny("::ffff:10.66.0.0/112")))
        .build());

    assertThat(forwardedFor("/v6/1", "2001:db8::7").send().getStatus()).isEqualTo(200);
    assertThat(forwardedFor("/v6/2", "[2001:DB8:0:0::8]").send().getStatus()).isEqualTo(200);
    assertRefused(forwardedFor("/v6/3", "2001:db9::1").send());
    assertRefused(forwardedFor("/v6/4", "10.1.2.3").send());

    // ::ffff:10.1.2.3 is 10.1.2.3 for the allow list; 10.66.0.9 is in the denied mapped block.
    assertThat(forwardedFor("/v4/1", "::ffff:10.1.2.3").send().getStatus()).isEqualTo(200);
    assertRefused(forwardedFor("/v4/2", "10.66.0.9").send());
    assertRefused(forwardedFor("/v4/3", "::ffff:10.66.0.9").send());
    assertThat(upstream.requests()).hasSize(3);
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void aRefusedClientCostsNoAuthenticationAndNoRateLimitToken(Mounting mounting) throws Exception {
    AtomicInteger authentications = new AtomicInteger();
    Authenticator counting = new Authenticator() {
      @Override
      public CompletionStage<AuthResult> authenticate(Exchange exchange) {
        authentications.incrementAndGet();
        return new TestAuthenticator().authenticate(exchange);
      }
    };
    host = mounting.start(Gateway.builder()
        .trustedProxies("127.0.0.1")
        .route("office", r -> r.path("/office/**").upstream(upstream.uri())
            .authenticator(counting)
            .rateLimiter(Bucket4jRateLimiter.perKey(1, Duration.ofMinutes(1), KeyResolver.constant("all")))
            .ipRules(IpRules.allow("10.0.0.0/8")))
        .build());

    for (int i = 0; i < 3; i++) {
      assertRefused(forwardedFor("/office/" + i, "192.0.2.7").headers(h -> h.put("Authorization", "Test reader"))
          .send());
    }
    assertThat(authentications).hasValue(0);

    // The route's only token is still there for an allowed client.
    assertThat(forwardedFor("/office/ok", "10.1.2.3").headers(h -> h.put("Authorization", "Test reader"))
        .send().getStatus()).isEqualTo(200);
    assertThat(authentications).hasValue(1);
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void aRefusedClientGetsNoCorsPreflightAnswer(Mounting mounting) throws Exception {
    host = mounting.start(Gateway.builder()
        .route("office", r -> r.path("/office/**").upstream(upstream.uri())
            .cors(c -> c.allowOrigins("https://app.example.com").allowMethods("GET", "POST"))
            .ipRules(IpRules.allow("10.0.0.0/8")))
        .build());

    ContentResponse preflight = get("/office/1").method("OPTIONS").headers(h -> h
        .put("Origin", "https://app.example.com").put("Access-Control-Request-Method", "POST")).send();

    // Refused, not answered: nothing of what the route allows cross-origin (a browser stops at the 403).
    assertRefused(preflight);
    assertThat(preflight.getHeaders().get("Access-Control-Allow-Methods")).isNull();
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_SERVLET", "TOMCAT_SERVLET"})
  void gatewayRulesRefuseEveryRequestTheGatewayAnswersIncludingNotFoundAndMethodNotAllowed(Mounting mounting)
      throws Exception {
    host = mounting.start(Gateway.builder()
        .ipRules(IpRules.deny("127.0.0.0/8"))
        .route("open", r -> r.path("/open/**").methods("GET").upstream(upstream.uri()))
        .build());

    assertRefused(get("/open/1").send());
    // A refused client cannot tell the paths the gateway routes from those it does not.
    assertRefused(get("/elsewhere").send());
    assertRefused(get("/open/1").method("DELETE").send());
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void routeDefaultsApplyToEveryRouteAndARouteCanDropOrReplaceThem(Mounting mounting) throws Exception {
    host = mounting.start(Gateway.builder()
        .trustedProxies("127.0.0.1")
        .routeDefaults(d -> d.ipRules(IpRules.allow("10.0.0.0/8")))
        .route("internal", r -> r.path("/internal/**").upstream(upstream.uri()))
        .route("public", r -> r.path("/public/**").upstream(upstream.uri()).ipRules(IpRules.none()))
        .route("partners", r -> r.path("/partners/**").upstream(upstream.uri()).ipRules(IpRules.allow("192.0.2.0/24")))
        .build());

    assertRefused(forwardedFor("/internal/1", "192.0.2.7").send());
    assertThat(forwardedFor("/internal/2", "10.0.0.1").send().getStatus()).isEqualTo(200);
    assertThat(forwardedFor("/public/1", "198.51.100.1").send().getStatus()).isEqualTo(200);
    assertThat(forwardedFor("/partners/1", "192.0.2.7").send().getStatus()).isEqualTo(200);
    assertRefused(forwardedFor("/partners/2", "10.0.0.1").send());
    assertThat(upstream.requests()).hasSize(3);
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void gatewayRulesAndRouteRulesMustBothLetTheClientThrough(Mounting mounting) throws Exception {
    host = mounting.start(Gateway.builder()
        .trustedProxies("127.0.0.1")
        .ipRules(IpRules.deny("10.66.0.0/16"))
        .route("office", r -> r.path("/office/**").upstream(upstream.uri()).ipRules(IpRules.allow("10.0.0.0/8")))
        .build());

    assertThat(forwardedFor("/office/1", "10.1.2.3").send().getStatus()).isEqualTo(200);
    ContentResponse gatewayRefusal = forwardedFor("/office/2", "10.66.0.1").send();
    assertRefused(gatewayRefusal);
    assertThat(gatewayRefusal.getContentAsString()).contains("The gateway does not accept");
    ContentResponse routeRefusal = forwardedFor("/office/3", "192.0.2.1").send();
    assertRefused(routeRefusal);
    assertThat(routeRefusal.getContentAsString()).contains("This route does not accept");
  }

  /**
   * A host listening on both loopbacks: the same gateway judges a client on 127.0.0.1 by its IPv4
   * address and one on ::1 by its IPv6 address (the kit's servers listen on 127.0.0.1 only, so this
   * host is a plain Jetty server with the core handler and a connector on each address).
   */
  @Test
  void directClientsOnTheIpv4AndIpv6LoopbacksAreJudgedByTheirOwnAddresses() throws Exception {
    org.eclipse.jetty.server.Server jetty = new org.eclipse.jetty.server.Server();
    org.eclipse.jetty.server.ServerConnector v4 = new org.eclipse.jetty.server.ServerConnector(jetty);
    v4.setHost("127.0.0.1");
    org.eclipse.jetty.server.ServerConnector v6 = new org.eclipse.jetty.server.ServerConnector(jetty);
    v6.setHost("::1");
    jetty.addConnector(v4);
    jetty.addConnector(v6);
    jetty.setHandler(dev.portico.gateway.jetty.JettyGatewayHandler.create(Gateway.builder()
        .route("v4", r -> r.path("/v4/**").upstream(upstream.uri()).ipRules(IpRules.allow("127.0.0.0/8")))
        .route("v6", r -> r.path("/v6/**").upstream(upstream.uri()).ipRules(IpRules.allow("::1")))
        .route("mapped", r -> r.path("/mapped/**").upstream(upstream.uri()).ipRules(IpRules.deny("::ffff:127.0.0.1")))
        .build()));
    org.eclipse.jetty.client.HttpClient client = new org.eclipse.jetty.client.HttpClient();
    jetty.start();
    client.start();
    try {
      String overV4 = "http://127.0.0.1:" + v4.getLocalPort();
      String overV6 = "http://[::1]:" + v6.getLocalPort();

      assertThat(client.newRequest(overV4 + "/v4/1").send().getStatus()).isEqualTo(200);
      assertRefused(client.newRequest(overV6 + "/v4/1").send());
      assertThat(client.newRequest(overV6 + "/v6/1").send().getStatus()).isEqualTo(200);
      assertRefused(client.newRequest(overV4 + "/v6/1").send());
      // ::ffff:127.0.0.1 is 127.0.0.1: the IPv4 client is refused, the IPv6 one is not.
      assertRefused(client.newRequest(overV4 + "/mapped/1").send());
      assertThat(client.newRequest(overV6 + "/mapped/1").send().getStatus()).isEqualTo(200);
      assertThat(upstream.requests()).hasSize(3);
    } finally {
      client.stop();
      jetty.stop();
    }
  }

  @Test
  void explainNamesTheCheckFirstAndOnlyWhereThereAreRules() throws Exception {
    Gateway gateway = Gateway.builder()
        .route("office", r -> r.path("/office/**").upstream(upstream.uri()).ipRules(IpRules.allow("10.0.0.0/8")))
        .route("open", r -> r.path("/open/**").upstream(upstream.uri()))
        .build();
    try (dev.portico.gateway.test.GatewayServer server = dev.portico.gateway.test.GatewayServer.start(gateway)) {
      assertThat(server.handler().explain("GET", "/office/1", HttpHeaders.empty()).policies())
          .containsExactly("ip-rules", "proxy");
      assertThat(server.handler().explain("GET", "/open/1", HttpHeaders.empty()).policies())
          .containsExactly("proxy");
    }
  }
}
