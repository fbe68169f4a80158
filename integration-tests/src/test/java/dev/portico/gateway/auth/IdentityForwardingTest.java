package dev.portico.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.apikey.ApiKeyAuthenticator;
import dev.portico.gateway.auth.apikey.InMemoryApiKeyStore;
import dev.portico.gateway.testing.GatewayHost;
import dev.portico.gateway.testing.TestAuthenticator;
import dev.portico.gateway.testing.TestUpstream;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the upstream learns about the caller, per route. */
class IdentityForwardingTest {
  private TestUpstream upstream;
  private GatewayHost host;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  private TestUpstream.Received send(IdentityForwarding forwarding, Consumer<HttpFields.Mutable> headers) throws Exception {
    host = GatewayHost.start(Gateway.builder().authenticator(new TestAuthenticator())
        .route("orders", r -> r.path("/orders/**").upstream(upstream.uri()).identityForwarding(forwarding))
        .build());
    assertThat(host.client().newRequest(host.uri("/orders/1")).headers(headers).timeout(10, TimeUnit.SECONDS).send()
        .getStatus()).isEqualTo(200);
    return upstream.take();
  }

  @Test
  void forwardsTheCredentialsByDefault() throws Exception {
    TestUpstream.Received received = send(IdentityForwarding.defaults(), h -> h.add("Authorization", "Test writer"));

    assertThat(received.header("Authorization")).isEqualTo("Test writer");
    assertThat(received.header("X-Auth-Subject")).isNull();
  }

  @Test
  void stripCredentialsRemovesAuthorization() throws Exception {
    TestUpstream.Received received = send(IdentityForwarding.builder().stripCredentials().build(),
        h -> h.add("Authorization", "Test writer"));

    assertThat(received.header("Authorization")).isNull();
  }

  @Test
  void headersOnlySendsIdentityHeadersInsteadOfCredentials() throws Exception {
    TestUpstream.Received received = send(IdentityForwarding.headersOnly(), h -> h.add("Authorization", "Test writer"));

    assertThat(received.header("Authorization")).isNull();
    assertThat(received.header("X-Auth-Subject")).isEqualTo("writer");
    assertThat(received.header("X-Auth-Scopes")).isEqualTo("orders:read orders:write");
    assertThat(received.header("X-Auth-Issuer")).isEqualTo("https://idp.test");
    assertThat(received.header("X-Auth-Method")).isEqualTo("test");
  }

  @Test
  void headersOnlyRemovesForgedIdentityHeadersWhateverTheirCase() throws Exception {
    TestUpstream.Received received = send(IdentityForwarding.headersOnly(), h -> h.add("Authorization", "Test reader")
        .add("X-Auth-Subject", "admin").add("x-auth-scopes", "everything").add("X-AUTH-ISSUER", "https://evil.example")
        .add("X-Auth-Method", "mtls"));

    assertThat(received.headers().getValuesList("X-Auth-Subject")).containsExactly("reader");
    assertThat(received.headers().getValuesList("X-Auth-Scopes")).containsExactly("orders:read");
    // reader has no issuer: the forged one is removed and nothing replaces it.
    assertThat(received.headers().getValuesList("X-Auth-Issuer")).isEmpty();
    assertThat(received.headers().getValuesList("X-Auth-Method")).containsExactly("test");
  }

  @Test
  void customIdentityHeadersAreAlsoProtectedFromForgery() throws Exception {
    TestUpstream.Received received = send(IdentityForwarding.builder().subjectHeader("X-User").build(),
        h -> h.add("Authorization", "Test reader").add("X-User", "admin"));

    assertThat(received.headers().getValuesList("X-User")).containsExactly("reader");
    assertThat(received.header("Authorization")).isEqualTo("Test reader");
  }

  @Test
  void stripHeaderRemovesTheApiKey() throws Exception {
    String key = "forwarding-key-0123456789";
    host = GatewayHost.start(Gateway.builder()
        .authenticator(ApiKeyAuthenticator.of(InMemoryApiKeyStore.builder().key(key, ApiKeyRecord.of("batch")).build()))
        .route("orders", r -> r.path("/orders/**").upstream(upstream.uri())
            .identityForwarding(IdentityForwarding.builder().stripHeader("X-Api-Key").subjectHeader("X-Auth-Subject").build()))
        .build());

    host.client().newRequest(host.uri("/orders/1")).headers(h -> h.add("X-Api-Key", key)).timeout(10, TimeUnit.SECONDS).send();

    TestUpstream.Received received = upstream.take();
    assertThat(received.header("X-Api-Key")).isNull();
    assertThat(received.header("X-Auth-Subject")).isEqualTo("batch");
  }

  @Test
  void permitAllRouteStillRemovesForgedIdentityHeaders() throws Exception {
    host = GatewayHost.start(Gateway.builder().authenticator(new TestAuthenticator())
        .route("public", r -> r.path("/public/**").upstream(upstream.uri()).permitAll()
            .identityForwarding(IdentityForwarding.headersOnly()))
        .build());

    host.client().newRequest(host.uri("/public/x")).headers(h -> h.add("X-Auth-Subject", "admin")
        .add("Authorization", "Test writer")).timeout(10, TimeUnit.SECONDS).send();

    TestUpstream.Received received = upstream.take();
    assertThat(received.header("X-Auth-Subject")).isNull();
    assertThat(received.header("Authorization")).isNull();
  }

  @Test
  void stripCredentialsAlsoRemovesTheHeadersTheAuthenticatorReads() throws Exception {
    String key = "forwarding-key-0123456789";
    Authenticator either = new TestAuthenticator()
        .orElse(ApiKeyAuthenticator.of(InMemoryApiKeyStore.builder().key(key, ApiKeyRecord.of("batch")).build()));
    host = GatewayHost.start(Gateway.builder().authenticator(either)
        .route("orders", r -> r.path("/orders/**").upstream(upstream.uri()).identityForwarding(IdentityForwarding.headersOnly()))
        .build());

    host.client().newRequest(host.uri("/orders/1")).headers(h -> h.add("X-Api-Key", key).add("Authorization", "Bearer other"))
        .timeout(10, TimeUnit.SECONDS).send();

    TestUpstream.Received received = upstream.take();
    assertThat(received.header("X-Auth-Subject")).isEqualTo("batch");
    assertThat(received.header("X-Api-Key")).isNull();
    assertThat(received.header("Authorization")).isNull();
    assertThat(either.credentialHeaders()).containsExactlyInAnyOrder("Authorization", "X-Api-Key");
  }
}
