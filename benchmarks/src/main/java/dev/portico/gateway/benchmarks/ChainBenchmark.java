package dev.portico.gateway.benchmarks;

import dev.portico.gateway.AccessLog;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.IpRules;
import dev.portico.gateway.ResponseBody;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.internal.GatewayRuntime;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.observe.json.JsonAccessLog;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One request through the engine's per-request path, without a socket: {@link GatewayRuntime#handle}
 * with an in-memory client leg ({@link InMemoryClientExchange}), the way the Jetty and servlet
 * adapters call it.
 *
 * <ul>
 *   <li>{@code emptyChain}: a GET on a route with no policies (no authenticator, limiter,
 *       transform, validation, CORS; access log disabled). The engine normalizes the path, matches
 *       the route, takes or makes the request id, sets up the exchange (trace context, observer,
 *       exchange tracking) and runs the route's chain. The proxy step needs a socket, so the chain's
 *       only link is a filter that answers 200 with a fixed 2-byte body at once, standing in for
 *       the upstream; the engine then writes that response and ends the exchange. What is left
 *       out is the upstream leg: endpoint choice, the Jetty client request, the response headers'
 *       copy and the body copy loop.
 *   <li>{@code fullChain}: the same request through the policies of the load test's
 *       {@code portico-full} target: a cached HS256 bearer token checked ({@link JwtAuthenticator}),
 *       an in-memory rate limit per client IP that never refuses ({@link Bucket4jRateLimiter}) and
 *       the JSON access log, whose lines go to a {@link Blackhole}. {@code fullChain - emptyChain}
 *       is what those policies cost a request.
 *   <li>{@code noRoute}: a path no route matches, answered 404 with the engine's problem JSON.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChainBenchmark {
  /** What a browser or SDK typically sends: 7 fields. */
  private static final HttpFields HEADERS = HttpFields.build()
      .add(HttpHeader.HOST, "api.example.com")
      .add(HttpHeader.USER_AGENT, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)")
      .add(HttpHeader.ACCEPT, "application/json")
      .add(HttpHeader.ACCEPT_ENCODING, "gzip, deflate, br")
      .add(HttpHeader.ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
      .add(HttpHeader.CONNECTION, "keep-alive")
      .add("X-Forwarded-Proto", "https")
      .asImmutable();
  private static final CompletionStage<GatewayResponse> OK = CompletableFuture.completedFuture(
      GatewayResponse.of(200, HttpHeaders.builder().add("Content-Type", "application/json").build(),
          ResponseBody.of("{}".getBytes(StandardCharsets.US_ASCII))));

  private GatewayRuntime runtime;
  private InMemoryClientExchange routed;
  private InMemoryClientExchange unrouted;
  private GatewayRuntime fullRuntime;
  private InMemoryClientExchange fullRouted;
  private GatewayRuntime ipRulesRuntime;
  private InMemoryClientExchange ipRulesRouted;

  @Setup
  public void start(Blackhole blackhole) throws Exception {
    Gateway gateway = Gateway.builder()
        .accessLog(AccessLog.disabled())
        .route("orders", r -> r.path("/api/orders/**")
            .filter((exchange, chain) -> OK)
            .upstream("http://127.0.0.1:9"))
        .build();
    runtime = GatewayRuntime.create(gateway, GatewayObserver.none());
    runtime.start();
    routed = new InMemoryClientExchange("GET", "/api/orders/12345/items", HEADERS);
    unrouted = new InMemoryClientExchange("GET", "/nowhere/12345", HEADERS);
    Gateway full = Gateway.builder()
        .accessLog(JsonAccessLog.builder().sink(blackhole::consume).build())
        .authenticator(JwtAuthenticator.builder().hmacSecret(ProxyTargets.SECRET).audience("bench").build())
        .rateLimiter(Bucket4jRateLimiter.perKey(100_000_000L, Duration.ofSeconds(1), KeyResolver.clientIp()))
        .route("orders", r -> r.path("/api/orders/**")
            .filter((exchange, chain) -> OK)
            .upstream("http://127.0.0.1:9"))
        .build();
    fullRuntime = GatewayRuntime.create(full, GatewayObserver.none());
    fullRuntime.start();
    fullRouted = new InMemoryClientExchange("GET", "/api/orders/12345/items", HttpFields.build(HEADERS)
        .add(HttpHeader.AUTHORIZATION, "Bearer " + ProxyTargets.token()).asImmutable());
    // The empty chain's route behind client address rules the peer passes (three blocks checked).
    Gateway ipRules = Gateway.builder()
        .accessLog(AccessLog.disabled())
        .ipRules(IpRules.deny("203.0.113.0/24"))
        .route("orders", r -> r.path("/api/orders/**")
            .ipRules(ip -> ip.allow("10.0.0.0/8", "2001:db8::/32", "127.0.0.0/8"))
            .filter((exchange, chain) -> OK)
            .upstream("http://127.0.0.1:9"))
        .build();
    ipRulesRuntime = GatewayRuntime.create(ipRules, GatewayObserver.none());
    ipRulesRuntime.start();
    ipRulesRouted = new InMemoryClientExchange("GET", "/api/orders/12345/items", HEADERS);
    if (emptyChain() != 200 || noRoute() != 404 || fullChain() != 200 || ipRulesChain() != 200) {
      throw new IllegalStateException("unexpected answers: " + routed.outcome() + ", " + unrouted.outcome()
          + ", " + fullRouted.outcome());
    }
  }

  @TearDown
  public void stop() throws Exception {
    runtime.stop();
    fullRuntime.stop();
    ipRulesRuntime.stop();
  }

  @Benchmark
  public int emptyChain() {
    runtime.handle(routed.reset(), false);
    return routed.outcome();
  }

  @Benchmark
  public int fullChain() {
    fullRuntime.handle(fullRouted.reset(), false);
    return fullRouted.outcome();
  }

  /** {@link #emptyChain()} with gateway and route IP rules that let the client through. */
  @Benchmark
  public int ipRulesChain() {
    ipRulesRuntime.handle(ipRulesRouted.reset(), false);
    return ipRulesRouted.outcome();
  }

  @Benchmark
  public int noRoute() {
    runtime.handle(unrouted.reset(), false);
    return unrouted.outcome();
  }
}
