package dev.portico.gateway.auth.basic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.auth.Identity;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class Pbkdf2CredentialStoreTest {
  private static final int ITERATIONS = 1_000;

  private static Optional<Identity> verify(Pbkdf2CredentialStore store, String user, String password) throws Exception {
    return store.verify(user, password).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void hashesIntoIterationsSaltAndHashWithAFreshSalt() {
    String first = Pbkdf2CredentialStore.hash("secret".toCharArray(), ITERATIONS);
    String second = Pbkdf2CredentialStore.hash("secret".toCharArray(), ITERATIONS);

    assertThat(first).matches("pbkdf2-sha256\\$1000\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void verifiesAtTheDefaultIterationCount() throws Exception {
    String stored = Pbkdf2CredentialStore.hash("correct horse".toCharArray());
    Pbkdf2CredentialStore store = Pbkdf2CredentialStore.builder().user("alice", stored).build();

    assertThat(stored).startsWith("pbkdf2-sha256$600000$");
    assertThat(Pbkdf2CredentialStore.DEFAULT_ITERATIONS).isGreaterThanOrEqualTo(210_000);
    assertThat(verify(store, "alice", "correct horse")).map(Identity::subject).contains("alice");
  }

  @Test
  void refusesWrongPasswordsAndUnknownUsers() throws Exception {
    Pbkdf2CredentialStore store = Pbkdf2CredentialStore.builder()
        .user("alice", Pbkdf2CredentialStore.hash("secret".toCharArray(), ITERATIONS))
        .build();

    assertThat(verify(store, "alice", "Secret")).isEmpty();
    assertThat(verify(store, "alice", "")).isEmpty();
    assertThat(verify(store, "Alice", "secret")).isEmpty();
    assertThat(verify(store, "bob", "secret")).isEmpty();
  }

  @Test
  void hashesForUnknownUsersAsForKnownOnes() throws Exception {
    AtomicInteger hashes = new AtomicInteger();
    Executor counting = task -> {
      hashes.incrementAndGet();
      ForkJoinPool.commonPool().execute(task);
    };
    Pbkdf2CredentialStore store = Pbkdf2CredentialStore.builder()
        .user("alice", Pbkdf2CredentialStore.hash("secret".toCharArray(), ITERATIONS))
        .executor(counting)
        .build();

    verify(store, "alice", "wrong");
    verify(store, "nobody", "wrong");

    assertThat(hashes).hasValue(2);
  }

  @Test
  void usesTheIterationCountStoredWithEachUser() throws Exception {
    Pbkdf2CredentialStore store = Pbkdf2CredentialStore.builder()
        .user("low", Pbkdf2CredentialStore.hash("a".toCharArray(), 1))
        .user("higher", Pbkdf2CredentialStore.hash("b".toCharArray(), ITERATIONS))
        .build();

    assertThat(verify(store, "low", "a")).isPresent();
    assertThat(verify(store, "higher", "b")).isPresent();
  }

  @Test
  void refusesMalformedStoredHashesNamingTheUser() {
    assertThatThrownBy(() -> Pbkdf2CredentialStore.builder().user("alice", "plaintext"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user 'alice'").hasMessageNotContaining("plaintext");
    assertThatThrownBy(() -> Pbkdf2CredentialStore.builder().user("alice", "pbkdf2-sha256$x$AAAA$AAAA"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user 'alice'");
    assertThatThrownBy(() -> Pbkdf2CredentialStore.builder().user("alice", "pbkdf2-sha256$1000$AAAA$AAAA"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("salt");
    assertThatThrownBy(() -> Pbkdf2CredentialStore.builder().user("a:b", Pbkdf2CredentialStore.hash(new char[0], 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("colon");
  }
}
