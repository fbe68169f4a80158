package dev.portico.gateway.cache.caffeine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.internal.cache.CacheControl;
import dev.portico.gateway.internal.cache.CacheEntry;
import dev.portico.gateway.internal.cache.CacheStore;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CaffeineCacheStoresTest {

  private static CacheEntry entry(int bytes, String vary) {
    return new CacheEntry(200, HttpHeaders.empty(), new byte[bytes], vary.isEmpty() ? List.of() : List.of("accept"),
        vary.isEmpty() ? List.of() : List.of(vary), 0, System.currentTimeMillis(), 100, CacheControl.NONE);
  }

  @Test
  void staysWithinItsByteBoundUnderConcurrentInsertsAndCountsEvictions() {
    AtomicInteger told = new AtomicInteger();
    CacheStore store = new CaffeineCacheStores().create(1_000_000, told::incrementAndGet);

    IntStream.range(0, 2_000).parallel().forEach(i -> store.put("k" + i, entry(10_000, "")));

    assertThat(store.weightedSize()).isLessThanOrEqualTo(1_000_000);
    assertThat(store.evictions()).isGreaterThanOrEqualTo(1_900);
    assertThat(told.get()).isEqualTo((int) store.evictions());
  }

  @Test
  void keepsOneVariantPerVaryValueAndInvalidatesThemAll() {
    CacheStore store = new CaffeineCacheStores().create(1_000_000, null);
    store.put("k", entry(1, "a"));
    store.put("k", entry(2, "b"));
    store.put("k", entry(3, "a"));

    assertThat(store.get("k")).extracting(e -> e.body().length).containsExactly(2, 3);
    store.invalidate("k");
    assertThat(store.get("k")).isEmpty();
  }

  @Test
  void keepsAtMostEightVariantsPerKey() {
    CacheStore store = new CaffeineCacheStores().create(1_000_000, null);
    for (int i = 0; i < 20; i++) {
      store.put("k", entry(1, "v" + i));
    }
    assertThat(store.get("k")).hasSize(CaffeineCacheStores.MAX_VARIANTS);
  }
}
