package dev.portico.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.ratelimit.bucket4j.LimitBuilder;
import dev.portico.gateway.ratelimit.bucket4j.Refill;
import dev.portico.gateway.test.TestExchange;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The in-memory limiter: the shared contract, plus its store's bounds and its own clock. */
class Bucket4jRateLimiterTest extends RateLimiterContractTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Override
  protected RateLimiter limiter(Consumer<LimitBuilder<?>> spec) {
    Bucket4jRateLimiter.Builder builder = Bucket4jRateLimiter.builder();
    spec.accept(builder);
    return builder.build();
  }

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Test
  void byDefaultFivePerMinuteLetsExactlyFiveThroughInTheFirstMinute() {
    Bucket4jRateLimiter limiter = Bucket4jRateLimiter.builder().bandwidth(5, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.clientIp()).timeSource(nanos::get).build();
    int allowed = 0;
    RateLimitDecision firstRefused = null;
    // One attempt a second through the whole first minute.
    for (int second = 0; second < 60; second++) {
      RateLimitDecision decision = limiter.decide(TestExchange.on("api"));
      if (decision.isAllowed()) {
        allowed++;
      } else if (firstRefused == null) {
        firstRefused = decision;
        assertThat(second).as("the sixth attempt is the first refused").isEqualTo(5);
      }
      advance(Duration.ofSeconds(1));
    }

    assertThat(allowed).as("allowed in the first minute").isEqualTo(5);
    assertThat(firstRefused).isNotNull();
    assertThat(firstRefused.retryAfter()).as("until the minute ends").isEqualTo(Duration.ofSeconds(55));
    RateLimitDecision nextMinute = limiter.decide(TestExchange.on("api"));
    assertThat(nextMinute.isAllowed()).as("the next minute starts full").isTrue();
    assertThat(nextMinute.remaining()).isEqualTo(4);
  }

  @Test
  void smoothedRefillLetsFiveThroughAtOnceThenOneEveryTwelveSeconds() {
    Bucket4jRateLimiter limiter = Bucket4jRateLimiter.builder().bandwidth(5, Duration.ofMinutes(1)).refill(Refill.GREEDY)
        .keyResolver(KeyResolver.clientIp()).timeSource(nanos::get).build();
    int allowed = 0;
    RateLimitDecision firstRefused = null;
    for (int second = 0; second < 60; second++) {
      RateLimitDecision decision = limiter.decide(TestExchange.on("api"));
      if (decision.isAllowed()) {
        allowed++;
      } else if (firstRefused == null) {
        firstRefused = decision;
      }
      advance(Duration.ofSeconds(1));
    }

    assertThat(allowed).as("5 at once, then at 12, 24, 36 and 48 s").isEqualTo(9);
    assertThat(firstRefused).isNotNull();
    assertThat(firstRefused.retryAfter()).as("one token is 12 s; 5 s have passed").isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void greedyRefillReturnsTokensContinuously() throws Exception {
    Bucket4jRateLimiter limiter = Bucket4jRateLimiter.builder().bandwidth(60, Duration.ofMinutes(1)).refill(Refill.GREEDY)
        .keyResolver(KeyResolver.clientIp()).timeSource(nanos::get).build();
    for (int i = 0; i < 60; i++) {
      limiter.decide(TestExchange.on("api"));
    }
    assertThat(limiter.decide(TestExchange.on("api")).isAllowed()).isFalse();

    advance(Duration.ofSeconds(1));

    assertThat(limiter.decide(TestExchange.on("api")).isAllowed()).as("one token back after a second").isTrue();
    assertThat(limiter.decide(TestExchange.on("api")).isAllowed()).isFalse();
  }

  @Test
  void intervalRefillReturnsAllTokensAtTheEndOfThePeriod() throws Exception {
    Bucket4jRateLimiter limiter = Bucket4jRateLimiter.builder().bandwidth(60, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.clientIp()).timeSource(nanos::get).build();
    for (int i = 0; i < 60; i++) {
      limiter.decide(TestExchange.on("api"));
    }

    advance(Duration.ofSeconds(59));
    assertThat(limiter.decide(TestExchange.on("api")).isAllowed()).as("nothing back before the minute ends").isFalse();
    advance(Duration.ofSeconds(1));

    RateLimitDecision refilled = limiter.decide(TestExchange.on("api"));
    assertThat(refilled.isAllowed()).isTrue();
    assertThat(refilled.remaining()).isEqualTo(59);
  }

  @Test
  void newBucketsStartWithTheInitialTokens() {
    Bucket4jRateLimiter limiter = Bucket4jRateLimiter.builder().bandwidth(100, Duration.ofMinutes(1)).initialTokens(2)
        .keyResolver(KeyResolver.clientIp()).timeSource(nanos::get).build();

    assertThat(limiter.decide(TestExchange.on("api")).remaining()).isEqualTo(1);
    assertThat(limiter.decide(TestExchange.on("api")).remaining()).isEqualTo(0);
    assertThat(limiter.decide(TestExchange.on("api")).isAllowed()).isFalse();
  }

  @Test
  void idleBucketsExpireOnceTheyWouldBeFullAgain() {
    Bucket4jRateLimiter limiter = Bucket4jRateLimiter.builder().bandwidth(10, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.clientIp()).timeSource(nanos::get).build();
    for (int i = 0; i < 100; i++) {
      limiter.decide(TestExchange.on("api").from("10.0.0." + i));
    }
    assertThat(limiter.size()).isEqualTo(100);

    advance(Duration.ofSeconds(30));
    limiter.decide(TestExchange.on("api").from("10.0.1.1"));
    assertThat(limiter.size()).as("nothing idle for a whole period yet").isEqualTo(101);

    advance(Duration.ofSeconds(31));
    limiter.decide(TestExchange.on("api").from("10.0.1.2"));

    assertThat(limiter.size()).as("the first hundred were idle for a period; the last two stay").isEqualTo(2);
  }

  @Test
  void aKeyFloodKeepsTheStoreBoundedAndBusyKeysLimited() {
    Bucket4jRateLimiter limiter = Bucket4jRateLimiter.builder().bandwidth(5, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.clientIp()).maxKeys(1_000).timeSource(nanos::get).build();
    TestExchange busy = TestExchange.on("api").from("192.0.2.1");
    int busyAllowed = 0;

    for (int i = 0; i < 50_000; i++) {
      advance(Duration.ofNanos(1_000));
      limiter.decide(TestExchange.on("api").from("flood-" + i));
      assertThat(limiter.size()).isLessThanOrEqualTo(1_000);
      if (i % 100 == 0 && limiter.decide(busy).isAllowed()) {
        busyAllowed++;
      }
    }

    assertThat(busyAllowed).as("a key in steady use keeps its bucket through the flood").isEqualTo(5);
  }

  @Test
  void differentKeysDoNotShareAnything() throws Exception {
    Bucket4jRateLimiter limiter = Bucket4jRateLimiter.perKey(1, Duration.ofMinutes(1), KeyResolver.header("X-Tenant"));

    assertThat(limiter.decide(TestExchange.on("api").header("X-Tenant", "a")).isAllowed()).isTrue();
    assertThat(limiter.decide(TestExchange.on("api").header("X-Tenant", "b")).isAllowed()).isTrue();
    assertThat(limiter.decide(TestExchange.on("api").header("X-Tenant", "a")).isAllowed()).isFalse();
  }

  @Test
  void buildErrorsNameTheLimiterAndTheField() {
    assertThatThrownBy(() -> Bucket4jRateLimiter.builder().name("orders").bandwidth(1, Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("rate limiter 'orders'").hasMessageContaining("keyResolver");
    assertThatThrownBy(() -> Bucket4jRateLimiter.builder().name("orders").keyResolver(KeyResolver.clientIp()).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("rate limiter 'orders'").hasMessageContaining("no bandwidth");
    assertThatThrownBy(() -> Bucket4jRateLimiter.builder().bandwidth(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity: 0");
    assertThatThrownBy(() -> Bucket4jRateLimiter.builder().name("fast").bandwidth(Long.MAX_VALUE / 4, Duration.ofHours(1))
        .keyResolver(KeyResolver.clientIp()).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("rate limiter 'fast'").hasMessageContaining("refill rate");
    assertThatThrownBy(() -> Bucket4jRateLimiter.builder().name("a\"b"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
