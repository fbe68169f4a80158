package dev.portico.gateway.cache.caffeine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.portico.gateway.internal.cache.CacheEntry;
import dev.portico.gateway.internal.cache.CacheStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Makes {@link CacheStore}s on Caffeine, bounded by weight (bytes). Maintenance runs on the
 * calling thread, so a store is within its bound when {@code put} returns. Loaded by name from
 * {@code Integrations}. Not public API.
 */
final class CaffeineCacheStores implements CacheStore.Factory {
  /** The most variants one key keeps; a new one replaces the oldest. */
  static final int MAX_VARIANTS = 8;

  CaffeineCacheStores() {}

  @Override
  public CacheStore create(long maxBytes, @Nullable Runnable onEviction) {
    return new Store(maxBytes, onEviction);
  }

  private static final class Store implements CacheStore {
    private final Cache<String, List<CacheEntry>> cache;
    private final LongAdder evictions = new LongAdder();

    Store(long maxBytes, @Nullable Runnable onEviction) {
      this.cache = Caffeine.newBuilder()
          .maximumWeight(maxBytes)
          .weigher((String key, List<CacheEntry> variants) -> weight(key, variants))
          .executor(Runnable::run)
          .removalListener((String key, List<CacheEntry> value, RemovalCause cause) -> {
            if (cause == RemovalCause.SIZE) {
              evictions.increment();
              if (onEviction != null) {
                onEviction.run();
              }
            }
          })
          .build();
    }

    private static int weight(String key, List<CacheEntry> variants) {
      long w = key.length();
      for (CacheEntry e : variants) {
        w += e.weight();
      }
      return (int) Math.min(Integer.MAX_VALUE, w);
    }

    @Override
    public List<CacheEntry> get(String key) {
      List<CacheEntry> variants = cache.getIfPresent(key);
      return variants == null ? List.of() : variants;
    }

    @Override
    public void put(String key, CacheEntry entry) {
      cache.asMap().compute(key, (k, old) -> {
        List<CacheEntry> next = new ArrayList<>(old == null ? 1 : old.size() + 1);
        if (old != null) {
          for (CacheEntry e : old) {
            if (!e.varyNames().equals(entry.varyNames()) || !e.varyValues().equals(entry.varyValues())) {
              next.add(e);
            }
          }
        }
        next.add(entry);
        while (next.size() > MAX_VARIANTS) {
          next.remove(0);
        }
        return List.copyOf(next);
      });
      cache.cleanUp();   // evict now, on this thread: the store is within its bound when put returns
    }

    @Override
    public void invalidate(String key) {
      cache.invalidate(key);
    }

    @Override
    public long weightedSize() {
      cache.cleanUp();
      return cache.policy().eviction().flatMap(e -> e.weightedSize().isPresent()
          ? java.util.Optional.of(e.weightedSize().getAsLong()) : java.util.Optional.empty()).orElse(0L);
    }

    @Override
    public long size() {
      return cache.estimatedSize();
    }

    @Override
    public long evictions() {
      return evictions.sum();
    }
  }
}
