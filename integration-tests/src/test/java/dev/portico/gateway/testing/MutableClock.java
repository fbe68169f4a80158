package dev.portico.gateway.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that tests move forward by hand. */
public final class MutableClock extends Clock {
  private volatile Instant now;

  /** A clock at {@code start} until moved. */
  public MutableClock(Instant start) {
    this.now = start;
  }

  /** A clock at the current whole second. */
  public static MutableClock atNow() {
    // Whole seconds: JWT times are whole seconds.
    return new MutableClock(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
  }

  /** Moves the time forward by {@code duration}. */
  public void advance(Duration duration) {
    now = now.plus(duration);
  }

  /** Sets the time. */
  public void set(Instant instant) {
    now = instant;
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
