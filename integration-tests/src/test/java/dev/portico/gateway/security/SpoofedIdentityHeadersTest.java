package dev.portico.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.WebSocketSettings;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.RawClient;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.testing.Mounting;
import dev.portico.gateway.testing.TestAuthenticator;
import dev.portico.gateway.testing.WebSocketPeers;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Headers only the gateway may set never come from a client, on any route, on every adapter: the
 * identity headers of every route and header rule, the default {@code X-Auth-*} ones, the URL and
 * method override headers, and the fields a client's {@code Connection} names (which never
 * remove what the gateway set). A global filter reports the header names it saw, so the tests
 * also show the client's copies are gone before the global filters run.
 */
class SpoofedIdentityHeadersTest {
  /** Every identity header of the gateway below, and the override headers, in odd cases. */
  private static final List<String> SPOOFED = List.of("X-Auth-Subject", "x-auth-scopes", "X-AUTH-ISSUER", "X-Auth-Method",
      "x-user", "X-Tenant", "X-Plan", "X-Original-URL", "x-rewrite-url", "X-HTTP-Method-Override", "X-HTTP-Method",
      "X-Method-Override", "X-Original-Method");

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

  /**
   * A public route that forwards no identity, one that sets {@code X-User} and fills
   * {@code X-Tenant} (then renamed-free) and {@code X-Plan} from the identity, and a route with a
   * configured method override.
   */
  private Gateway.Builder gateway() {
    return Gateway.builder().authenticator(new TestAuthenticator())
        .filter((exchange, chain) -> chain.proceed(exchange.withRequest(exchange.request().toBuilder()
            .header("X-Seen-By-Global-Filter", String.join(",", exchange.request().headers().names())).build())))
        .route("public", r -> r.path("/public/**").permitAll().upstream(upstream.uri()))
        .route("orders", r -> r.path("/orders/**").upstream(upstream.uri())
            .identityForwarding(IdentityForwarding.builder().subjectHeader("X-User").build())
            .requestHeaders(h -> h.set("X-Tenant", "{identity.claim.tenant}").add("X-Plan-Id", "plan-{identity.plan}")
                .rename("X-Plan-Id", "X-Plan")))
        .route("legacy", r -> r.path("/legacy/**").permitAll().methodOverride("POST").upstream(upstream.uri()));
  }

  private ContentResponse send(String path, Consumer<HttpFields.Mutable> headers) throws Exception {
    return host.client().newRequest(host.uri(path)).headers(headers).timeout(10, TimeUnit.SECONDS).send();
  }

  private static void spoof(HttpFields.Mutable h) {
    for (String name : SPOOFED) {
      h.add(name, "spoofed");
    }
  }

  private static List<String> seenByGlobalFilter(RecordedRequest received) {
    return List.of(received.header("X-Seen-By-Global-Filter").orElse(null).toLowerCase(Locale.ROOT).split(","));
  }

  @ParameterizedTest
  @EnumSource(Mounting.class)
  void identityAndOverrideHeadersNeverReachAPublicRouteNorTheGlobalFilters(Mounting mounting) throws Exception {
    host = mounting.start(gateway().build());

    assertThat(send("/public/x", SpoofedIdentityHeadersTest::spoof).getStatus()).isEqualTo(200);

    RecordedRequest received = upstream.takeRequest();
    for (String name : SPOOFED) {
      assertThat(received.headerValues(name)).as(name).isEmpty();
      assertThat(seenByGlobalFilter(received)).doesNotContain(name.toLowerCase(Locale.ROOT));
    }
    assertThat(received.headers().toString()).doesNotContain("spoofed");
  }

  @ParameterizedTest
  @EnumSource(Mounting.class)
  void aRouteThatSetsIdentityHeadersSendsOnlyItsOwn(Mounting mounting) throws Exception {
    host = mounting.start(gateway().build());

    assertThat(send("/orders/1", h -> {
      spoof(h);
      h.add("Authorization", "Test writer");
    }).getStatus()).isEqualTo(200);

    RecordedRequest received = upstream.takeRequest();
    assertThat(received.headerValues("X-User")).containsExactly("writer");
    assertThat(received.headerValues("X-Tenant")).containsExactly("internal");
    // writer has no plan: the rule is skipped, and the client's X-Plan is gone all the same.
    assertThat(received.headerValues("X-Plan")).isEmpty();
    assertThat(received.headerValues("X-Auth-Subject")).isEmpty();
    assertThat(received.headers().toString()).doesNotContain("spoofed");
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "TOMCAT_SERVLET_H2"})
  void anOverrideHeaderTheHostKeepsPassesAndTheOthersDoNot(Mounting mounting) throws Exception {
    host = mounting.start(gateway().keepClientHeaders("x-http-method-override").stripClientHeaders("X-Internal-User").build());

    send("/public/x", h -> {
      spoof(h);
      h.add("X-Internal-User", "root");
    });

    RecordedRequest received = upstream.takeRequest();
    assertThat(received.headerValues("X-HTTP-Method-Override")).containsExactly("spoofed");
    assertThat(received.headerValues("X-HTTP-Method")).isEmpty();
    assertThat(received.headerValues("X-Original-URL")).isEmpty();
    assertThat(received.headerValues("X-Internal-User")).isEmpty();
    assertThat(received.headerValues("X-Auth-Subject")).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Mounting.class)
  void aRouteWithAMethodOverrideSendsItsMethodAndNotTheClientsOverrideHeader(Mounting mounting) throws Exception {
    host = mounting.start(gateway().build());

    assertThat(send("/legacy/x", h -> h.add("X-HTTP-Method-Override", "DELETE")).getStatus()).isEqualTo(200);

    RecordedRequest received = upstream.takeRequest();
    assertThat(received.method()).isEqualTo("POST");
    assertThat(received.headerValues("X-HTTP-Method-Override")).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")   // HTTP/1.1: HTTP/2 has no Connection header
  void connectionNamingIdentityHeadersDoesNotRemoveWhatTheGatewaySet(Mounting mounting) throws Exception {
    host = mounting.start(gateway().build());

    RawClient.Response response = RawClient.exchange(host.port(), "GET /orders/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: Test writer\r\nX-Note: from the client\r\n"
        + "Connection: close, X-User, X-Tenant, X-Auth-Subject, X-Request-Id, X-Forwarded-For\r\n"
        + "Connection: X-Note\r\n\r\n");

    assertThat(response.status()).isEqualTo(200);
    RecordedRequest received = upstream.takeRequest();
    assertThat(received.headerValues("X-User")).containsExactly("writer");
    assertThat(received.headerValues("X-Tenant")).containsExactly("internal");
    assertThat(received.header("X-Request-Id").orElse(null)).isNotBlank();
    assertThat(received.header("X-Forwarded-For")).contains("127.0.0.1");
    // What the client named is its own field, dropped: here before the global filter saw it.
    assertThat(received.header("X-Note")).isEmpty();
    assertThat(seenByGlobalFilter(received)).doesNotContain("x-note", "connection");
    assertThat(received.header("Connection")).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")   // HTTP/1.1: HTTP/2 has no Connection header
  void aCredentialTheClientNamesInConnectionIsDroppedBeforeAuthentication(Mounting mounting) throws Exception {
    host = mounting.start(gateway().route("forwarded", r -> r.path("/forwarded/**").permitAll().upstream(upstream.uri()))
        .build());

    RawClient.Response named = RawClient.exchange(host.port(), "GET /orders/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: Test writer\r\nConnection: close, Authorization\r\n\r\n");
    RawClient.Response forwarded = RawClient.exchange(host.port(), "GET /forwarded/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: Test writer\r\nConnection: Authorization, close\r\n\r\n");

    assertThat(named.status()).as("a credential meant for this hop only is no credential").isEqualTo(401);
    assertThat(forwarded.status()).isEqualTo(200);
    assertThat(upstream.takeRequest().header("Authorization")).isEmpty();
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void identityHeadersNeverReachTheUpstreamOfAWebSocketUpgrade(Mounting mounting) throws Exception {
    try (WebSocketPeers.EchoServer echo = new WebSocketPeers.EchoServer();
        WebSocketPeers.Client client = new WebSocketPeers.Client()) {
      host = mounting.start(Gateway.builder().authenticator(new TestAuthenticator())
          .route("ws", r -> r.path("/ws/**").stripPrefix(1).upstream(echo.uri()).websocket(WebSocketSettings.defaults())
              .identityForwarding(IdentityForwarding.headersOnly()))
          .route("public-ws", r -> r.path("/public-ws/**").stripPrefix(1).permitAll().upstream(echo.uri())
              .websocket(WebSocketSettings.defaults()))
          .build());
      HttpFields.Mutable spoofed = HttpFields.build().add("Authorization", "Test reader");
      spoof(spoofed);

      client.connect("ws://127.0.0.1:" + host.port() + "/ws/echo", spoofed).get(10, TimeUnit.SECONDS);
      client.connect("ws://127.0.0.1:" + host.port() + "/public-ws/echo", spoofed).get(10, TimeUnit.SECONDS);

      assertThat(echo.handshakes).hasSize(2);
      assertThat(echo.handshakes.get(0).getValuesList("X-Auth-Subject")).containsExactly("reader");
      assertThat(echo.handshakes.get(1).getValuesList("X-Auth-Subject")).isEmpty();
      for (HttpFields handshake : echo.handshakes) {
        for (String name : SPOOFED) {
          // X-User, X-Tenant and X-Plan are identity headers of the other gateway only: here they pass.
          boolean identity = !List.of("x-user", "x-tenant", "x-plan").contains(name.toLowerCase(Locale.ROOT));
          assertThat(handshake.getValuesList(name).contains("spoofed")).as(name).isEqualTo(!identity);
        }
      }
    }
  }

  @Test
  void keepingAHeaderTheGatewayDoesNotStripIsAConfigurationError() {
    assertThatThrownBy(() -> Gateway.builder().keepClientHeaders("X-Auth-Subject").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("keepClientHeaders: X-Auth-Subject is not removed from clients by default");
    assertThatThrownBy(() -> Gateway.builder().keepClientHeaders("X-Rewrite-URL").stripClientHeaders("x-rewrite-url").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("also given to stripClientHeaders");
    assertThat(Gateway.builder().keepClientHeaders("X-Rewrite-URL").stripClientHeaders("X-Internal").build()
        .strippedClientHeaders()).containsExactly("X-Original-URL", "X-HTTP-Method-Override", "X-HTTP-Method",
        "X-Method-Override", "X-Original-Method", "X-Internal");
  }
}
