package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Headers that could split the message to the upstream: CR/LF in values a header rule or a filter
 * sets, and oversized heads. (Spoofed forwarding and identity headers are in the conformance
 * suite.) The upstream records raw bytes, so a split message would show as an extra header line.
 */
class HeaderSafetyTest {
  private static final String INJECTED = "eve\r\nX-Injected: yes";

  private FakeIdentityProvider idp;
  private RawUpstream upstream;
  private JwtAuthenticator jwt;
  private GatewayServer server;

  @BeforeEach
  void start() throws Exception {
    idp = FakeIdentityProvider.builder().algorithm(TokenAlgorithm.HS256).start();
    upstream = RawUpstream.start();
    jwt = JwtAuthenticator.builder().hmacSecret(idp.hmacSecret()).issuer(idp.issuer()).audience("api").build();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    jwt.close();
    upstream.close();
    idp.close();
  }

  private String get(String path, String... headerLines) throws Exception {
    StringBuilder raw = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (String line : headerLines) {
      raw.append(line).append("\r\n");
    }
    return RawClient.readAll(server.baseUri(), raw.append("\r\n").toString());
  }

  private static String body(String response) {
    int i = response.indexOf("\r\n\r\n");
    return i < 0 ? "" : response.substring(i + 4);
  }

  @Test
  void crlfInAClaimTemplatedIntoAHeaderIsSentEncodedAndNeverSplitsTheUpstreamRequest() throws Exception {
    server = GatewayServer.start(Gateway.builder().route("api", r -> r.path("/api/**").authenticator(jwt)
        .requestHeaders(h -> h.set("X-User", "{identity.claim.name}")).upstream(upstream.uri())).build());

    String response = get("/api/x", "Authorization: Bearer " + idp.token().audience("api").claim("name", INJECTED).sign());

    // A value filled from the identity is never dropped nor altered: not plain ASCII, it goes encoded.
    assertThat(RawClient.status(response)).isEqualTo(200);
    assertThat(upstream.awaitIdle(Duration.ofSeconds(10))).singleElement().asString()
        .doesNotContain("\r\nX-Injected").contains("\r\nX-User: UTF-8''eve%0D%0AX-Injected%3A%20yes\r\n");
  }

  @Test
  void crlfInTheSubjectForwardedAsIdentityHeaderIsSentEncodedNeverA500() throws Exception {
    server = GatewayServer.start(Gateway.builder().route("api", r -> r.path("/api/**").authenticator(jwt)
        .identityForwarding(IdentityForwarding.headersOnly()).upstream(upstream.uri())).build());

    String response = get("/api/x", "Authorization: Bearer " + idp.token().audience("api").subject(INJECTED).sign());

    assertThat(RawClient.status(response)).isEqualTo(200);
    assertThat(String.join("", upstream.awaitIdle(Duration.ofSeconds(10))))
        .doesNotContain("\r\nX-Injected").contains("\r\nX-Auth-Subject: UTF-8''eve%0D%0AX-Injected%3A%20yes\r\n");
  }

  @Test
  void aFilterSettingAHeaderWithCrlfGetsA500WithoutDetails() throws Exception {
    server = GatewayServer.start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())
        .filter((exchange, chain) -> chain.proceed(exchange.withRequest(exchange.request().toBuilder()
            .header("X-Note", "a\r\nX-Injected: yes").build())))).build());

    String response = get("/api/x");

    assertThat(RawClient.status(response)).isEqualTo(500);
    assertThat(body(response)).contains("\"status\":500").doesNotContain("X-Injected").doesNotContain("Exception");
    assertThat(upstream.awaitIdle(Duration.ofSeconds(10))).isEmpty();
  }

  @Test
  void aHeadOverJettysDefault8KibIsRefusedWith431BeforeTheGateway() throws Exception {
    server = GatewayServer.start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())).build());

    String big = get("/api/x", "X-Big: " + "a".repeat(9 * 1024));
    String[] many = new String[1_000];
    for (int i = 0; i < many.length; i++) {
      many[i] = "X-H" + i + ": v";
    }
    String count = get("/api/x", many);
    String fits = get("/api/x", List.of(many).subList(0, 100).toArray(String[]::new));

    assertThat(RawClient.status(big)).isEqualTo(431);
    assertThat(RawClient.status(count)).as("1000 headers, about 10 KiB").isEqualTo(431);
    assertThat(RawClient.status(fits)).as("100 headers").isEqualTo(200);
    assertThat(upstream.awaitIdle(Duration.ofSeconds(10))).hasSize(1);
  }
}
