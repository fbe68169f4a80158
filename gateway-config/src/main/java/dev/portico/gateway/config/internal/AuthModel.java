package dev.portico.gateway.config.internal;

import dev.portico.gateway.IpRange;
import dev.portico.gateway.IpRules;
import dev.portico.gateway.UpstreamTls;
import dev.portico.gateway.auth.AccessRule;
import dev.portico.gateway.auth.ApiKeyRecord;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.auth.apikey.ApiKeyAuthenticator;
import dev.portico.gateway.auth.apikey.InMemoryApiKeyStore;
import dev.portico.gateway.auth.basic.BasicAuthenticator;
import dev.portico.gateway.auth.basic.Pbkdf2CredentialStore;
import dev.portico.gateway.auth.introspection.IntrospectionAuthenticator;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.auth.mtls.ClientCertificateAuthenticator;
import dev.portico.gateway.cors.CorsPolicy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The keys of authenticators, access rules, identity forwarding and CORS. Not public API. */
final class AuthModel {
  private AuthModel() {}

  static final Spec<JwtAuthenticator.Builder> JWT = Spec.<JwtAuthenticator.Builder>of("jwt",
          "Bearer JSON Web Tokens, verified against a JWKS URI, a JWK set or an HMAC secret.")
      .key("jwksUri", Type.STRING, "Where the signing keys are published.", (b, v) -> b.jwksUri(v.text()))
      .key("jwkSet", Type.STRING, "The signing keys as a JWK set (JSON text; use ${file:...}).", (b, v) -> b.jwkSet(v.text()))
      .key("hmacSecret", Type.STRING, "An HMAC secret (UTF-8; use ${env:...} or ${file:...}).",
          (b, v) -> b.hmacSecret(v.text().getBytes(StandardCharsets.UTF_8)))
      .key("issuer", Type.STRING, "The required iss claim.", (b, v) -> b.issuer(v.text()))
      .key("audience", Type.STRINGS, "Accepted aud values.", (b, v) -> b.audience(v.stringArray()))
      .key("algorithms", Type.STRINGS, "Accepted signature algorithms.", (b, v) -> b.algorithms(v.stringArray()))
      .key("clockSkew", Type.DURATION, "Tolerated clock difference.", (b, v) -> b.clockSkew(v.duration()))
      .key("requiredClaims", Type.STRINGS, "Claims every token must have.", (b, v) -> b.requiredClaims(v.stringArray()))
      .key("requireSubject", Type.BOOLEAN, "true", "Whether tokens need a sub claim.", (b, v) -> b.requireSubject(v.bool()))
      .key("rolesClaim", Type.STRING, "The claim (dotted path) holding roles.", (b, v) -> b.rolesClaim(v.text()))
      .key("planClaim", Type.STRING, "The claim (dotted path) holding the plan.", (b, v) -> b.planClaim(v.text()))
      .key("tokenFromHeader", Type.STRING, "Authorization", "Read the token from this header instead.",
          (b, v) -> b.tokenFromHeader(v.text()))
      .key("tokenFromCookie", Type.STRING, "Read the token from this cookie instead.", (b, v) -> b.tokenFromCookie(v.text()))
      .key("maxTokenSize", Type.INTEGER, "The longest token accepted, in characters.", (b, v) -> b.maxTokenSize(v.integer()))
      .key("realm", Type.STRING, "The realm in the WWW-Authenticate challenge.", (b, v) -> b.realm(v.text()))
      .key("cacheTtl", Type.DURATION, "How long fetched keys are kept.", (b, v) -> b.cacheTtl(v.duration()))
      .key("minRefreshInterval", Type.DURATION, "The least time between key fetches.",
          (b, v) -> b.minRefreshInterval(v.duration()))
      .key("outageGrace", Type.DURATION, "How long stale keys are used while the JWKS URI is down.",
          (b, v) -> b.outageGrace(v.duration()))
      .key("fetchTimeout", Type.DURATION, "How long a key fetch may take.", (b, v) -> b.fetchTimeout(v.duration()))
      .key("tokenCacheSize", Type.INTEGER, "Verified tokens remembered.", (b, v) -> b.tokenCacheSize(v.integer()));

  static final Spec<Object[]> API_KEY_ENTRY = Spec.<Object[]>of("apiKeyEntry",
          "One API key: the key (or its SHA-256) and whom it identifies.")
      .key("key", Type.STRING, "The key itself (use ${env:...} or ${file:...}); or give sha256.", (d, v) -> d[0] = v.text())
      .key("sha256", Type.STRING, "The key's SHA-256, in hex.", (d, v) -> d[1] = v.text())
      .required("principal", Type.STRING, "Whom the key identifies.", (d, v) -> d[2] = v.text())
      .key("scopes", Type.STRINGS, "The key's scopes.", (d, v) -> d[3] = v.strings())
      .key("plan", Type.STRING, "The key's plan, for plan-based limits.", (d, v) -> d[4] = v.text());

  static final class ApiKeyDraft {
    final InMemoryApiKeyStore.Builder store = InMemoryApiKeyStore.builder();
    final List<java.util.function.Consumer<ApiKeyAuthenticator.Builder>> options = new ArrayList<>();
  }

  static final Spec<ApiKeyDraft> API_KEY = Spec.<ApiKeyDraft>of("apiKey", "API keys from a header or a query parameter.")
      .required("keys", Type.list(Type.object(API_KEY_ENTRY)), "The accepted keys.", (d, v) -> {
        for (Value item : v.items()) {
          Object[] e = new Object[5];
          item.bind(API_KEY_ENTRY, e);
          if ((e[0] == null) == (e[1] == null)) {
            throw item.fail("give key or sha256 (exactly one)");
          }
          @SuppressWarnings("unchecked")
          List<String> scopes = e[3] == null ? List.of() : (List<String>) e[3];
          ApiKeyRecord record = ApiKeyRecord.of((String) e[2], scopes);
          if (e[4] != null) {
            record = record.withPlan((String) e[4]);
          }
          try {
            if (e[0] != null) {
              d.store.key((String) e[0], record);
            } else {
              d.store.hashedKey((String) e[1], record);
            }
          } catch (IllegalArgumentException x) {
            throw item.fail(x.getMessage());
          }
        }
      })
      .key("header", Type.STRING, "X-Api-Key", "The header carrying the key.", (d, v) -> d.options.add(b -> b.header(v.text())))
      .key("queryParameter", Type.STRING, "Also accept the key in this query parameter.",
          (d, v) -> d.options.add(b -> b.queryParameter(v.text())))
      .key("realm", Type.STRING, "api", "The realm in the challenge.", (d, v) -> d.options.add(b -> b.realm(v.text())));

  static final Spec<Object[]> USER = Spec.<Object[]>of("user", "One user and the PBKDF2 hash of their password.")
      .required("name", Type.STRING, "The user name.", (d, v) -> d[0] = v.text())
      .required("hash", Type.STRING, "The stored hash (Pbkdf2CredentialStore.hash); use ${file:...}.", (d, v) -> d[1] = v.text())
      .key("roles", Type.STRINGS, "The user's roles.", (d, v) -> d[2] = v.strings());

  static final class BasicDraft {
    String realm = "api";
    final Pbkdf2CredentialStore.Builder store = Pbkdf2CredentialStore.builder();
  }

  static final Spec<BasicDraft> BASIC = Spec.<BasicDraft>of("basic", "HTTP Basic authentication against PBKDF2 hashes.")
      .required("users", Type.list(Type.object(USER)), "The users.", (d, v) -> {
        for (Value item : v.items()) {
          Object[] u = new Object[3];
          item.bind(USER, u);
          @SuppressWarnings("unchecked")
          List<String> roles = u[2] == null ? List.of() : (List<String>) u[2];
          try {
            d.store.user((String) u[0], (String) u[1], roles);
          } catch (IllegalArgumentException x) {
            throw item.fail(x.getMessage());
          }
        }
      })
      .key("realm", Type.STRING, "api", "The realm in the challenge.", (d, v) -> d.realm = v.text());

  static final class IntrospectionDraft {
    IntrospectionAuthenticator.Builder builder;
    String clientId;
    String clientSecret;
  }

  static final Spec<IntrospectionDraft> INTROSPECTION = Spec.<IntrospectionDraft>of("introspection",
          "Opaque tokens checked at an OAuth 2.0 introspection endpoint (RFC 7662).")
      .required("endpoint", Type.STRING, "The introspection endpoint's URI.",
          (d, v) -> d.builder = IntrospectionAuthenticator.builder(v.text()))
      .key("clientId", Type.STRING, "The gateway's client id at the endpoint.", (d, v) -> d.clientId = v.text())
      .key("clientSecret", Type.STRING, "Its secret (use ${env:...} or ${file:...}).", (d, v) -> d.clientSecret = v.text())
      .key("realm", Type.STRING, "The realm in the challenge.", (d, v) -> d.builder.realm(v.text()))
      .key("audience", Type.STRING, "The required audience.", (d, v) -> d.builder.audience(v.text()))
      .key("issuer", Type.STRING, "The required issuer.", (d, v) -> d.builder.issuer(v.text()))
      .key("cacheTtl", Type.DURATION, "How long an active answer is kept.", (d, v) -> d.builder.cacheTtl(v.duration()))
      .key("negativeCacheTtl", Type.DURATION, "How long an inactive answer is kept.",
          (d, v) -> d.builder.negativeCacheTtl(v.duration()))
      .key("cacheSize", Type.INTEGER, "Answers kept.", (d, v) -> d.builder.cacheSize(v.integer()))
      .key("timeout", Type.DURATION, "How long a call may take.", (d, v) -> d.builder.timeout(v.duration()))
      .key("maxResponseBytes", Type.INTEGER, "The largest answer read.", (d, v) -> d.builder.maxResponseBytes(v.integer()))
      .key("tls", Type.object(UpstreamModel.TLS), "TLS to the endpoint.",
          (d, v) -> d.builder.tls(v.build(UpstreamModel.TLS, UpstreamTls.builder(), UpstreamTls.Builder::build)));

  static final Spec<ClientCertificateAuthenticator.Builder> CLIENT_CERTIFICATE =
      Spec.<ClientCertificateAuthenticator.Builder>of("clientCertificate",
              "The TLS client certificate the server verified (mutual TLS).")
          .key("subject", Type.oneWordOf("commonName", "DNS", "URI", "EMAIL"), "commonName",
              "Where the subject comes from: the common name or a subject alternative name.", (b, v) -> {
                if (v.text().equals("commonName")) {
                  b.commonName();
                } else {
                  b.subjectAlternativeName(ClientCertificateAuthenticator.SanType.valueOf(v.text()));
                }
              })
          .key("realm", Type.STRING, "The realm in the challenge.", (b, v) -> b.realm(v.text()));

  static final Spec<Authenticator[]> AUTHENTICATOR = Spec.<Authenticator[]>of("authenticator",
          "A named authenticator, of one of these kinds.")
      .key("jwt", Type.object(JWT), "JSON Web Tokens.",
          (a, v) -> a[0] = v.build(JWT, JwtAuthenticator.builder(), JwtAuthenticator.Builder::build))
      .key("apiKey", Type.object(API_KEY), "API keys.", (a, v) -> {
        ApiKeyDraft d = new ApiKeyDraft();
        v.bind(API_KEY, d);
        ApiKeyAuthenticator.Builder b = ApiKeyAuthenticator.builder(d.store.build());
        d.options.forEach(o -> o.accept(b));
        a[0] = b.build();
      })
      .key("basic", Type.object(BASIC), "HTTP Basic.", (a, v) -> {
        BasicDraft d = new BasicDraft();
        v.bind(BASIC, d);
        a[0] = BasicAuthenticator.of(d.realm, d.store.build());
      })
      .key("introspection", Type.object(INTROSPECTION), "OAuth 2.0 token introspection.", (a, v) -> {
        IntrospectionDraft d = new IntrospectionDraft();
        v.bind(INTROSPECTION, d);
        if ((d.clientId == null) != (d.clientSecret == null)) {
          throw v.fail("clientId and clientSecret go together");
        }
        if (d.clientId != null) {
          d.builder.clientCredentials(d.clientId, d.clientSecret);
        }
        a[0] = d.builder.build();
      })
      .key("clientCertificate", Type.object(CLIENT_CERTIFICATE), "Mutual TLS client certificates.",
          (a, v) -> a[0] = v.build(CLIENT_CERTIFICATE, ClientCertificateAuthenticator.builder(),
              ClientCertificateAuthenticator.Builder::build))
      .exactlyOne();

  static final Spec<List<AccessRule>> ACCESS_RULE = Spec.<List<AccessRule>>of("accessRule",
          "Conditions on the identity; every key given must hold.")
      .key("authenticated", Type.BOOLEAN, "Any authenticated identity (true).", (r, v) -> {
        if (!v.bool()) {
          throw new Value.Invalid("only true means something here (leave the rule out instead)");
        }
        r.add(AccessRule.authenticated());
      })
      .key("scopes", Type.STRINGS, "All of these scopes.", (r, v) -> r.add(AccessRule.scopes(v.stringArray())))
      .key("anyScope", Type.STRINGS, "At least one of these scopes.", (r, v) -> r.add(AccessRule.anyScope(v.stringArray())))
      .key("roles", Type.STRINGS, "All of these roles.", (r, v) -> r.add(AccessRule.roles(v.stringArray())))
      .key("anyRole", Type.STRINGS, "At least one of these roles.", (r, v) -> r.add(AccessRule.anyRole(v.stringArray())))
      .key("claimEquals", Type.map(Type.STRING), "Claims with these exact string values.", (r, v) -> {
        for (var e : v.entries().entrySet()) {
          r.add(AccessRule.claimEquals(e.getKey(), e.getValue().text()));
        }
      })
      .key("claimContains", Type.map(Type.STRING), "Array claims containing these values.", (r, v) -> {
        for (var e : v.entries().entrySet()) {
          r.add(AccessRule.claimContains(e.getKey(), e.getValue().text()));
        }
      });

  static final Spec<IdentityForwarding.Builder> IDENTITY = Spec.<IdentityForwarding.Builder>of("identityForwarding",
          "What the upstream learns of the identity, and which credentials it no longer sees.")
      .key("stripCredentials", Type.BOOLEAN, "false", "Remove Authorization and the authenticator's credential headers.",
          (b, v) -> {
            if (v.bool()) {
              b.stripCredentials();
            }
          })
      .key("stripHeaders", Type.STRINGS, "Also remove these headers.", (b, v) -> v.strings().forEach(b::stripHeader))
      .key("subjectHeader", Type.STRING, "Header carrying the subject.", (b, v) -> b.subjectHeader(v.text()))
      .key("scopesHeader", Type.STRING, "Header carrying the scopes.", (b, v) -> b.scopesHeader(v.text()))
      .key("issuerHeader", Type.STRING, "Header carrying the issuer.", (b, v) -> b.issuerHeader(v.text()))
      .key("methodHeader", Type.STRING, "Header carrying the authentication method.", (b, v) -> b.methodHeader(v.text()));

  static final Spec<CorsPolicy.Builder> CORS = Spec.<CorsPolicy.Builder>of("cors", "What browsers may do across origins.")
      .key("allowOrigins", Type.STRINGS, "Origins allowed (https://app.example.com).",
          (b, v) -> b.allowOrigins(v.stringArray()))
      .key("allowAnyOrigin", Type.BOOLEAN, "false", "Allow every origin (not with credentials).", (b, v) -> {
        if (v.bool()) {
          b.allowAnyOrigin();
        }
      })
      .key("allowMethods", Type.STRINGS, "Methods allowed.", (b, v) -> b.allowMethods(v.stringArray()))
      .key("allowHeaders", Type.STRINGS, "Request headers allowed.", (b, v) -> b.allowHeaders(v.stringArray()))
      .key("exposeHeaders", Type.STRINGS, "Response headers scripts may read.", (b, v) -> b.exposeHeaders(v.stringArray()))
      .key("allowCredentials", Type.BOOLEAN, "false", "Allow cookies and credentials.", (b, v) -> {
        if (v.bool()) {
          b.allowCredentials();
        }
      })
      .key("maxAge", Type.DURATION, "How long browsers may cache a preflight answer.", (b, v) -> b.maxAge(v.duration()));

  /** Client address rules: each block is checked where it is written, so an error names its item. */
  static final Spec<IpRules.Builder> IP_RULES = Spec.<IpRules.Builder>of("ipRules",
          "Which client addresses may pass (the address the gateway computes, trusted proxies honoured): deny wins;"
              + " with an allow list, only its addresses pass. Refusals are 403 ip-refused.")
      .key("allow", Type.STRINGS, "CIDR blocks or addresses allowed (10.0.0.0/8, 2001:db8::/32, 127.0.0.1).",
          (b, v) -> b.allow(cidrs(v)))
      .key("deny", Type.STRINGS, "CIDR blocks or addresses refused, even when an allowed block holds them.",
          (b, v) -> b.deny(cidrs(v)));

  private static String[] cidrs(Value v) {
    List<String> out = new ArrayList<>();
    for (Value item : v.items()) {
      try {
        out.add(IpRange.parse(item.text().trim()).toString());
      } catch (IllegalArgumentException e) {
        throw item.fail(e.getMessage());
      }
    }
    return out.toArray(String[]::new);
  }
}
