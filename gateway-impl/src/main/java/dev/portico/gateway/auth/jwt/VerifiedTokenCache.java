package dev.portico.gateway.auth.jwt;

import dev.portico.gateway.auth.Identity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Tokens whose signature and claims were already checked, so a client that sends the same token
 * again costs a hash and a map lookup instead of a signature verification.
 *
 * <p>Keyed by the SHA-256 of the token (the token itself is never held). Bounded: the capacity is
 * split over up to 16 segments, each a small access-ordered LRU map behind its own lock, so
 * concurrent requests rarely meet and a lock is held only for a map operation. An entry records
 * the token's validity window and the thumbprint of the key that verified it; the caller re-checks
 * both on a hit (the clock moves on, and a key dropped from the key set must stop vouching for
 * the tokens it signed).
 */
final class VerifiedTokenCache {
  private static final int MAX_SEGMENTS = 16;

  /** What a hit returns. */
  record Entry(Identity identity, Instant expiresAt, @Nullable Instant notBefore, String keyThumbprint) {}

  /** The SHA-256 of a token, as four longs. */
  record Digest(long a, long b, long c, long d) {}

  private final Segment[] segments;

  /** A cache of at most {@code capacity} entries; 0 caches nothing. */
  VerifiedTokenCache(int capacity) {
    if (capacity <= 0) {
      segments = new Segment[0];
      return;
    }
    int count = Math.min(MAX_SEGMENTS, Integer.highestOneBit(capacity));
    segments = new Segment[count];
    for (int i = 0; i < count; i++) {
      // Spread the capacity so the segments add up to exactly capacity.
      segments[i] = new Segment(capacity / count + (i < capacity % count ? 1 : 0));
    }
  }

  boolean enabled() {
    return segments.length > 0;
  }

  /** One SHA-256 instance per thread: looking a provider up costs more than hashing a token. */
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  });

  static Digest digest(String token) {
    // The whole token is the key: a key on the signature alone would let a changed payload hit.
    byte[] hash = SHA_256.get().digest(token.getBytes(StandardCharsets.UTF_8));
    ByteBuffer buffer = ByteBuffer.wrap(hash);
    return new Digest(buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong());
  }

  @Nullable Entry get(Digest digest) {
    return enabled() ? segment(digest).get(digest) : null;
  }

  void put(Digest digest, Entry entry) {
    if (enabled()) {
      segment(digest).put(digest, entry);
    }
  }

  void remove(Digest digest) {
    if (enabled()) {
      segment(digest).remove(digest);
    }
  }

  int size() {
    int size = 0;
    for (Segment segment : segments) {
      size += segment.size();
    }
    return size;
  }

  private Segment segment(Digest digest) {
    // The digest is uniformly distributed: any of its bits pick a segment fairly.
    return segments[(int) (digest.d() & (segments.length - 1))];
  }

  private static final class Segment {
    private final Map<Digest, Entry> map;

    Segment(int capacity) {
      this.map = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Digest, Entry> eldest) {
          return size() > capacity;
        }
      };
    }

    synchronized @Nullable Entry get(Digest digest) {
      return map.get(digest);
    }

    synchronized void put(Digest digest, Entry entry) {
      map.put(digest, entry);
    }

    synchronized void remove(Digest digest) {
      map.remove(digest);
    }

    synchronized int size() {
      return map.size();
    }
  }
}
