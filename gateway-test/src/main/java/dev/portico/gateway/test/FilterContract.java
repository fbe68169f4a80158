package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.Filter;
import dev.portico.gateway.FilterChain;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Problem;
import dev.portico.gateway.ResponseBody;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link Filter} contract as JUnit 5 tests, for a filter of your own: extend this class and
 * return it from {@link #filter()}. The filter is called directly, with a chain that answers 200,
 * for each exchange of {@link #exchanges()} (by default a plain GET and some odd requests; add the
 * ones your filter takes or refuses).
 *
 * <pre>{@code
 * class RequireTenantFilterContractTest extends FilterContract {
 *   @Override
 *   protected Filter filter() {
 *     return Filters.requireTenant();
 *   }
 *
 *   @Override
 *   protected List<Exchange> exchanges() {
 *     List<Exchange> all = new ArrayList<>(super.exchanges());
 *     all.add(TestExchange.get("/api/orders", "X-Tenant", "acme"));
 *     return all;
 *   }
 * }
 * }</pre>
 *
 * <p>What is checked, for every exchange: {@code filter(..)} does not throw and returns a stage
 * that completes within {@link #timeout()} with a non-null response; the chain is called at most
 * once; a response the filter makes itself with status 400 or above is a refusal as a value, a
 * {@link GatewayResponse#problem(Problem) problem response} of that status, with
 * {@code WWW-Authenticate} on a 401, {@code Allow} on a 405 and {@code Retry-After} on a 429; a
 * chain that fails does not make the filter throw; and eight threads calling the filter at once
 * all get responses (one filter serves every exchange of its routes).
 */
public abstract class FilterContract {
  private static final GatewayResponse OK = GatewayResponse.of(200, HttpHeaders.empty(), ResponseBody.ofUtf8("ok"));

  /** For subclasses. */
  protected FilterContract() {}

  /** Returns the filter under test; called once per test. */
  protected abstract Filter filter() throws Exception;

  /** Releases what {@link #filter()} started; nothing by default. */
  protected void release() throws Exception {}

  /** Returns how long a stage may take to complete; 10 seconds by default. */
  protected Duration timeout() {
    return Duration.ofSeconds(10);
  }

  /**
   * Returns the exchanges each check sends through the filter: by default a GET of {@code /}, a
   * POST with a body's headers, a request from an IPv6 client with an identity, and requests with
   * odd paths, queries and headers. Override to add your own.
   */
  protected List<Exchange> exchanges() {
    return List.of(
        TestExchange.get("/"),
        TestExchange.of(GatewayRequest.builder("POST", "/api/orders")
            .header("Content-Type", "application/json").header("Content-Length", "2").build()),
        TestExchange.get("/api/orders/7").from("2001:db8::1").as("alice"),
        TestExchange.of(GatewayRequest.builder("DELETE", "/%2e%2e/%00/\u00ff").rawQuery("a=%zz&&=&a=1").build()),
        TestExchange.get("/x", "X-Forwarded-For", "not an address", "Authorization", "Bearer " + "a".repeat(8_000),
            "Accept", "", "Cookie", "a=1; a=2"));
  }

  @AfterEach
  final void releaseFilter() throws Exception {
    release();
  }

  /** A chain that answers {@code 200 ok} and counts its calls. */
  private static final class CountingChain implements FilterChain {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public CompletionStage<GatewayResponse> proceed(Exchange exchange) {
      calls.incrementAndGet();
      assertThat(exchange).as("exchange passed to the chain").isNotNull();
      return CompletableFuture.completedFuture(OK);
    }
  }

  private GatewayResponse run(Filter filter, Exchange exchange, FilterChain chain) throws Exception {
    CompletionStage<GatewayResponse> stage = filter.filter(exchange, chain);
    assertThat(stage).as("stage returned by %s for %s", filter.name(), exchange).isNotNull();
    GatewayResponse response = stage.toCompletableFuture().get(timeout().toMillis(), TimeUnit.MILLISECONDS);
    assertThat(response).as("response of %s for %s", filter.name(), exchange).isNotNull();
    return response;
  }

  /** Every exchange gets a non-null response, and the chain runs at most once for it. */
  @Test
  public void answersEveryExchangeAndProceedsAtMostOnce() throws Exception {
    Filter filter = filter();
    for (Exchange exchange : exchanges()) {
      CountingChain chain = new CountingChain();

      run(filter, exchange, chain);

      assertThat(chain.calls.get()).as("chain calls by %s for %s", filter.name(), exchange).isLessThanOrEqualTo(1);
    }
  }

  /** What the filter answers itself with 400 or above is a problem with the headers its status needs. */
  @Test
  public void refusesWithProblemResponsesThatCarryTheHeadersTheirStatusNeeds() throws Exception {
    Filter filter = filter();
    for (Exchange exchange : exchanges()) {
      CountingChain chain = new CountingChain();

      GatewayResponse response = run(filter, exchange, chain);

      if (chain.calls.get() == 0 && response.status() >= 400) {
        assertThat(response.problem()).as("refusal of %s for %s is a problem response", filter.name(), exchange)
            .isPresent();
        Problem problem = response.problem().orElseThrow();
        assertThat(problem.status()).as("problem status").isEqualTo(response.status());
        Map<Integer, String> required = Map.of(401, "WWW-Authenticate", 405, "Allow", 429, "Retry-After");
        String header = required.get(response.status());
        if (header != null) {
          assertThat(problem.headers().first(header).or(() -> response.headers().first(header)))
              .as("%s on %s's %d for %s", header, filter.name(), response.status(), exchange).isPresent();
        }
      }
    }
  }

  /** A failing chain does not make the filter throw; the failure travels in the stage, if at all. */
  @Test
  public void doesNotThrowWhenTheChainFails() throws Exception {
    Filter filter = filter();
    for (Exchange exchange : exchanges()) {
      assertThatCode(() -> {
        CompletionStage<GatewayResponse> stage = filter.filter(exchange,
            e -> CompletableFuture.failedFuture(new IllegalStateException("the upstream is gone (a test)")));
        assertThat(stage).as("stage returned by %s for %s", filter.name(), exchange).isNotNull();
        // Completes either way: with a response or with the chain's failure.
        stage.toCompletableFuture().handle((response, failure) -> null).get(timeout().toMillis(), TimeUnit.MILLISECONDS);
      }).doesNotThrowAnyException();
    }
  }

  /** Eight threads calling the filter at once all get responses. */
  @Test
  public void isSafeUnderConcurrentCalls() throws Exception {
    Filter filter = filter();
    List<Exchange> exchanges = exchanges();
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> answered = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        int caller = c;
        answered.add(callers.submit(() -> {
          start.await();
          int mine = 0;
          for (int i = 0; i < 50; i++) {
            run(filter, exchanges.get((caller + i) % exchanges.size()), new CountingChain());
            mine++;
          }
          return mine;
        }));
      }
      start.countDown();
      for (Future<Integer> f : answered) {
        assertThat(f.get(timeout().toMillis() * 3, TimeUnit.MILLISECONDS)).isEqualTo(50);
      }
    } finally {
      callers.shutdownNow();
    }
  }
}
