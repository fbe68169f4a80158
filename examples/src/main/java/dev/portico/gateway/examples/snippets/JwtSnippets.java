package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.AccessRule;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The authentication page, JWT sections: bearer tokens, discovery, key sets. */
final class JwtSnippets {
  private JwtSnippets() {}

  static Gateway jwksUri() {
    // tag::jwks-uri[]
    JwtAuthenticator jwt = JwtAuthenticator.builder()
        .jwksUri("https://idp.example.com/oauth2/jwks")   // where the signing keys are published
        .issuer("https://idp.example.com")                // iss must be exactly this
        .audience("orders-api")                           // aud must contain one of these
        .build();                                         // validates; no I/O yet

    Gateway gateway = Gateway.builder()
        .route("orders", r -> r
            .path("/api/orders/**")
            .authenticator(jwt)
            .authorize(AccessRule.scopes("orders:read"))  // 403 insufficient_scope without it
            .identityForwarding(IdentityForwarding.headersOnly())
            .upstream("http://orders:8080"))
        .build();
    // end::jwks-uri[]
    return gateway;
  }

  static JwtAuthenticator options() {
    // tag::options[]
    JwtAuthenticator jwt = JwtAuthenticator.builder()
        .jwksUri("https://idp.example.com/oauth2/jwks")
        .issuer("https://idp.example.com")
        .audience("orders-api", "https://api.example.com")
        .algorithms("RS256", "PS256", "ES256")            // replaces the default RS256, ES256, EdDSA
        .clockSkew(Duration.ofSeconds(30))                // default 60 s, at most 5 minutes
        .requiredClaims("tenant")                         // present and not null
        .rolesClaim("realm_access.roles")                 // a dot path into nested objects
        .planClaim("billing.plan")                        // Identity.plan(), for rate limiting
        .realm("orders")                                  // WWW-Authenticate: Bearer realm="orders"
        .build();
    // end::options[]
    return jwt;
  }

  static JwtAuthenticator[] otherKeySources(String jwkSetJson, String secret) {
    // tag::key-sources[]
    // Keys given in configuration: a JWK set (public keys only) ...
    JwtAuthenticator local = JwtAuthenticator.builder()
        .jwkSet(jwkSetJson)
        .issuer("https://idp.example.com")
        .audience("orders-api")
        .build();

    // ... or a shared secret of at least 32 bytes, for HS256 tokens only.
    JwtAuthenticator shared = JwtAuthenticator.builder()
        .hmacSecret(secret.getBytes(StandardCharsets.UTF_8))
        .issuer("billing-service")
        .audience("orders-api")
        .build();
    // end::key-sources[]
    return new JwtAuthenticator[] {local, shared};
  }

  static JwtAuthenticator[] tokenLocations() {
    // tag::token-location[]
    // From a cookie, for browser sessions ...
    JwtAuthenticator fromCookie = JwtAuthenticator.builder()
        .issuer("https://idp.example.com")
        .audience("orders-api")
        .tokenFromCookie("access_token")
        .build();

    // ... or from a header of its own that carries the bare token.
    JwtAuthenticator fromHeader = JwtAuthenticator.builder()
        .issuer("https://idp.example.com")
        .audience("orders-api")
        .tokenFromHeader("X-Access-Token")
        .maxTokenSize(4 * 1024)                           // refused before parsing; default 8 KiB
        .build();
    // end::token-location[]
    return new JwtAuthenticator[] {fromCookie, fromHeader};
  }

  static JwtAuthenticator machineClients() {
    // tag::machine-clients[]
    // Client-credentials tokens without sub: the subject is client_id, else azp.
    JwtAuthenticator jwt = JwtAuthenticator.builder()
        .issuer("https://idp.example.com")
        .audience("orders-api")
        .requireSubject(false)                            // default true: a token without sub is a 401
        .build();
    // end::machine-clients[]
    return jwt;
  }

  static Authenticator chain(JwtAuthenticator jwt, Authenticator apiKeys) {
    // tag::chain[]
    // A bearer token if the request has one, else an API key.
    Authenticator either = jwt.orElse(apiKeys);
    // end::chain[]
    return either;
  }

  static JwtAuthenticator discovery() {
    // tag::discovery[]
    // The issuer alone: the keys are found through
    // https://idp.example.com/realms/shop/.well-known/openid-configuration
    JwtAuthenticator jwt = JwtAuthenticator.builder()
        .issuer("https://idp.example.com/realms/shop")
        .audience("orders-api")
        .build();

    // The same, as a one-liner.
    JwtAuthenticator same = JwtAuthenticator.forIssuer("https://idp.example.com/realms/shop", "orders-api");
    // end::discovery[]
    same.close();
    return jwt;
  }

  static JwtAuthenticator keySetTuning() {
    // tag::key-set-tuning[]
    JwtAuthenticator jwt = JwtAuthenticator.builder()
        .issuer("https://idp.example.com")
        .audience("orders-api")
        .cacheTtl(Duration.ofMinutes(10))                 // refresh in the background after this
        .minRefreshInterval(Duration.ofSeconds(30))       // at most one fetch per interval for unknown kids
        .outageGrace(Duration.ofHours(12))                // last good keys serve this long while fetches fail
        .fetchTimeout(Duration.ofSeconds(3))              // per discovery or key set request
        .tokenCacheSize(50_000)                           // verified tokens remembered; 0 turns it off
        .build();
    // end::key-set-tuning[]
    return jwt;
  }

  static void lifecycle() {
    // tag::lifecycle[]
    JwtAuthenticator jwt = JwtAuthenticator.forIssuer("https://idp.example.com", "orders-api");
    try {
      // ... build the gateway with .authenticator(jwt), mount it, serve ...
    } finally {
      jwt.close();                                        // stops the key set client's threads
    }
    // end::lifecycle[]
  }
}
