package dev.portico.gateway.internal.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The retry budget's window and the back-off's bounds, on a clock the test moves. */
class RetryLimitsTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(50 * SECOND);

  @Test
  void theBudgetAllowsItsShareOfRequests() {
    RetryBudget budget = new RetryBudget(20, 0, now::get);
    for (int i = 0; i < 50; i++) {
      budget.request();
    }

    int allowed = 0;
    while (budget.tryRetry()) {
      allowed++;
    }

    assertThat(allowed).isEqualTo(10);
  }

  @Test
  void theMinimumPerSecondLetsAQuietRouteRetry() {
    RetryBudget budget = new RetryBudget(0, 2, now::get);
    int allowed = 0;
    while (budget.tryRetry()) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(20);   // 2 per second over the 10 s window
  }

  @Test
  void requestsAndRetriesLeaveTheWindowAfterTenSeconds() {
    RetryBudget budget = new RetryBudget(10, 0, now::get);
    for (int i = 0; i < 100; i++) {
      budget.request();
    }
    while (budget.tryRetry()) {
      // spend it
    }
    now.addAndGet(10 * SECOND);

    assertThat(budget.tryRetry()).as("the old requests no longer count").isFalse();
    for (int i = 0; i < 10; i++) {
      budget.request();
    }
    assertThat(budget.tryRetry()).as("nor do the old retries").isTrue();
  }

  @Test
  void backoffIsFullJitterUnderAnExponentialCap() {
    SplittableRandom random = new SplittableRandom(42);
    long base = 25_000_000L;
    long max = 1_000_000_000L;
    for (int retry = 1; retry <= 10; retry++) {
      long cap = Math.min(max, base << (retry - 1));
      long highest = 0;
      for (int i = 0; i < 2_000; i++) {
        long wait = Backoff.nanos(retry, base, max, random);
        assertThat(wait).isBetween(0L, cap);
        highest = Math.max(highest, wait);
      }
      assertThat(highest).as("retry %d reaches near its cap", retry).isGreaterThan(cap * 9 / 10);
    }
    assertThat(Backoff.nanos(3, 0, 0, random)).isZero();
  }
}
