package dev.portico.gateway.auth.apikey;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.auth.ApiKeyRecord;
import dev.portico.gateway.auth.ApiKeyStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An {@link ApiKeyStore} held in memory that keeps only the SHA-256 hash of each key, never the key.
 *
 * <pre>{@code
 * String key = InMemoryApiKeyStore.generateKey();              // give this to the client, once
 * String hash = InMemoryApiKeyStore.sha256Hex(key);            // keep this in configuration
 * InMemoryApiKeyStore store = InMemoryApiKeyStore.builder()
 *     .hashedKey(hash, ApiKeyRecord.of("billing", Set.of("invoices:read")).withPlan("gold"))
 *     .build();
 * }</pre>
 *
 * <p>A lookup hashes the presented key, finds the candidates by the first eight bytes of the hash,
 * and compares the whole hash with {@link MessageDigest#isEqual}, which takes the same time
 * wherever the hashes differ: how long a lookup takes does not tell an attacker how close a guess
 * was. Keys are random secrets, so an unsalted fast hash is enough (unlike passwords). Lookups
 * complete at once, on the calling thread. Immutable and thread-safe.
 */
public final class InMemoryApiKeyStore implements ApiKeyStore {
  /** The shortest plaintext key {@link Builder#key} accepts. */
  public static final int MIN_KEY_LENGTH = 16;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<Long, Entry[]> buckets;
  private final int size;

  private record Entry(byte[] hash, ApiKeyRecord record) {}

  private InMemoryApiKeyStore(Map<Long, Entry[]> buckets, int size) {
    this.buckets = buckets;
    this.size = size;
  }

  /** Returns a new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a new random key: 32 bytes from {@link SecureRandom}, base64url without padding. */
  public static String generateKey() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Returns the SHA-256 hash of {@code key}'s UTF-8 bytes in lower-case hex, as {@link Builder#hashedKey} takes it. */
  public static String sha256Hex(String key) {
    return HexFormat.of().formatHex(sha256(requireNonNull(key, "key")));
  }

  @Override
  public CompletionStage<Optional<ApiKeyRecord>> find(String key) {
    byte[] hash = sha256(key);
    Entry[] candidates = buckets.get(prefix(hash));
    ApiKeyRecord found = null;
    if (candidates != null) {
      for (Entry candidate : candidates) {
        if (MessageDigest.isEqual(candidate.hash(), hash)) {
          found = candidate.record();
        }
      }
    }
    return CompletableFuture.completedFuture(Optional.ofNullable(found));
  }

  /** Returns the number of keys. */
  public int size() {
    return size;
  }

  @Override
  public String toString() {
    return "InMemoryApiKeyStore{" + size + " keys}";
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static long prefix(byte[] hash) {
    return ByteBuffer.wrap(hash, 0, Long.BYTES).getLong();
  }

  /** Builds an {@link InMemoryApiKeyStore}; {@link #build()} refuses a key given twice. */
  public static final class Builder {
    private final List<Entry> entries = new ArrayList<>();

    Builder() {}

    /**
     * Adds plaintext {@code key} for {@code record}; only its hash is kept. The key must be at least
     * {@value #MIN_KEY_LENGTH} characters: use {@link #generateKey()}.
     */
    public Builder key(String key, ApiKeyRecord record) {
      requireNonNull(key, "key");
      requireNonNull(record, "record");
      if (key.strip().length() != key.length()) {
        throw new IllegalArgumentException("key of '" + record.principal() + "': leading or trailing white space");
      }
      if (key.length() < MIN_KEY_LENGTH) {
        throw new IllegalArgumentException("key of '" + record.principal() + "': shorter than " + MIN_KEY_LENGTH
            + " characters (expected: a random key such as generateKey() makes)");
      }
      entries.add(new Entry(sha256(key), record));
      return this;
    }

    /** Adds a key by its SHA-256 hash in hex (64 digits, either case), as {@link #sha256Hex} makes it. */
    public Builder hashedKey(String sha256Hex, ApiKeyRecord record) {
      requireNonNull(sha256Hex, "sha256Hex");
      requireNonNull(record, "record");
      byte[] hash;
      try {
        hash = sha256Hex.length() == 64 ? HexFormat.of().parseHex(sha256Hex) : null;
      } catch (IllegalArgumentException e) {
        hash = null;
      }
      if (hash == null) {
        throw new IllegalArgumentException("hashed key of '" + record.principal()
            + "': not a SHA-256 hash (expected: 64 hex digits)");
      }
      entries.add(new Entry(hash, record));
      return this;
    }

    /**
     * Returns the immutable store.
     *
     * @throws IllegalStateException when one key was added twice (naming the principals, never the key)
     */
    public InMemoryApiKeyStore build() {
      Map<Long, Entry[]> buckets = new HashMap<>();
      for (Entry entry : entries) {
        Entry[] bucket = buckets.getOrDefault(prefix(entry.hash()), new Entry[0]);
        for (Entry other : bucket) {
          if (MessageDigest.isEqual(other.hash(), entry.hash())) {
            throw new IllegalStateException("the same API key is given to '" + other.record().principal()
                + "' and '" + entry.record().principal() + "'");
          }
        }
        Entry[] grown = java.util.Arrays.copyOf(bucket, bucket.length + 1);
        grown[bucket.length] = entry;
        buckets.put(prefix(entry.hash()), grown);
      }
      return new InMemoryApiKeyStore(Map.copyOf(buckets), entries.size());
    }
  }
}
