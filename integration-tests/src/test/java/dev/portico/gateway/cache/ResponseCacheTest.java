package dev.portico.gateway.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.Challenge;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.observe.micrometer.MicrometerMetrics;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.UpstreamAnswer;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.Mounting;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The route response cache (RFC 9111 shared-cache rules) end to end, on every adapter where the request shows it. */
class ResponseCacheTest {
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

  private void start(Mounting mounting, UnaryOperator<dev.portico.gateway.Route.Builder> route) throws Exception {
    host = mounting.start(Gateway.builder().route("cached", r -> route.apply(r.path("/c/**")
        .upstream(upstream.uri()))).build());
  }

  private void start(Mounting mounting) throws Exception {
    start(mounting, r -> r.cache(CachePolicy.defaults()));
  }

  private ContentResponse get(String path, String... headers) throws Exception {
    return send("GET", path, headers);
  }

  private ContentResponse send(String method, String path, String... headers) throws Exception {
    return host.client().newRequest(host.uri(path)).method(method).headers(h -> {
      for (int i = 0; i < headers.length; i += 2) {
        h.add(headers[i], headers[i + 1]);
      }
    }).timeout(10, TimeUnit.SECONDS).send();
  }

  private static UpstreamAnswer cacheable(String body, String cacheControl) {
    return UpstreamAnswer.text(200, body).header("Cache-Control", cacheControl);
  }

  @ParameterizedTest
  @EnumSource(Mounting.class)
  void freshEntryIsServedWithAgeAndHitWithoutAskingTheUpstream(Mounting mounting) throws Exception {
    upstream.answer(cacheable("v1", "max-age=100").header("Age", "30"));
    start(mounting);

    ContentResponse first = get("/c/a");
    ContentResponse second = get("/c/a");

    assertThat(first.getHeaders().get("X-Cache")).isEqualTo("MISS");
    assertThat(second.getStatus()).isEqualTo(200);
    assertThat(second.getContentAsString()).isEqualTo("v1");
    assertThat(second.getHeaders().get("X-Cache")).isEqualTo("HIT");
    assertThat(Long.parseLong(second.getHeaders().get("Age"))).isBetween(30L, 40L);
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void staleEntryIsRevalidatedWithItsEtagAndA304RefreshesIt(Mounting mounting) throws Exception {
    upstream.respondWith((recorded, request, response, callback) -> {
      response.getHeaders().put("ETag", "\"v1\"");
      response.getHeaders().put("Cache-Control", "max-age=0");
      if ("\"v1\"".equals(recorded.header("If-None-Match").orElse(null))) {
        response.setStatus(304);
        response.getHeaders().put("Cache-Control", "max-age=100");
        callback.succeeded();
      } else {
        response.setStatus(200);
        Content.Sink.write(response, true, "body-v1", callback);
      }
    });
    start(mounting);

    get("/c/r");
    ContentResponse revalidated = get("/c/r");
    ContentResponse fresh = get("/c/r");

    assertThat(revalidated.getStatus()).isEqualTo(200);
    assertThat(revalidated.getContentAsString()).isEqualTo("body-v1");
    assertThat(revalidated.getHeaders().get("X-Cache")).isEqualTo("HIT");
    assertThat(upstream.requests().get(1).header("If-None-Match")).contains("\"v1\"");
    assertThat(fresh.getHeaders().get("X-Cache")).as("the 304's max-age=100 refreshed the entry").isEqualTo("HIT");
    assertThat(upstream.requestCount()).isEqualTo(2);
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void noStoreIsNeverKept(Mounting mounting) throws Exception {
    upstream.answer(cacheable("x", "no-store, max-age=100"));
    start(mounting);

    get("/c/n");
    assertThat(get("/c/n").getHeaders().get("X-Cache")).isEqualTo("MISS");
    assertThat(upstream.requestCount()).isEqualTo(2);
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void privateIsNeverKept(Mounting mounting) throws Exception {
    upstream.answer(cacheable("mine", "private, max-age=100"));
    start(mounting);

    get("/c/p");
    get("/c/p");
    assertThat(upstream.requestCount()).isEqualTo(2);
  }

  @Test
  void noCacheIsRevalidatedEveryTime() throws Exception {
    upstream.respondWith((recorded, request, response, callback) -> {
      response.getHeaders().put("ETag", "\"e\"");
      response.getHeaders().put("Cache-Control", "no-cache, max-age=100");
      if (recorded.header("If-None-Match").isPresent()) {
        response.setStatus(304);
        callback.succeeded();
      } else {
        Content.Sink.write(response, true, "nc", callback);
      }
    });
    start(Mounting.JETTY_HANDLER);

    get("/c/nc");
    ContentResponse second = get("/c/nc");
    ContentResponse third = get("/c/nc");

    assertThat(second.getContentAsString()).isEqualTo("nc");
    assertThat(third.getContentAsString()).isEqualTo("nc");
    assertThat(upstream.requestCount()).isEqualTo(3);
    assertThat(upstream.requests().get(2).header("If-None-Match")).contains("\"e\"");
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void varyKeepsOneVariantPerRequestHeaderValue(Mounting mounting) throws Exception {
    upstream.respondWith((recorded, request, response, callback) -> {
      response.getHeaders().put("Cache-Control", "max-age=100");
      response.getHeaders().put("Vary", "Accept");
      Content.Sink.write(response, true, "for " + recorded.header("Accept").orElse("-"), callback);
    });
    start(mounting);

    assertThat(get("/c/v", "Accept", "application/json").getContentAsString()).isEqualTo("for application/json");
    assertThat(get("/c/v", "Accept", "text/html").getContentAsString()).isEqualTo("for text/html");
    ContentResponse json = get("/c/v", "Accept", "application/json");
    ContentResponse html = get("/c/v", "Accept", "text/html");

    assertThat(json.getContentAsString()).isEqualTo("for application/json");
    assertThat(json.getHeaders().get("X-Cache")).isEqualTo("HIT");
    assertThat(html.getContentAsString()).isEqualTo("for text/html");
    assertThat(html.getHeaders().get("X-Cache")).isEqualTo("HIT");
    assertThat(upstream.requestCount()).isEqualTo(2);
  }

  @Test
  void varyOnAcceptEncodingNeverServesOneEncodingToAClientOfAnother() throws Exception {
    upstream.respondWith((recorded, request, response, callback) -> {
      response.getHeaders().put("Cache-Control", "max-age=100");
      response.getHeaders().put("Vary", "Accept-Encoding");
      // the client adds its own gzip: the upstream echoes every value it got
      Content.Sink.write(response, true, "enc " + String.join(",", recorded.headerValues("Accept-Encoding")), callback);
    });
    start(Mounting.JETTY_HANDLER);

    get("/c/e", "Accept-Encoding", "gzip");
    ContentResponse identity = get("/c/e", "Accept-Encoding", "identity");
    ContentResponse gzip = get("/c/e", "Accept-Encoding", "gzip");

    assertThat(identity.getHeaders().get("X-Cache")).isEqualTo("MISS");
    assertThat(identity.getContentAsString()).contains("identity");
    assertThat(gzip.getHeaders().get("X-Cache")).isEqualTo("HIT");
    assertThat(gzip.getContentAsString()).doesNotContain("identity");
    assertThat(upstream.requestCount()).isEqualTo(2);
  }

  @Test
  void requestNoCacheRevalidatesAndRequestNoStoreIsNotKept() throws Exception {
    upstream.respondWith((recorded, request, response, callback) -> {
      response.getHeaders().put("Cache-Control", "max-age=100");
      response.getHeaders().put("ETag", "\"q\"");
      if (recorded.header("If-None-Match").isPresent()) {
        response.setStatus(304);
        callback.succeeded();
      } else {
        Content.Sink.write(response, true, "q", callback);
      }
    });
    start(Mounting.JETTY_HANDLER);

    get("/c/ns", "Cache-Control", "no-store");
    assertThat(get("/c/ns").getHeaders().get("X-Cache")).as("no-store on the request kept nothing").isEqualTo("MISS");
    ContentResponse revalidated = get("/c/ns", "Cache-Control", "no-cache");

    assertThat(revalidated.getContentAsString()).isEqualTo("q");
    assertThat(upstream.requestCount()).isEqualTo(3);
    assertThat(upstream.requests().get(2).header("If-None-Match")).contains("\"q\"");
  }

  @Test
  void varyStarIsNeverKept() throws Exception {
    upstream.answer(cacheable("any", "max-age=100").header("Vary", "*"));
    start(Mounting.JETTY_HANDLER);

    get("/c/s");
    get("/c/s");
    assertThat(upstream.requestCount()).isEqualTo(2);
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void authorizedRequestIsKeptOnlyWhenTheUpstreamSaysPublic(Mounting mounting) throws Exception {
    upstream.respondWith((recorded, request, response, callback) -> {
      response.getHeaders().put("Cache-Control", recorded.target().endsWith("public") ? "public, max-age=100"
          : "max-age=100");
      Content.Sink.write(response, true, "for " + recorded.header("Authorization").orElse("-"), callback);
    });
    start(mounting);

    get("/c/secret", "Authorization", "Bearer alice");
    ContentResponse bob = get("/c/secret", "Authorization", "Bearer bob");
    get("/c/public", "Authorization", "Bearer alice");
    ContentResponse shared = get("/c/public", "Authorization", "Bearer bob");

    assertThat(bob.getContentAsString()).as("alice's answer is not served to bob").isEqualTo("for Bearer bob");
    assertThat(shared.getHeaders().get("X-Cache")).isEqualTo("HIT");
    assertThat(upstream.requestCount()).isEqualTo(3);
  }

  @Test
  void routeWithAnAuthenticatorKeysByIdentityWhenAsked() throws Exception {
    Authenticator bearer = exchange -> CompletableFuture.completedFuture(
        exchange.request().headers().first("Authorization").filter(v -> v.startsWith("Bearer "))
            .map(v -> AuthResult.authenticated(Identity.builder(v.substring(7)).method("test").build()))
            .orElse(AuthResult.noCredentials(Challenge.bearer("test"))));
    upstream.respondWith((recorded, request, response, callback) -> {
      response.getHeaders().put("Cache-Control", "max-age=100");
      Content.Sink.write(response, true, "for " + recorded.header("Authorization").orElse("-"), callback);
    });
    host = Mounting.JETTY_HANDLER.start(Gateway.builder().route("me", r -> r.path("/c/**").authenticator(bearer)
        .cache(c -> c.keyByIdentity(true)).upstream(upstream.uri())).build());

    get("/c/me", "Authorization", "Bearer alice");
    ContentResponse bob = get("/c/me", "Authorization", "Bearer bob");
    ContentResponse alice = get("/c/me", "Authorization", "Bearer alice");

    assertThat(bob.getContentAsString()).isEqualTo("for Bearer bob");
    assertThat(alice.getContentAsString()).isEqualTo("for Bearer alice");
    assertThat(alice.getHeaders().get("X-Cache")).isEqualTo("HIT");
    assertThat(upstream.requestCount()).isEqualTo(2);
  }

  @Test
  void setCookieIsNotKeptUnlessAllowedAndThenNotReplayed() throws Exception {
    upstream.answer(cacheable("c", "max-age=100").header("Set-Cookie", "session=alice"));
    start(Mounting.JETTY_HANDLER);
    get("/c/k");
    get("/c/k");
    assertThat(upstream.requestCount()).isEqualTo(2);
    host.close();

    start(Mounting.JETTY_HANDLER, r -> r.cache(c -> c.cacheSetCookie(true)));
    ContentResponse first = get("/c/k");
    ContentResponse second = get("/c/k");
    assertThat(first.getHeaders().get("Set-Cookie")).isEqualTo("session=alice");
    assertThat(second.getHeaders().get("X-Cache")).isEqualTo("HIT");
    assertThat(second.getHeaders().get("Set-Cookie")).as("one caller's cookie is never replayed").isNull();
  }

  @Test
  void sMaxageWinsOverMaxAge() throws Exception {
    upstream.answer(cacheable("s", "max-age=0, s-maxage=100"));
    start(Mounting.JETTY_HANDLER);
    get("/c/sm");
    assertThat(get("/c/sm").getHeaders().get("X-Cache")).isEqualTo("HIT");
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @Test
  void expiresGivesFreshnessAndAnInvalidExpiresDoesNot() throws Exception {
    upstream.respondWith((recorded, request, response, callback) -> {
      response.getHeaders().put("Date", "Tue, 01 Dec 2099 00:00:00 GMT");
      response.getHeaders().put("Expires", recorded.target().endsWith("bad") ? "0" : "Tue, 01 Dec 2099 01:00:00 GMT");
      Content.Sink.write(response, true, "e", callback);
    });
    start(Mounting.JETTY_HANDLER);
    get("/c/good");
    assertThat(get("/c/good").getHeaders().get("X-Cache")).isEqualTo("HIT");
    get("/c/bad");
    assertThat(get("/c/bad").getHeaders().get("X-Cache")).isEqualTo("MISS");
    assertThat(upstream.requestCount()).isEqualTo(3);
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void headIsAnsweredFromTheGetEntry(Mounting mounting) throws Exception {
    upstream.answer(cacheable("twelve bytes", "max-age=100"));
    start(mounting);
    get("/c/h");

    ContentResponse head = send("HEAD", "/c/h");

    assertThat(head.getStatus()).isEqualTo(200);
    assertThat(head.getHeaders().get("X-Cache")).isEqualTo("HIT");
    assertThat(head.getHeaders().get(HttpHeader.CONTENT_LENGTH)).isEqualTo("12");
    assertThat(head.getContent()).isEmpty();
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void clientIfNoneMatchIsAnswered304FromAFreshEntry(Mounting mounting) throws Exception {
    upstream.answer(cacheable("tagged", "max-age=100").header("ETag", "\"t1\""));
    start(mounting);
    get("/c/t");

    ContentResponse conditional = get("/c/t", "If-None-Match", "W/\"t1\"");

    assertThat(conditional.getStatus()).isEqualTo(304);
    assertThat(conditional.getHeaders().get("ETag")).isEqualTo("\"t1\"");
    assertThat(conditional.getHeaders().get("X-Cache")).isEqualTo("HIT");
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void concurrentMissesForOneKeyGoUpstreamOnce(Mounting mounting) throws Exception {
    upstream.answer(cacheable("collapsed", "max-age=100")).hold();
    start(mounting);

    List<CompletableFuture<ContentResponse>> pending = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      pending.add(new CompletableResponseListener(host.client().newRequest(host.uri("/c/collapse"))
          .timeout(10, TimeUnit.SECONDS)).send());
    }
    Await.until("the first request held upstream", () -> upstream.inFlight() == 1);
    upstream.release();

    for (CompletableFuture<ContentResponse> f : pending) {
      assertThat(f.get(10, TimeUnit.SECONDS).getContentAsString()).isEqualTo("collapsed");
    }
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @Test
  void waitersOfAnUncacheableResponseGoUpstreamThemselves() throws Exception {
    upstream.answer(cacheable("nope", "no-store")).hold();
    start(Mounting.JETTY_HANDLER);

    List<CompletableFuture<ContentResponse>> pending = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pending.add(new CompletableResponseListener(host.client().newRequest(host.uri("/c/u"))
          .timeout(10, TimeUnit.SECONDS)).send());
    }
    Await.until("the first request held upstream", () -> upstream.inFlight() == 1);
    upstream.release();

    for (CompletableFuture<ContentResponse> f : pending) {
      assertThat(f.get(10, TimeUnit.SECONDS).getContentAsString()).isEqualTo("nope");
    }
    assertThat(upstream.requestCount()).as("the waiters went upstream after the first").isEqualTo(3);
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void bodyLargerThanTheEntryCapIsStreamedThroughAndNotKept(Mounting mounting) throws Exception {
    int size = 8 * 1024 * 1024;
    upstream.respondWith((recorded, request, response, callback) -> {
      response.getHeaders().put("Cache-Control", "max-age=100");
      // chunked, no Content-Length: the cap is found while streaming
      byte[] chunk = new byte[64 * 1024];
      writeChunks(response, chunk, size / chunk.length, callback);
    });
    start(mounting, r -> r.cache(c -> c.maxEntryBytes(1024 * 1024)));

    ContentResponse first = getLarge("/c/big", size);
    ContentResponse second = getLarge("/c/big", size);

    assertThat(first.getContent()).hasSize(size);
    assertThat(second.getContent()).hasSize(size);
    assertThat(second.getHeaders().get("X-Cache")).isEqualTo("MISS");
    assertThat(upstream.requestCount()).isEqualTo(2);
  }

  private ContentResponse getLarge(String path, int size) throws Exception {
    return new CompletableResponseListener(host.client().newRequest(host.uri(path)).timeout(30, TimeUnit.SECONDS),
        size + 1).send().get(30, TimeUnit.SECONDS);
  }

  private static void writeChunks(Content.Sink sink, byte[] chunk, int left, org.eclipse.jetty.util.Callback done) {
    sink.write(left == 1, ByteBuffer.wrap(chunk), org.eclipse.jetty.util.Callback.from(() -> {
      if (left > 1) {
        writeChunks(sink, chunk, left - 1, done);
      } else {
        done.succeeded();
      }
    }, done::failed));
  }

  @ParameterizedTest
  @MethodSource("dev.portico.gateway.testing.Mounting#eachAdapter")
  void successfulPostInvalidatesThePathsEntries(Mounting mounting) throws Exception {
    upstream.answer(cacheable("v", "max-age=100"));
    start(mounting);
    get("/c/item");
    assertThat(get("/c/item").getHeaders().get("X-Cache")).isEqualTo("HIT");

    host.client().newRequest(host.uri("/c/item")).method("POST").body(new StringRequestContent("x"))
        .timeout(10, TimeUnit.SECONDS).send();

    assertThat(get("/c/item").getHeaders().get("X-Cache")).isEqualTo("MISS");
    assertThat(upstream.requestCount()).isEqualTo(3);
  }

  @Test
  void hitsMissesAndEvictionsAreCounted() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    upstream.respondWith((recorded, request, response, callback) -> {
      response.getHeaders().put("Cache-Control", "max-age=100");
      Content.Sink.write(response, true, "x".repeat(40_000), callback);
    });
    GatewayServer server = GatewayServer.builder().handler(JettyGatewayHandler.builder(Gateway.builder()
            .route("cached", r -> r.path("/c/**").cache(c -> c.maxBytes(100_000).maxEntryBytes(50_000))
                .upstream(upstream.uri())).build())
        .observer(MicrometerMetrics.create(registry)).build()).start();
    try {
      for (String p : List.of("/c/1", "/c/1", "/c/2", "/c/3", "/c/4")) {
        server.client().newRequest(server.uri(p)).timeout(10, TimeUnit.SECONDS).send();
      }
      assertThat(registry.get("portico.cache.lookups").tag("route", "cached").tag("result", "hit").counter().count())
          .isEqualTo(1);
      assertThat(registry.get("portico.cache.lookups").tag("result", "miss").counter().count()).isEqualTo(4);
      assertThat(registry.get("portico.cache.evictions").tag("route", "cached").counter().count())
          .as("four 40 kB entries do not fit in 100 kB").isGreaterThanOrEqualTo(2);
    } finally {
      server.close();
    }
  }

  @Test
  void byteBoundHoldsUnderConcurrentLoadAndTheAdminViewShowsTheCounters() throws Exception {
    upstream.respondWith((recorded, request, response, callback) -> {
      response.getHeaders().put("Cache-Control", "max-age=100");
      Content.Sink.write(response, true, "y".repeat(20_000), callback);
    });
    JettyGatewayHandler handler = JettyGatewayHandler.create(Gateway.builder()
        .route("cached", r -> r.path("/c/**").cache(c -> c.maxBytes(200_000).maxEntryBytes(30_000))
            .upstream(upstream.uri())).build());
    GatewayServer server = GatewayServer.builder().handler(handler).start();
    try {
      List<CompletableFuture<ContentResponse>> pending = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        pending.add(new CompletableResponseListener(server.client().newRequest(server.uri("/c/" + i))
            .timeout(10, TimeUnit.SECONDS)).send());
      }
      for (CompletableFuture<ContentResponse> f : pending) {
        assertThat(f.get(20, TimeUnit.SECONDS).getContent()).hasSize(20_000);
      }

      CacheStatus status = handler.cacheStatus().get(0);
      assertThat(status.route()).isEqualTo("cached");
      assertThat(status.bytes()).isPositive().isLessThanOrEqualTo(200_000);
      assertThat(status.evictions()).as("60 entries of 20 kB in 200 kB").isGreaterThanOrEqualTo(50);
      assertThat(status.misses()).isEqualTo(60);
      java.util.Map<String, Object> view = dev.portico.gateway.admin.AdminView.of(handler).routes().get(0);
      assertThat(view.get("policies").toString()).contains("cache");
      assertThat(view.get("cache").toString()).contains("maxBytes=200000").contains("misses=60")
          .contains("evictions=" + status.evictions());
    } finally {
      server.close();
    }
  }

  @Test
  void reconfigurationStartsWithAnEmptyCache() throws Exception {
    upstream.answer(cacheable("v", "max-age=100"));
    JettyGatewayHandler handler = JettyGatewayHandler.create(Gateway.builder()
        .route("cached", r -> r.path("/c/**").cache(CachePolicy.defaults()).upstream(upstream.uri())).build());
    GatewayServer server = GatewayServer.builder().handler(handler).start();
    try {
      server.client().newRequest(server.uri("/c/r")).timeout(10, TimeUnit.SECONDS).send();
      assertThat(server.client().newRequest(server.uri("/c/r")).timeout(10, TimeUnit.SECONDS).send()
          .getHeaders().get("X-Cache")).isEqualTo("HIT");

      handler.reconfigure(handler.gateway());

      assertThat(server.client().newRequest(server.uri("/c/r")).timeout(10, TimeUnit.SECONDS).send()
          .getHeaders().get("X-Cache")).isEqualTo("MISS");
      assertThat(upstream.requestCount()).isEqualTo(2);
    } finally {
      server.close();
    }
  }
}
