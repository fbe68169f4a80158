package dev.portico.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.IpRules;
import dev.portico.gateway.UpstreamErrors;
import dev.portico.gateway.WebSocketSettings;
import dev.portico.gateway.auth.AccessRule;
import dev.portico.gateway.auth.ApiKeyRecord;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.auth.apikey.ApiKeyAuthenticator;
import dev.portico.gateway.auth.apikey.InMemoryApiKeyStore;
import dev.portico.gateway.auth.basic.BasicAuthenticator;
import dev.portico.gateway.auth.basic.Pbkdf2CredentialStore;
import dev.portico.gateway.auth.introspection.IntrospectionAuthenticator;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.auth.mtls.ClientCertificateAuthenticator;
import dev.portico.gateway.observe.json.JsonAccessLog;
import dev.portico.gateway.ratelimit.ConcurrencyLimit;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.RateLimitHeaders;
import dev.portico.gateway.ratelimit.RequestCost;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.ratelimit.bucket4j.MissingKey;
import dev.portico.gateway.ratelimit.bucket4j.Quota;
import dev.portico.gateway.ratelimit.bucket4j.Refill;
import dev.portico.gateway.transform.JsonTransform;
import dev.portico.gateway.upstream.CircuitBreakerSettings;
import dev.portico.gateway.upstream.HashKey;
import dev.portico.gateway.upstream.HealthCheck;
import dev.portico.gateway.upstream.LoadBalancing;
import dev.portico.gateway.upstream.OutlierDetection;
import dev.portico.gateway.upstream.RetryPolicy;
import dev.portico.gateway.upstream.UpstreamGroup;
import dev.portico.gateway.upstream.UpstreamProtocol;
import dev.portico.gateway.validation.JsonSchema;
import dev.portico.gateway.Upstream;
import dev.portico.gateway.UpstreamTls;
import dev.portico.gateway.ratelimit.redis.RedisRateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each example file and the Java builder code that says the same make gateways that render alike
 * ({@link GatewayView}: every public accessor, and the engine's view of each route's policies).
 */
class RoundTripTest {
  private static final String ALICE_HASH = Pbkdf2CredentialStore.hash("secret".toCharArray(), 1000);
  private static final Map<String, String> ENV = Map.of("JWT_SECRET", "0123456789abcdef0123456789abcdef",
      "PARTNER_KEY", "partner-key-0123456789", "ALICE_HASH", ALICE_HASH);
  private static final GatewayConfig CONFIG = GatewayConfig.builder().environment(ENV::get).build();

  private static Gateway file(String name) {
    return CONFIG.read(Path.of("src/test/resources/examples", name));
  }

  @Test
  void routesPredicatesRewritesAndTimeoutsMatchTheBuilder() {
    Gateway java = Gateway.builder()
        .requestIdHeader("X-Correlation-Id")
        .trustedProxies("10.0.0.0/8", "127.0.0.1")
        .keepClientHeaders("X-HTTP-Method-Override")
        .stripClientHeaders("X-Internal-User")
        .upstreamErrors(UpstreamErrors.REPLACE)
        .ipRules(IpRules.deny("203.0.113.0/24"))
        .route("orders", r -> r.path("/api/orders/{id}").methods("GET", "PUT")
            .hosts("api.example.com", "*.example.org")
            .header("X-Tenant", "acme").header("X-Debug")
            .queryParam("version", "2").queryParam("trace")
            .upstream("http://orders.internal:8080/v1")
            .rewritePath("/orders/{id}")
            .preserveHost()
            .connectTimeout(Duration.ofSeconds(2)).responseTimeout(Duration.ofSeconds(5))
            .idleTimeout(Duration.ofSeconds(30)).requestBodyTimeout(Duration.ofMinutes(1))
            .maxRequestBodySize(1048576)
            .upstreamErrors(UpstreamErrors.PASS_THROUGH)
            .ipRules(ip -> ip.allow("10.0.0.0/8", "2001:db8::/32").deny("10.66.0.0/16")))
        .route("static", r -> r.path("/static/**").upstream("http://cdn.internal").stripPrefix(1).methodOverride("GET"))
        .route("legacy", r -> r.pathRegex("^/legacy/(?<rest>.*)$").upstream("http://legacy.internal:9000"))
        .route("chat", r -> r.path("/chat").upstream("http://chat.internal")
            .websocket(WebSocketSettings.defaults().withIdleTimeout(Duration.ofMinutes(5)).withMaxMessageSize(65536)))
        .route("events", r -> r.path("/events").upstream("http://events.internal").websocket())
        .build();
    assertThat(GatewayView.of(file("routing.yaml"))).isEqualTo(GatewayView.of(java));
  }

  @Test
  void routeDefaultsOptOutsAndMethodPoliciesMatchTheBuilder() {
    BasicAuthenticator people = BasicAuthenticator.of("staff",
        Pbkdf2CredentialStore.builder().user("alice", ALICE_HASH, List.of("admin")).build());
    Bucket4jRateLimiter perClient = Bucket4jRateLimiter.builder().name("perClient").bandwidth(100, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.clientIp()).build();
    Bucket4jRateLimiter writes = Bucket4jRateLimiter.builder().name("writes").bandwidth(10, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.principal()).build();
    Gateway java = Gateway.builder()
        .authenticator(people)
        .routeDefaults(d -> d
            .requestHeaders(h -> h.set("X-Gateway", "portico"))
            .identityForwarding(IdentityForwarding.builder().subjectHeader("X-User").build())
            .cors(c -> c.allowOrigins("https://app.example.com"))
            .rateLimiter(perClient)
            .concurrencyLimit(ConcurrencyLimit.of(50))
            .maxRequestBodySize(65536)
            .validate(v -> v.requireHeaders("X-Tenant"))
            .responseTimeout(Duration.ofSeconds(5))
            .ipRules(IpRules.allow("10.0.0.0/8", "fd00::/8")))
        .route("orders", r -> r.path("/orders/**").upstream("http://orders.internal")
            .authorize(AccessRule.roles("admin"))
            .methodPolicies("POST", m -> m
                .authorize(AccessRule.scopes("orders:write"))
                .validate(v -> v.contentTypes("application/json").jsonSchema(JsonSchema.of("{\"type\": \"object\", \"required\": [\"sku\"]}")))
                .rateLimiter(writes)
                .responseTimeout(Duration.ofSeconds(10)))
            .methodPolicies("GET", m -> m.noValidation()))
        .route("uploads", r -> r.path("/uploads/**").upstream("http://files.internal")
            .requestHeaders(h -> h.set("X-Team", "files"))
            .noRateLimit().noConcurrencyLimit().noMaxRequestBodySize().noValidation().noCors().ipRules(IpRules.none()))
        .route("health", r -> r.path("/health").upstream("http://orders.internal").permitAll())
        .build();
    assertThat(GatewayView.of(file("defaults.yaml"))).isEqualTo(GatewayView.of(java));
  }

  @Test
  void upstreamGroupsBalancingHealthBreakerAndRetriesMatchTheBuilder() {
    Gateway java = Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("users")
            .endpoint("http://users-1.internal:8080").endpoint("http://users-2.internal:8080", 3)
            .loadBalancer(LoadBalancing.leastRequests())
            .healthCheck(HealthCheck.builder("/health").interval(Duration.ofSeconds(5)).timeout(Duration.ofSeconds(1))
                .healthyThreshold(2).unhealthyThreshold(3).expectedStatuses(200, 204).build())
            .outlierDetection(OutlierDetection.builder().consecutiveFailures(7).baseEjectionTime(Duration.ofSeconds(10))
                .maxEjectionTime(Duration.ofMinutes(2)).maxEjectedPercent(50).build())
            .panicMode(false)
            .protocol(UpstreamProtocol.HTTP_2)
            .maxConnectionsPerEndpoint(32)
            .connectionIdleTimeout(Duration.ofSeconds(45))
            .build())
        .upstreamGroup(UpstreamGroup.builder("carts")
            .endpoint("http://carts-1.internal").endpoint("http://carts-2.internal")
            .loadBalancer(LoadBalancing.consistentHash(HashKey.header("X-Session")))
            .outlierDetection(OutlierDetection.disabled())
            .circuitBreaker(CircuitBreakerSettings.builder().failureRateThreshold(40)
                .slowCall(Duration.ofSeconds(2), 80).slidingWindow(50, 10).waitInOpenState(Duration.ofSeconds(20))
                .permittedCallsInHalfOpenState(3).build())
            .build())
        .route("users", r -> r.path("/users/**").upstreamGroup("users")
            .retry(RetryPolicy.builder().maxRetries(2).retryOnStatuses(502, 503).retryNonIdempotent()
                .backoff(Duration.ofMillis(50), Duration.ofSeconds(1)).perTryTimeout(Duration.ofSeconds(2))
                .deadline(Duration.ofSeconds(5)).budget(20, 5).maxReplayBytes(65536).build()))
        .route("carts", r -> r.path("/carts/**").upstreamGroup("carts"))
        .route("checkout", r -> r.path("/checkout/**").split(s -> s.to("users", 90).to("carts", 10)
            .whenHeader("X-Canary", "on", "carts").whenCookie("canary", "yes", "carts")
            .stickyBy(HashKey.cookie("SESSION"))))
        .build();
    assertThat(GatewayView.of(file("upstreams.yaml"))).isEqualTo(GatewayView.of(java));
  }

  @Test
  void authenticatorsAccessRulesIdentityForwardingAndCorsMatchTheBuilder() {
    JwtAuthenticator tokens = JwtAuthenticator.builder()
        .hmacSecret(ENV.get("JWT_SECRET").getBytes(StandardCharsets.UTF_8))
        .issuer("https://issuer.example.com").audience("orders-api").algorithms("HS256")
        .clockSkew(Duration.ofSeconds(30)).requiredClaims("sub", "exp").requireSubject(true)
        .rolesClaim("realm_access.roles").planClaim("plan").maxTokenSize(8192).realm("orders").tokenCacheSize(1000)
        .build();
    ApiKeyAuthenticator keys = ApiKeyAuthenticator.builder(InMemoryApiKeyStore.builder()
            .key("partner-key-0123456789", ApiKeyRecord.of("partner-1", List.of("orders:read")).withPlan("gold"))
            .hashedKey("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ApiKeyRecord.of("partner-2"))
            .build())
        .header("X-Key").queryParameter("key").realm("partners").build();
    BasicAuthenticator people = BasicAuthenticator.of("staff",
        Pbkdf2CredentialStore.builder().user("alice", ALICE_HASH, List.of("admin")).build());
    IntrospectionAuthenticator opaque = IntrospectionAuthenticator.builder("https://idp.example.com/introspect")
        .clientCredentials("gateway", "dev-secret").cacheTtl(Duration.ofMinutes(1)).negativeCacheTtl(Duration.ofSeconds(10))
        .cacheSize(500).timeout(Duration.ofSeconds(2)).build();
    ClientCertificateAuthenticator machines = ClientCertificateAuthenticator.builder()
        .subjectAlternativeName(ClientCertificateAuthenticator.SanType.URI).realm("mesh").build();
    Gateway java = Gateway.builder()
        .authenticator(tokens)
        .cors(c -> c.allowOrigins("https://app.example.com").allowMethods("GET", "POST")
            .allowHeaders("Content-Type", "Authorization").exposeHeaders("X-Request-Id").allowCredentials()
            .maxAge(Duration.ofMinutes(10)))
        .route("orders", r -> r.path("/orders/**").upstream("http://orders.internal")
            .authorize(AccessRule.scopes("orders:read"))
            .authorize(AccessRule.anyRole("admin", "support")).authorize(AccessRule.claimEquals("tenant", "acme"))
            .authorize(AccessRule.claimContains("groups", "staff"))
            .identityForwarding(IdentityForwarding.builder().stripCredentials().stripHeader("Cookie")
                .subjectHeader("X-User").scopesHeader("X-Scopes").issuerHeader("X-Issuer").methodHeader("X-Auth-Method")
                .build()))
        .route("partners", r -> r.path("/partners/**").upstream("http://partners.internal").authenticator(keys)
            .authorize(AccessRule.authenticated()).authorize(AccessRule.anyScope("orders:read", "orders:write")))
        .route("staff", r -> r.path("/staff/**").upstream("http://staff.internal").authenticator(people)
            .authorize(AccessRule.roles("admin")))
        .route("opaque", r -> r.path("/opaque/**").upstream("http://opaque.internal").authenticator(opaque))
        .route("mesh", r -> r.path("/mesh/**").upstream("http://mesh.internal").authenticator(machines))
        .route("public", r -> r.path("/public/**").upstream("http://public.internal").permitAll()
            .cors(c -> c.allowAnyOrigin()))
        .build();
    assertThat(GatewayView.of(file("security.yaml"))).isEqualTo(GatewayView.of(java));
  }

  @Test
  void headerQueryAndJsonTransformsAndValidationMatchTheBuilder() {
    Gateway java = Gateway.builder()
        .route("orders", r -> r.path("/orders/{id}").upstream("http://orders.internal")
            .requestHeaders(h -> h.stripInternal().remove("X-Debug").rename("X-Old", "X-New").set("X-Order", "{var.id}")
                .add("X-Source", "gateway").append("Via", "portico"))
            .responseHeaders(h -> h.remove("Server").set("Cache-Control", "no-store"))
            .requestQuery(q -> q.remove("debug").set("format", "json").add("source", "gateway"))
            .requestJson(j -> j.remove("/internal").rename("/old", "/new").set("/orderId", "{var.id}").set("/count", 3)
                .set("/flag", true).setJson("/meta", "{\"v\":1}").add("/source", "gateway").addJson("/tags", "[\"a\"]")
                .maxBodySize(65536))
            .responseJson(j -> j.remove("/secret").responseFallback(JsonTransform.ResponseFallback.REJECT))
            .validate(v -> v.requireHeaders("X-Tenant").requireQueryParams("version").contentTypes("application/json")
                .maxBodySize(10000).requireBody().jsonSchema(JsonSchema.of("{\"type\":\"object\",\"required\":[\"item\"]}"))))
        .build();
    assertThat(GatewayView.of(file("transforms.yaml"))).isEqualTo(GatewayView.of(java));
  }

  @Test
  void rateConcurrencyAndSizeLimitsAndTheAccessLogMatchTheBuilder() {
    Bucket4jRateLimiter perClient = Bucket4jRateLimiter.builder().name("perClient")
        .bandwidth(100, Duration.ofMinutes(1)).keyResolver(KeyResolver.clientIp()).build();
    Bucket4jRateLimiter perPlan = Bucket4jRateLimiter.builder().name("perPlan")
        .bandwidth(10, Duration.ofSeconds(1)).bandwidth(1000, Duration.ofHours(1))
        .keyResolver(KeyResolver.composite(KeyResolver.principal(), KeyResolver.route()))
        .refill(Refill.INTERVALLY).initialTokens(5).plan("gold", Quota.of(100, Duration.ofSeconds(1)))
        .missingKey(MissingKey.REFUSE).maxKeys(5000).idleTimeout(Duration.ofMinutes(10)).build();
    Bucket4jRateLimiter uploads = Bucket4jRateLimiter.builder().name("uploads")
        .bandwidth(1048576, Duration.ofMinutes(1)).keyResolver(KeyResolver.header("X-Tenant"))
        .cost(RequestCost.byBodySize(1024)).build();
    Gateway java = Gateway.builder()
        .rateLimiter(perClient)
        .rateLimitHeaders(RateLimitHeaders.IETF_AND_LEGACY)
        .accessLog(JsonAccessLog.builder().fields(JsonAccessLog.Field.TIME, JsonAccessLog.Field.ROUTE,
            JsonAccessLog.Field.METHOD, JsonAccessLog.Field.PATH, JsonAccessLog.Field.STATUS,
            JsonAccessLog.Field.DURATION_MS).logger("access").build())
        .route("orders", r -> r.path("/orders/**").upstream("http://orders.internal").permitAll().rateLimiter(uploads)
            .concurrencyLimit(ConcurrencyLimit.of(20).queue(50, Duration.ofSeconds(2)).perKey(KeyResolver.clientIp()))
            .maxRequestBodySize(2097152))
        .route("reports", r -> r.path("/reports/**").upstream("http://reports.internal")
            .concurrencyLimit(ConcurrencyLimit.of(2)).rateLimiter(perPlan).permitAll())
        .build();
    assertThat(GatewayView.of(file("limits.yaml"))).isEqualTo(GatewayView.of(java));
  }

  @Test
  void upstreamTlsFromKeyStoreFilesMatchesTheBuilder(@TempDir Path dir) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (OutputStream out = Files.newOutputStream(dir.resolve("trust.p12"))) {
      trust.store(out, "changeit".toCharArray());
    }
    Files.writeString(dir.resolve("gateway.yaml"), """
        upstreamGroups:
          secure:
            endpoints: [https://secure-1.internal]
            tls:
              trustStore: {path: trust.p12, password: "${env:TRUST_PASSWORD}"}
              verifyHostname: false
        routes:
          - id: direct
            path: /direct/**
            upstream:
              uri: https://direct.internal
              tls:
                trustStore: {path: trust.p12, password: "${env:TRUST_PASSWORD}", type: PKCS12}
          - id: grouped
            path: /grouped/**
            upstreamGroup: secure
        """);
    Gateway file = GatewayConfig.builder().environment(Map.of("TRUST_PASSWORD", "changeit")::get).build()
        .read(dir.resolve("gateway.yaml"));

    KeyStore loaded = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve("trust.p12"))) {
      loaded.load(in, "changeit".toCharArray());
    }
    Gateway java = Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("secure").endpoint("https://secure-1.internal")
            .tls(UpstreamTls.builder().trustStore(loaded).verifyHostname(false).build()).build())
        .route("direct", r -> r.path("/direct/**")
            .upstream(Upstream.builder("https://direct.internal").tls(UpstreamTls.builder().trustStore(loaded).build()).build()))
        .route("grouped", r -> r.path("/grouped/**").upstreamGroup("secure"))
        .build();
    assertThat(GatewayView.of(file)).isEqualTo(GatewayView.of(java)).contains("trustStore: KeyStore PKCS12");
  }

  @Test
  void aRedisLimiterMatchesTheBuilder() throws Exception {
    // Nothing connects before the first decision, so no Redis server is needed to compare.
    Gateway file = CONFIG.read(new StringReader("""
        limiters:
          shared:
            store: redis
            limit: 100
            period: 1m
            key: principal
            redis:
              uri: redis://127.0.0.1:6399
              timeout: 50ms
              failureMode: CLOSED
              keyPrefix: "test:"
        rateLimiters: [shared]
        routes:
          - {id: a, path: /a, upstream: "http://a.internal", permitAll: true}
        """), "redis.yaml");
    RedisClient client = RedisClient.create();
    try (RedisRateLimiter limiter = RedisRateLimiter.builder(client, RedisURI.create("redis://127.0.0.1:6399"))
        .name("shared").bandwidth(100, Duration.ofMinutes(1)).keyResolver(KeyResolver.principal())
        .timeout(Duration.ofMillis(50)).failureMode(RedisRateLimiter.FailureMode.CLOSED).keyPrefix("test:").build()) {
      Gateway java = Gateway.builder().rateLimiter(limiter)
          .route("a", r -> r.path("/a").upstream("http://a.internal").permitAll()).build();
      assertThat(GatewayView.of(file)).isEqualTo(GatewayView.of(java)).contains("RedisRateLimiter shared");
    } finally {
      ((RedisRateLimiter) file.rateLimiters().get(0)).close();
      client.shutdown();
    }
  }

  @Test
  void aJsonFileMakesTheGatewayItsYamlTwinMakes(@TempDir Path dir) throws Exception {
    for (String name : List.of("routing", "upstreams", "security", "transforms", "limits")) {
      Path yaml = Path.of("src/test/resources/examples", name + ".yaml");
      Path json = dir.resolve(name + ".json");
      Files.writeString(json, new tools.jackson.databind.json.JsonMapper()
          .writeValueAsString(new tools.jackson.dataformat.yaml.YAMLMapper().readTree(yaml.toFile())));
      assertThat(GatewayView.of(CONFIG.read(json))).as(name).isEqualTo(GatewayView.of(CONFIG.read(yaml)));
    }
  }

  @Test
  void theViewSeesADifferenceInANestedOption() {
    Gateway one = Gateway.builder().route("a", r -> r.path("/a").upstream("http://a.internal")
        .retry(RetryPolicy.builder().maxRetries(2).build())).build();
    Gateway other = Gateway.builder().route("a", r -> r.path("/a").upstream("http://a.internal")
        .retry(RetryPolicy.builder().maxRetries(3).build())).build();
    assertThat(GatewayView.of(one)).isNotEqualTo(GatewayView.of(other));
  }
}
