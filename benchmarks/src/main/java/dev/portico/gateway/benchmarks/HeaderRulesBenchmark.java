package dev.portico.gateway.benchmarks;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.FilterChain;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.ResponseBody;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.internal.chain.HeaderRulesStep;
import dev.portico.gateway.transform.HeaderRules;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A route's header transforms ({@link HeaderRules} with {@link dev.portico.gateway.transform.ValueTemplate}
 * values), applied by the engine's own step, {@link HeaderRulesStep}, to a realistic header set.
 *
 * <p>The step is the engine's own (public in its internal package for this reason): the benchmark
 * calls the code the gateway runs, not a copy of it.
 *
 * <ul>
 *   <li>{@code requestStep}: the request step as the chain runs it: 6 rules (2 {@code set} with
 *       {@code {identity.subject}} and {@code {clientIp}}, {@code add} of {@code gw-{requestId}},
 *       {@code append} to {@code Via}, 2 {@code remove}) on 12 request headers, then the request
 *       rebuilt with them and the exchange replaced;
 *   <li>{@code responseStep}: the response step: {@code stripInternal()} (6 removes), a
 *       {@code set} of {@code {route.id}} and an {@code append} to {@code Vary}, on 9 upstream
 *       response headers;
 *   <li>{@code applyRequestRules}: only the rules' application to the request headers
 *       ({@code HeaderRulesStep.apply}), no request rebuilt;
 *   <li>{@code applyNoRules}: the same with no rules: the cost of copying the headers into a
 *       builder and back, which every rule set pays.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HeaderRulesBenchmark {
  private static final HeaderRules REQUEST_RULES = HeaderRules.builder()
      .set("X-Forwarded-User", "{identity.subject}")
      .set("X-Client-Ip", "{clientIp}")
      .add("X-Trace", "gw-{requestId}")
      .append("Via", "1.1 portico")
      .remove("Cookie", "X-Debug")
      .build();
  private static final HeaderRules RESPONSE_RULES = HeaderRules.builder()
      .stripInternal()
      .set("X-Served-By", "{route.id}")
      .append("Vary", "Origin")
      .build();

  private Exchange exchange;
  private HeaderRulesStep requestStep;
  private HeaderRulesStep responseStep;
  private FilterChain upstream;
  /** The exchange the request step passed on: kept, so the JIT cannot drop the work that made it. */
  private Exchange passedOn;

  @Setup
  public void build() {
    exchange = BenchExchange.get("/api/orders/12345",
        "Host", "api.example.com",
        "User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)",
        "Accept", "application/json",
        "Accept-Encoding", "gzip, deflate, br",
        "Accept-Language", "en-GB,en;q=0.9",
        "Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl",
        "Cookie", "session=0123456789abcdef; theme=dark",
        "Via", "1.1 edge-proxy",
        "X-Request-Id", "7f3c9a2e4b1d4e6f8a0b1c2d3e4f5a6b",
        "X-Forwarded-For", "203.0.113.7",
        "X-Forwarded-Proto", "https",
        "X-Debug", "1")
        .as(Identity.builder("alice").scopes(Set.of("orders:read")).build());
    requestStep = HeaderRulesStep.request(REQUEST_RULES);
    responseStep = HeaderRulesStep.response(RESPONSE_RULES);
    HttpHeaders upstreamHeaders = HttpHeaders.builder()
        .add("Content-Type", "application/json")
        .add("Content-Length", "512")
        .add("Date", "Thu, 26 Nov 2026 09:00:00 GMT")
        .add("Server", "nginx/1.22.1")
        .add("X-Powered-By", "Express")
        .add("Cache-Control", "no-cache")
        .add("Vary", "Accept-Encoding")
        .add("ETag", "\"5f3c-1a2b\"")
        .add("X-Runtime", "0.012")
        .build();
    CompletionStage<GatewayResponse> response = CompletableFuture.completedFuture(
        GatewayResponse.of(200, upstreamHeaders, ResponseBody.empty()));
    upstream = next -> {
      passedOn = next;
      return response;
    };
    // What the steps do, checked once: a benchmark of rules that silently do nothing measures nothing.
    HttpHeaders out = applyRequestRules();
    if (!out.first("X-Forwarded-User").equals(java.util.Optional.of("alice")) || out.contains("Cookie")
        || !out.first("Via").equals(java.util.Optional.of("1.1 edge-proxy, 1.1 portico"))) {
      throw new IllegalStateException("request rules not applied: " + out);
    }
    HttpHeaders back = responseStep().toCompletableFuture().join().headers();
    if (back.contains("Server") || !back.first("X-Served-By").isPresent()) {
      throw new IllegalStateException("response rules not applied: " + back);
    }
  }

  @Benchmark
  public CompletionStage<GatewayResponse> requestStep() {
    return requestStep.filter(exchange, upstream);
  }

  @Benchmark
  public CompletionStage<GatewayResponse> responseStep() {
    return responseStep.filter(exchange, upstream);
  }

  @Benchmark
  public HttpHeaders applyRequestRules() {
    return HeaderRulesStep.apply(REQUEST_RULES.rules(), exchange.request().headers(), exchange, "request-headers");
  }

  @Benchmark
  public HttpHeaders applyNoRules() {
    return HeaderRulesStep.apply(List.of(), exchange.request().headers(), exchange, "request-headers");
  }
}
