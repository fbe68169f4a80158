package dev.portico.gateway.auth.mtls;

import static dev.portico.gateway.testing.ProblemJson.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.auth.ApiKeyRecord;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.auth.apikey.ApiKeyAuthenticator;
import dev.portico.gateway.auth.apikey.InMemoryApiKeyStore;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.test.TestExchange;
import dev.portico.gateway.testing.TestPki;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.GeneralName;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Client certificates through a real TLS host connector that asks for them, with a PKI made in the
 * test: a CA the host trusts, a server certificate, and client certificates for alice and others.
 */
class ClientCertificateAuthenticatorTest {
  private static TestPki pki;
  private static TestPki.Issued server;
  private static TestPki.Issued alice;
  private static TestPki.Issued mallory;
  private static TestPki.Issued noCommonName;
  private static TestPki.Issued stranger;

  private FakeUpstream upstream;
  private Server host;
  private ServerConnector connector;
  private final List<HttpClient> clients = new java.util.ArrayList<>();
  private boolean needClientAuth;

  @BeforeAll
  static void makePki() throws Exception {
    pki = TestPki.create("Portico Test CA");
    server = pki.server();
    alice = pki.client("CN=alice,OU=Shop,O=Example",
        new GeneralName(GeneralName.dNSName, "alice.clients.example"),
        new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://example.org/ns/shop/sa/alice"),
        new GeneralName(GeneralName.rfc822Name, "alice@example.org"));
    mallory = pki.client("CN=mallory,O=Example");
    noCommonName = pki.client("O=Example,OU=Batch");
    stranger = TestPki.create("Some Other CA").client("CN=alice,O=Example");
  }

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = FakeUpstream.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (HttpClient client : clients) {
      client.stop();
    }
    if (host != null) {
      host.stop();
    }
    upstream.close();
  }

  /** A host whose TLS connector wants (or, with {@link #needClientAuth}, needs) a client certificate from the test CA. */
  private void startHost(Gateway gateway) throws Exception {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(server.keyStore());
    ssl.setKeyStorePassword(new String(TestPki.PASSWORD));
    ssl.setTrustStore(pki.trustStore());
    if (needClientAuth) {
      ssl.setNeedClientAuth(true);
    } else {
      ssl.setWantClientAuth(true);
    }
    host = new Server();
    HttpConfiguration https = new HttpConfiguration();
    https.addCustomizer(new SecureRequestCustomizer());
    connector = new ServerConnector(host, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    host.addConnector(connector);
    host.setHandler(JettyGatewayHandler.create(gateway));
    host.start();
  }

  private HttpClient client(TestPki.Issued identity) throws Exception {
    SslContextFactory.Client ssl = new SslContextFactory.Client();
    ssl.setTrustStore(pki.trustStore());
    if (identity != null) {
      KeyStore keyStore = identity.keyStore();
      ssl.setKeyStore(keyStore);
      ssl.setKeyStorePassword(new String(TestPki.PASSWORD));
    }
    ClientConnector clientConnector = new ClientConnector();
    clientConnector.setSslContextFactory(ssl);
    HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(clientConnector));
    client.start();
    clients.add(client);
    return client;
  }

  private ContentResponse get(TestPki.Issued identity) throws Exception {
    return client(identity).newRequest("https://127.0.0.1:" + connector.getLocalPort() + "/api/x")
        .timeout(10, TimeUnit.SECONDS).send();
  }

  private Gateway gateway(Authenticator authenticator) {
    return Gateway.builder()
        .authenticator(authenticator)
        .route("api", r -> r.path("/api/**").upstream(upstream.uri()).identityForwarding(IdentityForwarding.headersOnly()))
        .build();
  }

  @Test
  void mapsCommonNameOfAVerifiedCertificate() throws Exception {
    startHost(gateway(ClientCertificateAuthenticator.commonName()));

    ContentResponse response = get(alice);

    assertThat(response.getStatus()).isEqualTo(200);
    RecordedRequest received = upstream.takeRequest();
    assertThat(received.header("X-Auth-Subject")).contains("alice");
    assertThat(received.header("X-Auth-Method")).contains("mtls");
    assertThat(received.header("X-Auth-Issuer")).contains(pki.caCertificate().getSubjectX500Principal().getName());
  }

  @Test
  void mapsConfiguredSubjectAlternativeName() throws Exception {
    startHost(gateway(ClientCertificateAuthenticator.builder()
        .subjectAlternativeName(ClientCertificateAuthenticator.SanType.URI).build()));

    assertThat(get(alice).getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().header("X-Auth-Subject")).contains("spiffe://example.org/ns/shop/sa/alice");
  }

  @Test
  void rejectsCertificateWithoutTheConfiguredAlternativeName() throws Exception {
    startHost(gateway(ClientCertificateAuthenticator.builder()
        .subjectAlternativeName(ClientCertificateAuthenticator.SanType.DNS).build()));

    ContentResponse response = get(mallory);

    assertProblem(response, ProblemType.UNAUTHORIZED);
    assertThat(response.getHeaders().get("WWW-Authenticate")).startsWith("ClientCertificate realm=\"api\", error=\"invalid_client\"");
  }

  @Test
  void rejectsCertificateTheMappingDoesNotKnow() throws Exception {
    startHost(gateway(ClientCertificateAuthenticator.builder()
        .mapping(cert -> ClientCertificateAuthenticator.commonNameOf(cert).filter("alice"::equals)
            .map(cn -> Identity.builder(cn).method("mtls").roles(List.of("clerk")).build()))
        .build()));

    assertThat(get(alice).getStatus()).isEqualTo(200);
    ContentResponse response = get(mallory);
    assertProblem(response, ProblemType.UNAUTHORIZED);
    assertThat(response.getHeaders().get("WWW-Authenticate")).contains("error=\"invalid_client\"");
    assertThat(upstream.takeRequest().header("X-Auth-Subject")).contains("alice");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void rejectsCertificateWithoutCommonName() throws Exception {
    startHost(gateway(ClientCertificateAuthenticator.commonName()));

    assertProblem(get(noCommonName), ProblemType.UNAUTHORIZED);
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void answersNoCertificateWith401AndChallenge() throws Exception {
    startHost(gateway(ClientCertificateAuthenticator.commonName()));

    ContentResponse response = get(null);

    assertProblem(response, ProblemType.UNAUTHORIZED);
    assertThat(response.getHeaders().getValuesList("WWW-Authenticate")).containsExactly("ClientCertificate realm=\"api\"");
  }

  @Test
  void fallsBackToApiKeyWithoutCertificate() throws Exception {
    String key = InMemoryApiKeyStore.generateKey();
    Authenticator either = ClientCertificateAuthenticator.commonName()
        .orElse(ApiKeyAuthenticator.of(InMemoryApiKeyStore.builder().key(key, ApiKeyRecord.of("batch")).build()));
    startHost(gateway(either));

    ContentResponse withKey = client(null).newRequest("https://127.0.0.1:" + connector.getLocalPort() + "/api/x")
        .headers(h -> h.add("X-Api-Key", key)).timeout(10, TimeUnit.SECONDS).send();
    ContentResponse neither = get(null);

    assertThat(withKey.getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().header("X-Auth-Subject")).contains("batch");
    assertThat(neither.getHeaders().getValuesList("WWW-Authenticate"))
        .containsExactly("ClientCertificate realm=\"api\"", "ApiKey realm=\"api\"");
  }

  @Test
  void seesNoCertificateFromAnUntrustedAuthorityWhenOnlyWanted() throws Exception {
    startHost(gateway(ClientCertificateAuthenticator.commonName()));

    ContentResponse response = get(stranger);

    assertProblem(response, ProblemType.UNAUTHORIZED);
    assertThat(response.getHeaders().getValuesList("WWW-Authenticate")).containsExactly("ClientCertificate realm=\"api\"");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void refusesCertificateFromAnUntrustedAuthorityInTheHandshakeWhenNeeded() throws Exception {
    needClientAuth = true;
    startHost(gateway(ClientCertificateAuthenticator.commonName()));

    assertThatThrownBy(() -> get(stranger)).isInstanceOf(ExecutionException.class);
    assertThat(get(alice).getStatus()).isEqualTo(200);
  }

  // Directly, with certificates no TLS stack would pass on.

  private static AuthResult authenticate(Authenticator authenticator, TestPki.Issued issued) throws Exception {
    TestExchange exchange = TestExchange.of(GatewayRequest.builder("GET", "/").build()).clientCertificates(issued.chain());
    return authenticator.authenticate(exchange).toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void rejectsExpiredCertificateEvenOnAnOpenConnection() throws Exception {
    AuthResult result = authenticate(ClientCertificateAuthenticator.commonName(), pki.expiredClient("CN=alice"));

    assertThat(result.kind()).isEqualTo(AuthResult.Kind.REJECTED);
    assertThat(result.challenges().get(0).errorDescription()).isEqualTo("The client certificate is not valid at this time.");
  }

  @Test
  void rejectsSubjectWithTwoCommonNames() throws Exception {
    AuthResult result = authenticate(ClientCertificateAuthenticator.commonName(), pki.client("CN=alice,CN=admin,O=Example"));

    assertThat(result.kind()).isEqualTo(AuthResult.Kind.REJECTED);
  }

  @Test
  void describesCertificateInIdentityClaims() throws Exception {
    Identity identity = authenticate(ClientCertificateAuthenticator.commonName(), alice).identity().orElseThrow();

    assertThat(identity.claims()).containsKeys("subject_dn", "issuer_dn", "serial", "x5t#S256");
    assertThat(identity.claim("subject_dn")).contains(alice.certificate().getSubjectX500Principal().getName());
    assertThat((String) identity.claim("x5t#S256").orElseThrow()).matches("[A-Za-z0-9_-]{43}");
  }

  @Test
  void treatsANullMappingResultAsABug() {
    Authenticator broken = ClientCertificateAuthenticator.builder().mapping(cert -> null).build();

    assertThatThrownBy(() -> authenticate(broken, alice)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalStateException.class);
  }
}
