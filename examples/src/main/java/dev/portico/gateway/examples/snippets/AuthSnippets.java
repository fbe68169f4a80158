package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.Filter;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.UpstreamTls;
import dev.portico.gateway.auth.AccessRule;
import dev.portico.gateway.auth.ApiKeyRecord;
import dev.portico.gateway.auth.ApiKeyStore;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.Challenge;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.auth.apikey.ApiKeyAuthenticator;
import dev.portico.gateway.auth.apikey.InMemoryApiKeyStore;
import dev.portico.gateway.auth.basic.BasicAuthenticator;
import dev.portico.gateway.auth.basic.Pbkdf2CredentialStore;
import dev.portico.gateway.auth.introspection.IntrospectionAuthenticator;
import dev.portico.gateway.auth.mtls.ClientCertificateAuthenticator;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** The Java code of {@code src/site/markdown/authentication.md}, section by section. */
public final class AuthSnippets {
  private AuthSnippets() {}

  static Gateway defaultsAndOverrides(Authenticator tokens, Authenticator apiKeys) {
    // tag::defaults[]
    Gateway gateway = Gateway.builder()
        .authenticator(tokens)                                  // every route, unless it says otherwise
        .route("orders", r -> r
            .path("/api/orders/**")
            .authorize(AccessRule.scopes("orders:read"))        // after authentication: 403 if denied
            .upstream("http://orders:8080"))
        .route("batch", r -> r
            .path("/api/batch/**")
            .authenticator(apiKeys)                             // replaces the gateway's default
            .upstream("http://batch:8080"))
        .route("health", r -> r
            .path("/health")
            .permitAll()                                        // anonymous, said out loud
            .upstream("http://orders:8080"))
        .build();
    // end::defaults[]
    return gateway;
  }

  static ApiKeyAuthenticator apiKeys() {
    // tag::api-keys[]
    // Once, when issuing a key: give `key` to the client, keep only `hash` in configuration.
    String key = InMemoryApiKeyStore.generateKey();             // 256 random bits, base64url
    String hash = InMemoryApiKeyStore.sha256Hex(key);

    InMemoryApiKeyStore store = InMemoryApiKeyStore.builder()
        .hashedKey(hash, ApiKeyRecord.of("billing-service", Set.of("invoices:read")).withPlan("gold"))
        .build();

    ApiKeyAuthenticator apiKeys = ApiKeyAuthenticator.builder(store)
        .header("X-Api-Key")                                    // the default
        .queryParameter("api_key")                              // optional; off by default
        .realm("billing")
        .build();
    // end::api-keys[]
    return apiKeys;
  }

  /** A stand-in for a database or key service with a non-blocking client. */
  interface KeyService {
    CompletionStage<Optional<Map<String, String>>> findBySha256(String sha256Hex);
  }

  static ApiKeyStore customKeyStore(KeyService keyService) {
    // tag::api-key-store[]
    ApiKeyStore fromService = key -> keyService
        .findBySha256(InMemoryApiKeyStore.sha256Hex(key))      // never send or log the key itself
        .thenApply(row -> row.map(r -> ApiKeyRecord.of(r.get("owner"), Set.of(r.get("scopes").split(" ")))
            .withPlan(r.get("plan"))));
    // end::api-key-store[]
    return fromService;
  }

  static String hashPassword(char[] password) {
    // tag::basic-hash[]
    String stored = Pbkdf2CredentialStore.hash(password);      // pbkdf2-sha256$600000$<salt>$<hash>
    // end::basic-hash[]
    return stored;
  }

  static BasicAuthenticator basic(String aliceHash, String bobHash) {
    // tag::basic[]
    Pbkdf2CredentialStore users = Pbkdf2CredentialStore.builder()
        .user("alice", aliceHash, Set.of("admin"))
        .user("bob", bobHash)
        .executor(Executors.newFixedThreadPool(2))             // optional: size the hashing pool yourself
        .build();

    BasicAuthenticator basic = BasicAuthenticator.of("admin console", users);
    // end::basic[]
    return basic;
  }

  static IntrospectionAuthenticator introspection(KeyStore idpTrustStore) {
    // tag::introspection[]
    IntrospectionAuthenticator introspection = IntrospectionAuthenticator
        .builder("https://idp.example.com/oauth2/introspect")
        .clientCredentials("portico-gateway", System.getenv("INTROSPECTION_SECRET"))
        .audience("orders-api")                                 // optional: aud must contain it
        .issuer("https://idp.example.com")                      // optional: iss must equal it
        .cacheTtl(Duration.ofMinutes(2))                        // active tokens: min(exp, 2 min)
        .negativeCacheTtl(Duration.ofSeconds(10))               // inactive tokens
        .cacheSize(50_000)
        .timeout(Duration.ofSeconds(2))
        .tls(UpstreamTls.builder().trustStore(idpTrustStore).build())
        .build();

    Gateway gateway = Gateway.builder().authenticator(introspection)
        .route("orders", r -> r.path("/api/orders/**").upstream("http://orders:8080"))
        .build();
    // ... and when the host shuts down:
    introspection.close();
    // end::introspection[]
    return introspection;
  }

  static Server mtlsHost(Gateway gateway, KeyStore serverKeys, String keyPassword, KeyStore clientCas) throws Exception {
    // tag::mtls-host[]
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStore(serverKeys);
    tls.setKeyStorePassword(keyPassword);
    tls.setTrustStore(clientCas);                               // the CAs that issue client certificates
    tls.setNeedClientAuth(true);                                // or setWantClientAuth(true) to allow others

    HttpConfiguration https = new HttpConfiguration();
    https.addCustomizer(new SecureRequestCustomizer());        // exposes the verified chain to the gateway

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server,
        new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(https));
    connector.setPort(8443);
    server.addConnector(connector);
    server.setHandler(JettyGatewayHandler.create(gateway));
    // end::mtls-host[]
    return server;
  }

  static Authenticator mtls(Map<String, Identity> registeredSubjects) {
    // tag::mtls[]
    // Subject from the certificate's CN (the default):
    ClientCertificateAuthenticator byCommonName = ClientCertificateAuthenticator.commonName();

    // Subject from its one URI subject alternative name, such as a SPIFFE id:
    ClientCertificateAuthenticator bySpiffeId = ClientCertificateAuthenticator.builder()
        .subjectAlternativeName(ClientCertificateAuthenticator.SanType.URI)
        .build();

    // Your own mapping: only registered subjects get in, with the roles you keep for them.
    ClientCertificateAuthenticator registered = ClientCertificateAuthenticator.builder()
        .mapping(certificate -> Optional.ofNullable(
            registeredSubjects.get(certificate.getSubjectX500Principal().getName())))
        .build();
    // end::mtls[]
    return byCommonName.orElse(bySpiffeId).orElse(registered);
  }

  // tag::custom[]
  /** Trusts the identity a sidecar proxy put in X-Verified-User, after checking a shared secret. */
  static final class SidecarAuthenticator implements Authenticator {
    private static final Challenge CHALLENGE = new Challenge("Sidecar", "internal", null, null);
    private final byte[] secret;

    SidecarAuthenticator(byte[] secret) {
      this.secret = secret.clone();
    }

    @Override
    public CompletionStage<AuthResult> authenticate(Exchange exchange) {
      Optional<String> user = exchange.request().headers().first("X-Verified-User");
      Optional<String> proof = exchange.request().headers().first("X-Sidecar-Secret");
      if (user.isEmpty()) {
        return CompletableFuture.completedFuture(AuthResult.noCredentials(CHALLENGE));   // let orElse try
      }
      if (proof.isEmpty() || !java.security.MessageDigest.isEqual(
          proof.get().getBytes(java.nio.charset.StandardCharsets.UTF_8), secret)) {
        return CompletableFuture.completedFuture(AuthResult.rejected(                      // 401 at once
            CHALLENGE.withError("invalid_token", "The sidecar proof is missing or wrong.")));
      }
      Identity identity = Identity.builder(user.get()).method("sidecar").build();
      return CompletableFuture.completedFuture(AuthResult.authenticated(identity));
    }

    @Override
    public Set<String> credentialHeaders() {                    // removed by stripCredentials()
      return Set.of("X-Verified-User", "X-Sidecar-Secret");
    }
  }
  // end::custom[]

  static Authenticator chain(Authenticator jwt, ApiKeyAuthenticator apiKeys, BasicAuthenticator basic) {
    // tag::or-else[]
    Authenticator any = jwt                // a bearer token,
        .orElse(apiKeys)                   // else an API key,
        .orElse(basic);                    // else a user name and password
    // end::or-else[]
    return any;
  }

  static Gateway rules(Authenticator authenticator) {
    // tag::rules[]
    Gateway gateway = Gateway.builder()
        .authenticator(authenticator)
        .route("orders-read", r -> r
            .path("/api/orders/**").methods("GET")
            .authorize(AccessRule.anyScope("orders:read", "orders:admin"))
            .upstream("http://orders:8080"))
        .route("orders-write", r -> r
            .path("/api/orders/**").methods("POST", "PUT", "DELETE")
            .authorize(AccessRule.scopes("orders:write"))                       // all of these
            .authorize(AccessRule.claimEquals("tenant", "acme")                  // and, as well,
                .or(AccessRule.anyRole("support", "admin")))                     // this or that
            .upstream("http://orders:8080"))
        .route("reports", r -> r
            .path("/api/reports/**")
            .authorize(AccessRule.claimContains("groups", "finance")
                .and(AccessRule.that(id -> id.method().equals("jwt"), "Reports need a user token.")))
            .upstream("http://reports:8080"))
        .build();
    // end::rules[]
    return gateway;
  }

  static Gateway forwarding(Authenticator authenticator) {
    // tag::forwarding[]
    Gateway gateway = Gateway.builder()
        .authenticator(authenticator)
        .route("legacy", r -> r                                 // default: credentials go along as sent
            .path("/legacy/**").upstream("http://legacy:8080"))
        .route("orders", r -> r                                 // no credentials, X-Auth-* headers instead
            .path("/api/orders/**").upstream("http://orders:8080")
            .identityForwarding(IdentityForwarding.headersOnly()))
        .route("billing", r -> r                                // pick and choose
            .path("/api/billing/**").upstream("http://billing:8080")
            .identityForwarding(IdentityForwarding.builder()
                .stripCredentials()
                .stripHeader("X-Debug-Token")
                .subjectHeader("X-User")
                .scopesHeader("X-Scopes")
                .build()))
        .build();
    // end::forwarding[]
    return gateway;
  }

  static Gateway clientHeaders(Filter internalUser) {
    // tag::client-headers[]
    Gateway gateway = Gateway.builder()
        .keepClientHeaders("X-HTTP-Method-Override")   // your upstream really reads it
        .stripClientHeaders("X-Internal-User")         // your own filter sets it, your upstreams trust it
        .route("admin", r -> r
            .path("/admin/**").upstream("http://admin:8080")
            .filter(internalUser))
        .build();
    // end::client-headers[]
    return gateway;
  }
}
