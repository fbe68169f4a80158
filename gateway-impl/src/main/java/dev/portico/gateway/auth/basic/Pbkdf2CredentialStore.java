package dev.portico.gateway.auth.basic;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.auth.CredentialStore;
import dev.portico.gateway.auth.Identity;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * A {@link CredentialStore} of users whose passwords are kept as salted PBKDF2-HMAC-SHA256 hashes,
 * in the form {@code pbkdf2-sha256$iterations$salt$hash} (salt and hash in base64).
 *
 * <pre>{@code
 * String stored = Pbkdf2CredentialStore.hash("correct horse".toCharArray());  // once, offline
 * Pbkdf2CredentialStore users = Pbkdf2CredentialStore.builder()
 *     .user("alice", stored, Set.of("admin"))
 *     .build();
 * }</pre>
 *
 * <p><b>Cost.</b> {@link #DEFAULT_ITERATIONS} (600,000, OWASP's 2023 figure for PBKDF2-HMAC-SHA256)
 * costs roughly half a second of one core per check, and Basic checks the password on every
 * request. So the hashing never runs on the calling thread (a Jetty selector or request thread):
 * it runs on a small bounded executor, by default {@code max(1, cores / 2)} daemon threads with
 * room for {@value #DEFAULT_QUEUE} waiting checks. When that is full the check fails at once and
 * the request is answered 503, so a flood of Basic requests cannot starve the rest of the host.
 * Pass {@link Builder#executor(Executor)} to size it yourself.
 *
 * <p><b>Timing.</b> An unknown user costs the same hashing as a known one (against a dummy hash
 * with the highest iteration count in the store), and hashes are compared with
 * {@link MessageDigest#isEqual}: neither the result nor its timing tells whether a user exists.
 * User names are compared exactly. Immutable and thread-safe.
 */
public final class Pbkdf2CredentialStore implements CredentialStore {
  /** The iteration count {@link #hash(char[])} uses. */
  public static final int DEFAULT_ITERATIONS = 600_000;
  /** How many checks may wait for the default executor. */
  public static final int DEFAULT_QUEUE = 64;
  /** The method of the identities this store returns, {@code basic}. */
  public static final String METHOD = "basic";

  private static final String PREFIX = "pbkdf2-sha256";
  private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final Map<String, User> users;
  private final User unknown;
  private final Executor executor;

  private record User(Identity identity, int iterations, byte[] salt, byte[] hash) {}

  private Pbkdf2CredentialStore(Map<String, User> users, User unknown, Executor executor) {
    this.users = users;
    this.unknown = unknown;
    this.executor = executor;
  }

  /** Returns a new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Hashes {@code password} with a new random salt and {@link #DEFAULT_ITERATIONS}, for storing. */
  public static String hash(char[] password) {
    return hash(password, DEFAULT_ITERATIONS);
  }

  /** Hashes {@code password} with a new random salt and {@code iterations}, for storing. */
  public static String hash(char[] password, int iterations) {
    requireNonNull(password, "password");
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations: " + iterations + " (expected: > 0)");
    }
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
        + b64.encodeToString(derive(password, salt, iterations));
  }

  @Override
  public CompletionStage<Optional<Identity>> verify(String username, String password) {
    User user = users.get(username);
    User against = user != null ? user : unknown;
    try {
      return CompletableFuture.supplyAsync(() -> {
        char[] chars = password.toCharArray();
        try {
          boolean match = MessageDigest.isEqual(derive(chars, against.salt(), against.iterations()), against.hash());
          return match && user != null ? Optional.of(user.identity()) : Optional.<Identity>empty();
        } finally {
          java.util.Arrays.fill(chars, '\0');
        }
      }, executor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new RejectedExecutionException("password checks are saturated", e));
    }
  }

  @Override
  public String toString() {
    return "Pbkdf2CredentialStore{" + users.size() + " users}";
  }

  private static byte[] derive(char[] password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BYTES * 8);
    try {
      return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " is unavailable", e);
    } finally {
      spec.clearPassword();
    }
  }

  private static Executor defaultExecutor() {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    int pool = POOLS.incrementAndGet();
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(DEFAULT_QUEUE), task -> {
          Thread thread = new Thread(task, "portico-pbkdf2-" + pool + "-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        }, new ThreadPoolExecutor.AbortPolicy());
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }

  /** Builds a {@link Pbkdf2CredentialStore}. */
  public static final class Builder {
    private final Map<String, User> users = new LinkedHashMap<>();
    private @Nullable Executor executor;

    Builder() {}

    /** Adds user {@code name} with a password hash made by {@link #hash(char[])}, and no roles. */
    public Builder user(String name, String storedHash) {
      return user(name, storedHash, Set.of());
    }

    /** Adds user {@code name} with a password hash made by {@link #hash(char[])}, and {@code roles}. */
    public Builder user(String name, String storedHash, Collection<String> roles) {
      requireNonNull(name, "name");
      requireNonNull(storedHash, "storedHash");
      requireNonNull(roles, "roles");
      if (name.isEmpty() || name.indexOf(':') >= 0) {
        throw new IllegalArgumentException("user name: '" + name + "' (expected: not empty, no colon)");
      }
      if (users.containsKey(name)) {
        throw new IllegalArgumentException("user '" + name + "': added twice");
      }
      String[] parts = storedHash.split("\\$", -1);
      int iterations;
      byte[] salt;
      byte[] hash;
      try {
        if (parts.length != 4 || !parts[0].equals(PREFIX)) {
          throw new IllegalArgumentException("format");
        }
        iterations = Integer.parseInt(parts[1]);
        salt = Base64.getDecoder().decode(parts[2]);
        hash = Base64.getDecoder().decode(parts[3]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("user '" + name + "': password hash is not "
            + PREFIX + "$iterations$salt$hash (make it with Pbkdf2CredentialStore.hash)");
      }
      if (iterations < 1 || salt.length < SALT_BYTES || hash.length != HASH_BYTES) {
        throw new IllegalArgumentException("user '" + name + "': password hash needs iterations > 0, a salt of at least "
            + SALT_BYTES + " bytes and a " + HASH_BYTES + "-byte hash");
      }
      Identity identity = Identity.builder(name).method(METHOD).roles(roles).build();
      users.put(name, new User(identity, iterations, salt, hash));
      return this;
    }

    /**
     * Runs the password checks on {@code executor} instead of the default bounded pool. It should be
     * bounded too, and reject work when full rather than queue it without limit; a rejected check
     * answers 503.
     */
    public Builder executor(Executor executor) {
      this.executor = requireNonNull(executor, "executor");
      return this;
    }

    /** Returns the immutable store. */
    public Pbkdf2CredentialStore build() {
      int iterations = users.values().stream().mapToInt(User::iterations).max().orElse(DEFAULT_ITERATIONS);
      byte[] salt = new byte[SALT_BYTES];
      byte[] hash = new byte[HASH_BYTES];
      RANDOM.nextBytes(salt);
      RANDOM.nextBytes(hash);
      User unknown = new User(Identity.builder("-").method(METHOD).build(), iterations, salt, hash);
      return new Pbkdf2CredentialStore(Map.copyOf(users), unknown,
          executor != null ? executor : defaultExecutor());
    }
  }
}
