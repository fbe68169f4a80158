package dev.portico.gateway.test;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that stands still until a test moves it, for token expiry and rate limits without
 * waiting. It is a {@link Clock} (wall time, for {@code JwtAuthenticator.builder().clock(..)} and
 * {@link FakeIdentityProvider.Builder#clock}) and a monotonic nanosecond counter ({@link #nanoTime},
 * for {@code Bucket4jRateLimiter.builder().timeSource(..)}); both move together.
 *
 * <pre>{@code
 * TestClock clock = TestClock.atNow();
 * Bucket4jRateLimiter limiter = Bucket4jRateLimiter.builder()
 *     .bandwidth(1, Duration.ofMinutes(1)).keyResolver(KeyResolver.clientIp())
 *     .timeSource(clock::nanoTime)
 *     .build();
 * // ... one request passes, the next is answered 429 ...
 * clock.advance(Duration.ofMinutes(1));
 * // ... and the next passes again
 * }</pre>
 *
 * <p>Thread-safe: readers on any thread see each {@link #advance} once it returned.
 */
public final class TestClock extends Clock {
  private final Instant start;
  private final AtomicLong elapsedNanos = new AtomicLong();

  private TestClock(Instant start) {
    this.start = start;
  }

  /** Returns a clock at the current wall time, truncated to whole seconds (as JWT times are). */
  public static TestClock atNow() {
    return at(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
  }

  /** Returns a clock at {@code instant}. */
  public static TestClock at(Instant instant) {
    return new TestClock(requireNonNull(instant, "instant"));
  }

  /**
   * Moves the clock forward by {@code duration}.
   *
   * @throws IllegalArgumentException if {@code duration} is negative: this clock never goes back
   */
  public void advance(Duration duration) {
    requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration: " + duration + " (expected: >= 0; the clock never goes back)");
    }
    elapsedNanos.addAndGet(duration.toNanos());
  }

  /** Returns the nanoseconds this clock was advanced by: a monotonic counter that starts at 0. */
  public long nanoTime() {
    return elapsedNanos.get();
  }

  @Override
  public Instant instant() {
    return start.plusNanos(elapsedNanos.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  /** Returns this clock: it always reports UTC, and a copy in another zone would not move with it. */
  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public String toString() {
    return "TestClock{" + instant() + "}";
  }
}
