package dev.portico.gateway.internal.upstream;

import java.util.function.LongSupplier;

/**
 * Caps retries at a share of requests: over a sliding window of ten one-second slots, a retry is
 * allowed while {@code retries < percent% of requests + minPerSecond * 10}. One per route with a
 * retry policy. Not public API.
 */
public final class RetryBudget {
  private static final int SLOTS = 10;
  private static final long SLOT_NANOS = 1_000_000_000L;

  private final int percent;
  private final int minPerWindow;
  private final LongSupplier nanoClock;
  private final long[] requests = new long[SLOTS];
  private final long[] retries = new long[SLOTS];
  private final long[] slotOf = new long[SLOTS];

  public RetryBudget(int percent, int minPerSecond, LongSupplier nanoClock) {
    this.percent = percent;
    this.minPerWindow = minPerSecond * SLOTS;
    this.nanoClock = nanoClock;
    java.util.Arrays.fill(slotOf, Long.MIN_VALUE);
  }

  /** Counts an original request (not a retry). */
  public synchronized void request() {
    requests[slot()]++;
  }

  /** Takes a retry from the budget if there is room; returns whether there was. */
  public synchronized boolean tryRetry() {
    int current = slot();
    long req = 0;
    long ret = 0;
    for (int i = 0; i < SLOTS; i++) {
      req += requests[i];
      ret += retries[i];
    }
    if (ret * 100 >= req * percent + minPerWindow * 100L) {
      return false;
    }
    retries[current]++;
    return true;
  }

  /** Returns the slot of now, clearing slots that fell out of the window. */
  private int slot() {
    long second = Math.floorDiv(nanoClock.getAsLong(), SLOT_NANOS);
    int index = (int) Math.floorMod(second, SLOTS);
    if (slotOf[index] != second) {
      slotOf[index] = second;
      requests[index] = 0;
      retries[index] = 0;
    }
    for (int i = 0; i < SLOTS; i++) {
      if (slotOf[i] != Long.MIN_VALUE && second - slotOf[i] >= SLOTS) {
        slotOf[i] = Long.MIN_VALUE;
        requests[i] = 0;
        retries[i] = 0;
      }
    }
    return index;
  }
}
