package dev.portico.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.AccessLog;
import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.ErrorMapper;
import dev.portico.gateway.ErrorResponse;
import dev.portico.gateway.Filter;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.Challenge;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RecordedRequest;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Objects the host registers by name (filters, authenticators, limiters, error mappers, access
 * logs) are the ones a file's names reach, on a real gateway; and a name that is wrong, taken
 * twice, or defined in the file as well is refused.
 */
class RegisteredObjectsTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static final String FILE = """
      filters: [audit]
      errorMapper: plain
      accessLog:
        registered: memory
      routes:
        - id: orders
          path: /api/**
          upstream: ${env:UPSTREAM}
          authenticator: headerKey
          rateLimiters: [noBudgetForMallory]
      """;

  private final Filter audit = (exchange, chain) ->
      chain.proceed(exchange.withRequest(exchange.request().toBuilder().header("X-Audited", "yes").build()));
  private final Authenticator headerKey = exchange -> CompletableFuture.completedFuture(
      exchange.request().headers().first("X-Key")
          .map(key -> AuthResult.authenticated(Identity.builder(key.equals("k-alice") ? "alice" : "mallory").build()))
          .orElse(AuthResult.noCredentials(new Challenge("Key", null, null, null))));
  private final RateLimiter noBudgetForMallory = exchange -> CompletableFuture.completedFuture(
      exchange.identity().filter(id -> id.subject().equals("mallory")).isPresent()
          ? RateLimitDecision.rejected(Duration.ofSeconds(7)) : RateLimitDecision.allowed());
  private final ErrorMapper plain = (problem, context) ->
      ErrorResponse.ofUtf8(problem.status(), "text/plain", "refused: " + problem.status());
  private final List<AccessLogEntry> logged = new CopyOnWriteArrayList<>();
  private final AccessLog memory = logged::add;

  private GatewayConfig config() {
    return GatewayConfig.builder()
        .filter("audit", audit)
        .authenticator("headerKey", headerKey)
        .rateLimiter("noBudgetForMallory", noBudgetForMallory)
        .errorMapper("plain", plain)
        .accessLog("memory", memory)
        .environment(Map.of("UPSTREAM", "http://127.0.0.1:9")::get)
        .build();
  }

  private static HttpResponse<String> get(GatewayServer server, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri("/api/orders")).timeout(Duration.ofSeconds(10));
    if (key != null) {
      request.header("X-Key", key);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theFilesNamesReachTheRegisteredObjectsOnARealGateway() throws Exception {
    try (FakeUpstream upstream = FakeUpstream.start()) {
      Gateway gateway = GatewayConfig.builder()
          .filter("audit", audit)
          .authenticator("headerKey", headerKey)
          .rateLimiter("noBudgetForMallory", noBudgetForMallory)
          .errorMapper("plain", plain)
          .accessLog("memory", memory)
          .environment(Map.of("UPSTREAM", upstream.uri())::get)
          .build()
          .read(new StringReader(FILE), "gateway.yaml");
      try (GatewayServer server = GatewayServer.start(gateway)) {
        HttpResponse<String> noKey = get(server, null);
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(noKey.headers().firstValue("WWW-Authenticate")).hasValue("Key");
        assertThat(noKey.body()).isEqualTo("refused: 401");

        HttpResponse<String> mallory = get(server, "k-mallory");
        assertThat(mallory.statusCode()).isEqualTo(429);
        assertThat(mallory.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(mallory.body()).isEqualTo("refused: 429");
        assertThat(upstream.requestCount()).isZero();

        assertThat(get(server, "k-alice").statusCode()).isEqualTo(200);
        RecordedRequest forwarded = upstream.takeRequest();
        assertThat(forwarded.header("X-Audited")).contains("yes");

        // The entry of the last exchange is written when it completes, which may be just after the
        // client read the response: wait for it, with a deadline.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (logged.size() < 3 && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        assertThat(logged).extracting(AccessLogEntry::status).containsExactly(401, 429, 200);
      }
    }
  }

  @Test
  void aNameNobodyRegisteredIsAPositionedErrorWithASuggestion() {
    String misspelt = FILE.replace("authenticator: headerKey", "authenticator: headerKy");
    assertThatThrownBy(() -> config().read(new StringReader(misspelt), "gateway.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("gateway.yaml:9:")
        .hasMessageContaining("routes[0].authenticator: no authenticator named 'headerKy'")
        .hasMessageContaining("did you mean 'headerKey'?");
  }

  @Test
  void aFileMayNotDefineANameTheHostRegistered() {
    String shadowing = """
        limiters:
          noBudgetForMallory:
            limit: 100
            period: 1m
            key: clientIp
        """ + FILE;
    assertThatThrownBy(() -> config().read(new StringReader(shadowing), "gateway.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("gateway.yaml:3:5 limiters.noBudgetForMallory: 'noBudgetForMallory' is also"
            + " registered by the host application");
  }

  @Test
  void aNameRegisteredTwiceOrSpelledBadlyIsRefusedWhenRegistering() {
    assertThatThrownBy(() -> GatewayConfig.builder().filter("audit", audit).filter("audit", audit))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name: filter 'audit' is registered twice");
    assertThatThrownBy(() -> GatewayConfig.builder().authenticator("head key", headerKey))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name: 'head key' (expected: letters, digits, '.', '_' or '-')");
    // The same name in two kinds is two objects: a file says which kind it means by the key.
    GatewayConfig both = GatewayConfig.builder().filter("x", audit).accessLog("x", memory).build();
    assertThat(both).isNotNull();
  }
}
