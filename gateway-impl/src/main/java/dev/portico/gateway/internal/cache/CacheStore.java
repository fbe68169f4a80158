package dev.portico.gateway.internal.cache;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A route's stored responses, bounded in bytes: for each key (method, scheme, authority, path and
 * query as forwarded upstream), the variants its {@code Vary} header tells apart. The Caffeine
 * integration implements it; the engine gets one from
 * {@link dev.portico.gateway.internal.spi.Integrations#responseCaches()}. Thread-safe. Not public API.
 */
public interface CacheStore {

  /** Returns the variants stored for {@code key}, empty when none. */
  List<CacheEntry> get(String key);

  /** Stores {@code entry} for {@code key}, replacing the variant with the same {@code Vary} values. */
  void put(String key, CacheEntry entry);

  /** Drops every variant stored for {@code key}. */
  void invalidate(String key);

  /** Returns the weight of what is stored, in bytes, after pending evictions ran. */
  long weightedSize();

  /** Returns how many keys are stored. */
  long size();

  /** Returns how many keys were evicted to stay within the bound. */
  long evictions();

  /** Makes stores for routes. */
  interface Factory {
    /**
     * Returns a new store of at most {@code maxBytes} bytes; {@code onEviction} is told each
     * eviction for size (quick, never throws), or is null.
     */
    CacheStore create(long maxBytes, @Nullable Runnable onEviction);
  }
}
