package dev.portico.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.Challenge;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.ratelimit.bucket4j.MissingKey;
import dev.portico.gateway.ratelimit.bucket4j.Quota;
import dev.portico.gateway.ratelimit.bucket4j.Refill;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Rate limits through real hops: client, gateway on Jetty, upstream. */
class RateLimitingTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** {@code X-User: alice} or {@code X-User: alice/pro}: subject and plan; no header, no credentials. */
  private static final Authenticator USERS = exchange -> CompletableFuture.completedFuture(
      exchange.request().headers().first("X-User").map(value -> {
        String[] parts = value.split("/", 2);
        return AuthResult.authenticated(Identity.builder(parts[0]).plan(parts.length > 1 ? parts[1] : null).build());
      }).orElse(AuthResult.noCredentials(Challenge.bearer("test"))));

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

  private void start(Gateway.Builder gateway) throws Exception {
    host = GatewayServer.builder().gateway(gateway.accessLog(entry -> { }).build())
        .permissiveUris(true).hostAnswer().start();
  }

  private ContentResponse get(String path, String... headers) throws Exception {
    Request request = host.client().newRequest(host.uri(path)).timeout(10, TimeUnit.SECONDS);
    for (int i = 0; i < headers.length; i += 2) {
      String name = headers[i];
      String value = headers[i + 1];
      request.headers(h -> h.add(name, value));
    }
    return request.send();
  }

  private List<Integer> statuses(int count, String path, String... headers) throws Exception {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      statuses.add(get(path, headers).getStatus());
    }
    return statuses;
  }

  private static JsonNode problem(ContentResponse response) {
    assertThat(response.getHeaders().get(HttpHeader.CONTENT_TYPE)).isEqualTo("application/problem+json");
    return JSON.readTree(response.getContentAsString());
  }

  @Test
  void rejectsOverTheLimitWith429ProblemAndRetryAfter() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())
        .rateLimiter(Bucket4jRateLimiter.builder().name("api").bandwidth(2, Duration.ofMinutes(1)).refill(Refill.INTERVALLY)
            .keyResolver(KeyResolver.clientIp()).build())));

    assertThat(statuses(2, "/api/x")).containsExactly(200, 200);
    ContentResponse rejected = get("/api/x");

    assertThat(rejected.getStatus()).isEqualTo(429);
    JsonNode body = problem(rejected);
    assertThat(body.get("type").asString()).isEqualTo("https://portico.dev/problems/rate-limited");
    assertThat(body.get("status").asInt()).isEqualTo(429);
    assertThat(body.get("detail").asString()).contains("2 per minute");
    long retryAfter = Long.parseLong(rejected.getHeaders().get(HttpHeader.RETRY_AFTER));
    assertThat(retryAfter).isBetween(1L, 60L);
    assertThat(rejected.getHeaders().get("RateLimit-Policy")).isEqualTo("\"api\";q=2;w=60");
    assertThat(rejected.getHeaders().get("RateLimit")).startsWith("\"api\";r=0;t=");
    assertThat(upstream.requestCount()).as("the rejected request never reached the upstream").isEqualTo(2);
  }

  @Test
  void fivePerMinuteAnswersTheSixthRequestOfTheMinuteWith429AndRetryAfterUntilTheMinuteEnds() throws Exception {
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())
        .rateLimiter(Bucket4jRateLimiter.builder().name("api").bandwidth(5, Duration.ofMinutes(1))
            .keyResolver(KeyResolver.clientIp()).timeSource(nanos::get).build())));
    List<Integer> firstMinute = new ArrayList<>();
    ContentResponse sixth = null;
    for (int second = 0; second < 60; second += 10) {           // at 0, 10, 20, 30, 40, 50 s
      ContentResponse response = get("/api/x");
      firstMinute.add(response.getStatus());
      if (firstMinute.size() == 6) {
        sixth = response;
      }
      nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    }
    firstMinute.add(get("/api/x").getStatus());                // at 60 s: a new minute

    assertThat(firstMinute).containsExactly(200, 200, 200, 200, 200, 429, 200);
    assertThat(sixth.getHeaders().get(HttpHeader.RETRY_AFTER)).as("asked at 50 s").isEqualTo("10");
    assertThat(sixth.getHeaders().get("RateLimit")).isEqualTo("\"api\";r=0;t=10");
    assertThat(upstream.requestCount()).isEqualTo(6);
  }

  @Test
  void smoothedFivePerMinuteLetsNineThroughInTheFirstMinute() throws Exception {
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())
        .rateLimiter(Bucket4jRateLimiter.builder().name("api").bandwidth(5, Duration.ofMinutes(1)).refill(Refill.GREEDY)
            .keyResolver(KeyResolver.clientIp()).timeSource(nanos::get).build())));
    int allowed = 0;
    String firstRetryAfter = null;
    for (int second = 0; second < 60; second += 2) {
      ContentResponse response = get("/api/x");
      if (response.getStatus() == 200) {
        allowed++;
      } else if (firstRetryAfter == null) {
        firstRetryAfter = response.getHeaders().get(HttpHeader.RETRY_AFTER);
      }
      nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    }

    assertThat(allowed).as("5 at once, then one every 12 s").isEqualTo(9);
    assertThat(firstRetryAfter).as("asked at 10 s; the next token at 12 s").isEqualTo("2");
  }

  @Test
  void allowedResponsesCarryTheDraftQuotaHeaders() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())
        .rateLimiter(Bucket4jRateLimiter.builder().name("api").bandwidth(10, Duration.ofMinutes(1))
            .keyResolver(KeyResolver.clientIp()).build())));

    get("/api/x");
    ContentResponse second = get("/api/x");

    assertThat(second.getStatus()).isEqualTo(200);
    assertThat(second.getHeaders().get("RateLimit-Policy")).isEqualTo("\"api\";q=10;w=60");
    assertThat(second.getHeaders().get("RateLimit")).as("t: until the window ends").matches("\"api\";r=8;t=(5[0-9]|60)");
    assertThat(second.getHeaders().get("X-RateLimit-Limit")).as("legacy headers only when asked").isNull();
  }

  @Test
  void legacyHeadersWhenAsked() throws Exception {
    start(Gateway.builder().rateLimitHeaders(RateLimitHeaders.IETF_AND_LEGACY)
        .route("api", r -> r.path("/api/**").upstream(upstream.uri())
            .rateLimiter(Bucket4jRateLimiter.perKey(10, Duration.ofMinutes(1), KeyResolver.clientIp()))));

    ContentResponse response = get("/api/x");

    assertThat(response.getHeaders().get("X-RateLimit-Limit")).isEqualTo("10");
    assertThat(response.getHeaders().get("X-RateLimit-Remaining")).isEqualTo("9");
    assertThat(Long.parseLong(response.getHeaders().get("X-RateLimit-Reset"))).isBetween(1L, 60L);
    assertThat(response.getHeaders().get("RateLimit")).isNotNull();
  }

  @Test
  void theGatewaysQuotaFollowsTheUpstreamsListsAndReplacesItsLegacyHeaders() throws Exception {
    upstream.respondWith((r, req, resp, cb) -> {
      resp.getHeaders().add("RateLimit-Policy", "\"backend\";q=50;w=1");
      resp.getHeaders().add("RateLimit", "\"backend\";r=49;t=1");
      resp.getHeaders().add("X-RateLimit-Limit", "50");
      resp.getHeaders().add("x-ratelimit-remaining", "49");
      org.eclipse.jetty.io.Content.Sink.write(resp, true, "ok", cb);
    });
    start(Gateway.builder().rateLimitHeaders(RateLimitHeaders.IETF_AND_LEGACY)
        .route("api", r -> r.path("/api/**").upstream(upstream.uri())
            .rateLimiter(Bucket4jRateLimiter.builder().name("api").bandwidth(10, Duration.ofMinutes(1))
                .keyResolver(KeyResolver.clientIp()).build())));

    ContentResponse response = get("/api/x");

    assertThat(response.getContentAsString()).isEqualTo("ok");
    assertThat(response.getHeaders().getValuesList("RateLimit-Policy"))
        .containsExactly("\"backend\";q=50;w=1", "\"api\";q=10;w=60");
    assertThat(response.getHeaders().getValuesList("RateLimit")).hasSize(2)
        .first().isEqualTo("\"backend\";r=49;t=1");
    assertThat(response.getHeaders().getValuesList("X-RateLimit-Limit")).containsExactly("10");
    assertThat(response.getHeaders().getValuesList("X-RateLimit-Remaining")).containsExactly("9");
  }

  @Test
  void noQuotaHeadersWhenTurnedOffButRetryAfterStays() throws Exception {
    start(Gateway.builder().rateLimitHeaders(RateLimitHeaders.NONE)
        .route("api", r -> r.path("/api/**").upstream(upstream.uri())
            .rateLimiter(Bucket4jRateLimiter.perKey(1, Duration.ofMinutes(1), KeyResolver.clientIp()))));

    ContentResponse allowed = get("/api/x");
    ContentResponse rejected = get("/api/x");

    assertThat(allowed.getHeaders().get("RateLimit")).isNull();
    assertThat(rejected.getStatus()).isEqualTo(429);
    assertThat(rejected.getHeaders().get("RateLimit")).isNull();
    assertThat(rejected.getHeaders().get(HttpHeader.RETRY_AFTER)).isNotNull();
  }

  @Test
  void gatewayLimitersRunBeforeTheRoutesAndBothAreReported() throws Exception {
    start(Gateway.builder()
        .rateLimiter(Bucket4jRateLimiter.builder().name("global").bandwidth(3, Duration.ofMinutes(1))
            .keyResolver(KeyResolver.constant("all")).build())
        .route("api", r -> r.path("/api/**").upstream(upstream.uri())
            .rateLimiter(Bucket4jRateLimiter.builder().name("api").bandwidth(100, Duration.ofHours(1))
                .keyResolver(KeyResolver.clientIp()).build())));

    ContentResponse first = get("/api/x");

    assertThat(first.getHeaders().get("RateLimit-Policy")).isEqualTo("\"global\";q=3;w=60, \"api\";q=100;w=3600");
    assertThat(first.getHeaders().get("RateLimit")).matches("\"global\";r=2;t=\\d+, \"api\";r=99;t=\\d+");
    assertThat(statuses(3, "/api/x")).containsExactly(200, 200, 429);
    ContentResponse afterGlobal = get("/api/x");
    assertThat(afterGlobal.getHeaders().get("RateLimit-Policy")).as("the route's limiter was not asked")
        .isEqualTo("\"global\";q=3;w=60");
  }

  @Test
  void limitsRunAfterAuthenticationSoRefusedCredentialsSpendNothing() throws Exception {
    start(Gateway.builder().authenticator(USERS)
        .route("api", r -> r.path("/api/**").upstream(upstream.uri())
            .rateLimiter(Bucket4jRateLimiter.perKey(1, Duration.ofMinutes(1), KeyResolver.principal()))));

    assertThat(statuses(3, "/api/x")).containsExactly(401, 401, 401);
    assertThat(statuses(2, "/api/x", "X-User", "alice")).containsExactly(200, 429);
    assertThat(statuses(1, "/api/x", "X-User", "bob")).containsExactly(200);
  }

  @Test
  void plansGiveFreeAndProCallersTheirOwnQuotas() throws Exception {
    start(Gateway.builder().authenticator(USERS)
        .route("api", r -> r.path("/api/**").upstream(upstream.uri())
            .rateLimiter(Bucket4jRateLimiter.builder()
                .plan("free", Quota.of(2, Duration.ofMinutes(1)))
                .plan("pro", Quota.of(5, Duration.ofMinutes(1)))
                .keyResolver(KeyResolver.principal())
                .build())));

    assertThat(statuses(3, "/api/x", "X-User", "fred/free")).containsExactly(200, 200, 429);
    assertThat(statuses(6, "/api/x", "X-User", "paula/pro")).containsExactly(200, 200, 200, 200, 200, 429);
    ContentResponse pro = get("/api/x", "X-User", "peter/pro");
    assertThat(pro.getHeaders().get("RateLimit-Policy")).isEqualTo("\"pro\";q=5;w=60");
    ContentResponse noPlan = get("/api/x", "X-User", "nora");
    assertThat(noPlan.getStatus()).as("no plan and no default quota").isEqualTo(403);
  }

  @Test
  void requestsWithoutKeyShareOneAnonymousBucketByDefault() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())
        .rateLimiter(Bucket4jRateLimiter.perKey(2, Duration.ofMinutes(1), KeyResolver.apiKey("X-Api-Key")))));

    assertThat(statuses(3, "/api/x")).containsExactly(200, 200, 429);
    assertThat(statuses(1, "/api/x", "X-Api-Key", "k1")).containsExactly(200);
  }

  @Test
  void requestsWithoutKeyAreRefusedWith403WhenConfigured() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())
        .rateLimiter(Bucket4jRateLimiter.builder().bandwidth(2, Duration.ofMinutes(1))
            .keyResolver(KeyResolver.apiKey("X-Api-Key")).missingKey(MissingKey.REFUSE).build())));

    ContentResponse refused = get("/api/x");

    assertThat(refused.getStatus()).isEqualTo(403);
    assertThat(problem(refused).get("type").asString()).isEqualTo("https://portico.dev/problems/forbidden");
    assertThat(statuses(1, "/api/x", "X-Api-Key", "k1")).containsExactly(200);
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @Test
  void compositeKeysGiveEachTenantOnEachRouteItsOwnBucket() throws Exception {
    RateLimiter perTenantPerRoute = Bucket4jRateLimiter.perKey(1, Duration.ofMinutes(1),
        KeyResolver.composite(KeyResolver.route(), KeyResolver.header("X-Tenant")));
    start(Gateway.builder().rateLimiter(perTenantPerRoute)
        .route("a", r -> r.path("/a/**").upstream(upstream.uri()))
        .route("b", r -> r.path("/b/**").upstream(upstream.uri())));

    assertThat(statuses(2, "/a/x", "X-Tenant", "acme")).containsExactly(200, 429);
    assertThat(statuses(1, "/b/x", "X-Tenant", "acme")).containsExactly(200);
    assertThat(statuses(1, "/a/x", "X-Tenant", "globex")).containsExactly(200);
  }

  @Test
  void largerBodiesCostMoreTokens() throws Exception {
    start(Gateway.builder().route("upload", r -> r.path("/upload/**").methods("POST").upstream(upstream.uri())
        .rateLimiter(Bucket4jRateLimiter.builder().name("bytes").bandwidth(10, Duration.ofMinutes(1)).refill(Refill.INTERVALLY)
            .keyResolver(KeyResolver.clientIp()).cost(RequestCost.byBodySize(1_000)).build())));

    ContentResponse small = post("/upload/a", 500);
    ContentResponse large = post("/upload/b", 6_500);
    ContentResponse tooMuch = post("/upload/c", 2_500);

    assertThat(small.getHeaders().get("RateLimit")).startsWith("\"bytes\";r=9;");
    assertThat(large.getHeaders().get("RateLimit")).as("6,500 bytes cost 7").startsWith("\"bytes\";r=2;");
    assertThat(tooMuch.getStatus()).as("2,500 bytes cost 3, 2 left").isEqualTo(429);
  }

  private ContentResponse post(String path, int bytes) throws Exception {
    return host.client().newRequest(host.uri(path)).method("POST")
        .body(new StringRequestContent("text/plain", "x".repeat(bytes))).timeout(10, TimeUnit.SECONDS).send();
  }

  @Test
  void aLimiterThatBreaksItsContractIsA500NamingIt() throws Exception {
    RateLimiter broken = exchange -> CompletableFuture.failedFuture(new IllegalStateException("bug"));
    start(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri()).rateLimiter(broken)));

    ContentResponse response = get("/api/x");

    assertThat(response.getStatus()).isEqualTo(500);
    assertThat(problem(response).get("type").asString()).isEqualTo("https://portico.dev/problems/internal");
    assertThat(upstream.pollRequest()).isEmpty();
  }
}
