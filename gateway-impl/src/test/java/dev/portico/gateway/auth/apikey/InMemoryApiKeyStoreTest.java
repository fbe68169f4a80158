package dev.portico.gateway.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.auth.ApiKeyRecord;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InMemoryApiKeyStoreTest {
  private static final String PLAIN = "plain-key-0123456789abcdef";
  private static final String HASHED = "hashed-key-0123456789abcdef";

  private static Optional<ApiKeyRecord> find(InMemoryApiKeyStore store, String key) {
    return store.find(key).toCompletableFuture().join();
  }

  @Test
  void findsKeysGivenInPlaintextOrAsHashes() {
    InMemoryApiKeyStore store = InMemoryApiKeyStore.builder()
        .key(PLAIN, ApiKeyRecord.of("plain"))
        .hashedKey(InMemoryApiKeyStore.sha256Hex(HASHED).toUpperCase(), ApiKeyRecord.of("hashed", Set.of("a")))
        .build();

    assertThat(find(store, PLAIN)).map(ApiKeyRecord::principal).contains("plain");
    assertThat(find(store, HASHED)).contains(ApiKeyRecord.of("hashed", Set.of("a")));
    assertThat(store.size()).isEqualTo(2);
  }

  @Test
  void findsNothingForUnknownOrNearlyRightKeys() {
    InMemoryApiKeyStore store = InMemoryApiKeyStore.builder().key(PLAIN, ApiKeyRecord.of("plain")).build();

    assertThat(find(store, PLAIN.substring(1))).isEmpty();
    assertThat(find(store, PLAIN + " ")).isEmpty();
    assertThat(find(store, PLAIN.toUpperCase())).isEmpty();
    assertThat(find(store, "")).isEmpty();
  }

  @Test
  void hashesWithSha256InLowerCaseHex() {
    assertThat(InMemoryApiKeyStore.sha256Hex("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void keepsNoPlaintextKeyInItsState() {
    InMemoryApiKeyStore store = InMemoryApiKeyStore.builder().key(PLAIN, ApiKeyRecord.of("plain")).build();

    assertThat(store.toString()).doesNotContain(PLAIN);
    assertThat(reachableStrings(store)).doesNotContain(PLAIN);
  }

  @Test
  void generatesDistinct256BitKeys() {
    String a = InMemoryApiKeyStore.generateKey();
    String b = InMemoryApiKeyStore.generateKey();

    assertThat(a).hasSize(43).matches("[A-Za-z0-9_-]+").isNotEqualTo(b);
  }

  @Test
  void refusesShortOrPaddedPlaintextKeys() {
    assertThatThrownBy(() -> InMemoryApiKeyStore.builder().key("short", ApiKeyRecord.of("svc")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'svc'").hasMessageNotContaining("short\"");
    assertThatThrownBy(() -> InMemoryApiKeyStore.builder().key(" " + PLAIN, ApiKeyRecord.of("svc")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("white space");
  }

  @Test
  void refusesHashesThatAreNotSha256Hex() {
    assertThatThrownBy(() -> InMemoryApiKeyStore.builder().hashedKey("abc", ApiKeyRecord.of("svc")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 hex digits");
    assertThatThrownBy(() -> InMemoryApiKeyStore.builder().hashedKey("z".repeat(64), ApiKeyRecord.of("svc")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 hex digits");
  }

  @Test
  void refusesTheSameKeyTwiceNamingPrincipalsNotTheKey() {
    InMemoryApiKeyStore.Builder builder = InMemoryApiKeyStore.builder()
        .key(PLAIN, ApiKeyRecord.of("first"))
        .hashedKey(InMemoryApiKeyStore.sha256Hex(PLAIN), ApiKeyRecord.of("second"));

    assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'first'").hasMessageContaining("'second'").hasMessageNotContaining(PLAIN);
  }

  /** Every String reachable from {@code root} through fields, arrays, maps and collections. */
  private static java.util.List<String> reachableStrings(Object root) {
    java.util.List<String> found = new java.util.ArrayList<>();
    java.util.Set<Object> visited = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    java.util.ArrayDeque<Object> todo = new java.util.ArrayDeque<>(java.util.List.of(root));
    while (!todo.isEmpty()) {
      Object o = todo.pop();
      if (!visited.add(o)) {
        continue;
      }
      if (o instanceof String s) {
        found.add(s);
      } else if (o instanceof java.util.Map<?, ?> m) {
        m.forEach((k, v) -> { todo.push(k); if (v != null) todo.push(v); });
      } else if (o instanceof Iterable<?> it) {
        it.forEach(e -> { if (e != null) todo.push(e); });
      } else if (o instanceof Object[] array) {
        for (Object e : array) {
          if (e != null) {
            todo.push(e);
          }
        }
      } else if (o.getClass().getName().startsWith("dev.portico")) {
        for (java.lang.reflect.Field f : o.getClass().getDeclaredFields()) {
          if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
            continue;
          }
          f.setAccessible(true);
          try {
            Object v = f.get(o);
            if (v != null) {
              todo.push(v);
            }
          } catch (IllegalAccessException e) {
            throw new AssertionError(e);
          }
        }
      }
    }
    return found;
  }
}
