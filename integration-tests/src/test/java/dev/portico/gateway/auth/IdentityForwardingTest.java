package dev.portico.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.apikey.ApiKeyAuthenticator;
import dev.portico.gateway.auth.apikey.InMemoryApiKeyStore;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.testing.TestAuthenticator;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the upstream learns about the caller, per route. */
class IdentityForwardingTest {
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

  private RecordedRequest send(IdentityForwarding forwarding, Consumer<HttpFields.Mutable> headers) throws Exception {
    host = GatewayServer.builder().gateway(Gateway.builder().authenticator(new TestAuthenticator())
        .route("orders", r -> r.path("/orders/**").upstream(upstream.uri()).identityForwarding(forwarding))
        .build()).permissiveUris(true).hostAnswer().start();
    assertThat(host.client().newRequest(host.uri("/orders/1")).headers(headers).timeout(10, TimeUnit.SECONDS).send()
        .getStatus()).isEqualTo(200);
    return upstream.takeRequest();
  }

  @Test
  void forwardsTheCredentialsByDefault() throws Exception {
    RecordedRequest received = send(IdentityForwarding.defaults(), h -> h.add("Authorization", "Test writer"));

    assertThat(received.header("Authorization")).contains("Test writer");
    assertThat(received.header("X-Auth-Subject")).isEmpty();
  }

  @Test
  void stripCredentialsRemovesAuthorization() throws Exception {
    RecordedRequest received = send(IdentityForwarding.builder().stripCredentials().build(),
        h -> h.add("Authorization", "Test writer"));

    assertThat(received.header("Authorization")).isEmpty();
  }

  @Test
  void headersOnlySendsIdentityHeadersInsteadOfCredentials() throws Exception {
    RecordedRequest received = send(IdentityForwarding.headersOnly(), h -> h.add("Authorization", "Test writer"));

    assertThat(received.header("Authorization")).isEmpty();
    assertThat(received.header("X-Auth-Subject")).contains("writer");
    assertThat(received.header("X-Auth-Scopes")).contains("orders:read orders:write");
    assertThat(received.header("X-Auth-Issuer")).contains("https://idp.test");
    assertThat(received.header("X-Auth-Method")).contains("test");
  }

  @Test
  void headersOnlyRemovesForgedIdentityHeadersWhateverTheirCase() throws Exception {
    RecordedRequest received = send(IdentityForwarding.headersOnly(), h -> h.add("Authorization", "Test reader")
        .add("X-Auth-Subject", "admin").add("x-auth-scopes", "everything").add("X-AUTH-ISSUER", "https://evil.example")
        .add("X-Auth-Method", "mtls"));

    assertThat(received.headerValues("X-Auth-Subject")).containsExactly("reader");
    assertThat(received.headerValues("X-Auth-Scopes")).containsExactly("orders:read");
    // reader has no issuer: the forged one is removed and nothing replaces it.
    assertThat(received.headerValues("X-Auth-Issuer")).isEmpty();
    assertThat(received.headerValues("X-Auth-Method")).containsExactly("test");
  }

  @Test
  void customIdentityHeadersAreAlsoProtectedFromForgery() throws Exception {
    RecordedRequest received = send(IdentityForwarding.builder().subjectHeader("X-User").build(),
        h -> h.add("Authorization", "Test reader").add("X-User", "admin"));

    assertThat(received.headerValues("X-User")).containsExactly("reader");
    assertThat(received.header("Authorization")).contains("Test reader");
  }

  @Test
  void stripHeaderRemovesTheApiKey() throws Exception {
    String key = "forwarding-key-0123456789";
    host = GatewayServer.builder().gateway(Gateway.builder()
        .authenticator(ApiKeyAuthenticator.of(InMemoryApiKeyStore.builder().key(key, ApiKeyRecord.of("batch")).build()))
        .route("orders", r -> r.path("/orders/**").upstream(upstream.uri())
            .identityForwarding(IdentityForwarding.builder().stripHeader("X-Api-Key").subjectHeader("X-Auth-Subject").build()))
        .build()).permissiveUris(true).hostAnswer().start();

    host.client().newRequest(host.uri("/orders/1")).headers(h -> h.add("X-Api-Key", key)).timeout(10, TimeUnit.SECONDS).send();

    RecordedRequest received = upstream.takeRequest();
    assertThat(received.header("X-Api-Key")).isEmpty();
    assertThat(received.header("X-Auth-Subject")).contains("batch");
  }

  @Test
  void permitAllRouteStillRemovesForgedIdentityHeaders() throws Exception {
    host = GatewayServer.builder().gateway(Gateway.builder().authenticator(new TestAuthenticator())
        .route("public", r -> r.path("/public/**").upstream(upstream.uri()).permitAll()
            .identityForwarding(IdentityForwarding.headersOnly()))
        .build()).permissiveUris(true).hostAnswer().start();

    host.client().newRequest(host.uri("/public/x")).headers(h -> h.add("X-Auth-Subject", "admin")
        .add("Authorization", "Test writer")).timeout(10, TimeUnit.SECONDS).send();

    RecordedRequest received = upstream.takeRequest();
    assertThat(received.header("X-Auth-Subject")).isEmpty();
    assertThat(received.header("Authorization")).isEmpty();
  }

  @Test
  void stripCredentialsAlsoRemovesTheHeadersTheAuthenticatorReads() throws Exception {
    String key = "forwarding-key-0123456789";
    Authenticator either = new TestAuthenticator()
        .orElse(ApiKeyAuthenticator.of(InMemoryApiKeyStore.builder().key(key, ApiKeyRecord.of("batch")).build()));
    host = GatewayServer.builder().gateway(Gateway.builder().authenticator(either)
        .route("orders", r -> r.path("/orders/**").upstream(upstream.uri()).identityForwarding(IdentityForwarding.headersOnly()))
        .build()).permissiveUris(true).hostAnswer().start();

    host.client().newRequest(host.uri("/orders/1")).headers(h -> h.add("X-Api-Key", key).add("Authorization", "Bearer other"))
        .timeout(10, TimeUnit.SECONDS).send();

    RecordedRequest received = upstream.takeRequest();
    assertThat(received.header("X-Auth-Subject")).contains("batch");
    assertThat(received.header("X-Api-Key")).isEmpty();
    assertThat(received.header("Authorization")).isEmpty();
    assertThat(either.credentialHeaders()).containsExactlyInAnyOrder("Authorization", "X-Api-Key");
  }
}
