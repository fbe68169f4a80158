package dev.portico.gateway.ratelimit.bucket4j;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.LocalBucketBuilder;
import io.github.bucket4j.local.SynchronizationStrategy;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory buckets of one limiter: a lock-free Bucket4j bucket per (quota slot, key) in a
 * {@link ConcurrentHashMap}, so requests of different keys never contend.
 *
 * <p>Bounded: when a new key would take the count past {@code maxKeys}, or when {@code idleNanos}
 * have passed since the last sweep, one thread sweeps (others go on): buckets unused for
 * {@code idleNanos} go first (with the default, the longest period, such a bucket is full again,
 * so dropping it changes nothing); if that is not enough, the least recently used tenth. A flood
 * of new keys therefore costs bounded memory and, amortized, a few nanoseconds per new key. Keys
 * that stay busy are never the least recently used, so their limits hold.
 */
final class BucketStore {
  private static final int EVICT_DIVISOR = 10;

  /** A bucket and when it was last used. */
  static final class Entry {
    final Bucket bucket;
    volatile long lastUsedNanos;

    Entry(Bucket bucket, long now) {
      this.bucket = bucket;
      this.lastUsedNanos = now;
    }
  }

  private final LimitDefinition definition;
  private final TimeMeter time;
  private final int maxKeys;
  private final long idleNanos;
  private final ConcurrentHashMap<String, Entry>[] bySlot;
  private final @Nullable Entry[] anonymous;
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private volatile long nextSweepNanos;

  @SuppressWarnings("unchecked")
  BucketStore(LimitDefinition definition, TimeMeter time, int maxKeys, long idleNanos) {
    this.definition = definition;
    this.time = time;
    this.maxKeys = maxKeys;
    this.idleNanos = idleNanos;
    int slots = definition.slotCount();
    this.bySlot = new ConcurrentHashMap[slots];
    this.anonymous = new Entry[slots];
    for (int i = 0; i < slots; i++) {
      bySlot[i] = new ConcurrentHashMap<>();
    }
    this.nextSweepNanos = time.currentTimeNanos() + idleNanos;
  }

  /** Returns the bucket of {@code key} (null: the anonymous one) in {@code slot}, creating it if needed. */
  Bucket bucket(int slot, @Nullable String key) {
    long now = time.currentTimeNanos();
    Entry entry;
    if (key == null) {
      entry = anonymousEntry(slot, now);
    } else {
      entry = bySlot[slot].get(key);
      if (entry == null) {
        entry = create(slot, key, now);
      }
    }
    entry.lastUsedNanos = now;
    return entry.bucket;
  }

  /** Returns the number of keyed buckets held now. */
  int size() {
    return size.get();
  }

  private Entry create(int slot, String key, long now) {
    Entry fresh = new Entry(newBucket(slot), now);
    Entry raced = bySlot[slot].putIfAbsent(key, fresh);
    if (raced != null) {
      return raced;
    }
    int count = size.incrementAndGet();
    if (count > maxKeys || now - nextSweepNanos >= 0) {
      sweep(now);
    }
    return fresh;
  }

  private synchronized Entry anonymousEntry(int slot, long now) {
    Entry entry = anonymous[slot];
    if (entry == null) {
      entry = new Entry(newBucket(slot), now);
      anonymous[slot] = entry;
    }
    return entry;
  }

  private Bucket newBucket(int slot) {
    LocalBucketBuilder builder = Bucket.builder()
        .withCustomTimePrecision(time)
        .withSynchronizationStrategy(SynchronizationStrategy.LOCK_FREE);
    for (io.github.bucket4j.Bandwidth bandwidth : definition.bandwidths(slot)) {
      builder.addLimit(bandwidth);
    }
    return builder.build();
  }

  /** Drops idle buckets, then, while still over the bound, the least recently used tenth. */
  private void sweep(long now) {
    if (!sweeping.compareAndSet(false, true)) {
      return;
    }
    try {
      nextSweepNanos = now + idleNanos;
      for (ConcurrentHashMap<String, Entry> map : bySlot) {
        for (Map.Entry<String, Entry> e : map.entrySet()) {
          if (now - e.getValue().lastUsedNanos >= idleNanos && map.remove(e.getKey(), e.getValue())) {
            size.decrementAndGet();
          }
        }
      }
      int count = size.get();
      if (count > maxKeys) {
        evictLeastRecentlyUsed(count - maxKeys + maxKeys / EVICT_DIVISOR);
      }
    } finally {
      sweeping.set(false);
    }
  }

  private void evictLeastRecentlyUsed(int howMany) {
    long[] lastUsed = new long[size.get() + 64];
    int n = 0;
    for (ConcurrentHashMap<String, Entry> map : bySlot) {
      for (Entry e : map.values()) {
        if (n == lastUsed.length) {
          lastUsed = Arrays.copyOf(lastUsed, n * 2);
        }
        lastUsed[n++] = e.lastUsedNanos;
      }
    }
    if (n == 0) {
      return;
    }
    // Sorted as differences from the oldest, so that nanoTime's wrap-around cannot reorder them.
    long base = Long.MAX_VALUE;
    long probe = lastUsed[0];
    for (int i = 0; i < n; i++) {
      base = Math.min(base, lastUsed[i] - probe);
    }
    for (int i = 0; i < n; i++) {
      lastUsed[i] = lastUsed[i] - probe - base;
    }
    Arrays.sort(lastUsed, 0, n);
    long threshold = lastUsed[Math.min(howMany, n) - 1] + probe + base;
    int left = howMany;
    for (ConcurrentHashMap<String, Entry> map : bySlot) {
      for (Map.Entry<String, Entry> e : map.entrySet()) {
        if (left > 0 && e.getValue().lastUsedNanos - threshold <= 0 && map.remove(e.getKey(), e.getValue())) {
          size.decrementAndGet();
          left--;
        }
      }
    }
  }
}
