package dev.portico.gateway.internal;

import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/** Accepts a client's request id when it is well-formed, and makes new ones. Not public API. */
final class RequestIds {
  static final int MAX_LENGTH = 128;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  /** Returns {@code candidate} when it is 1-128 characters of {@code A-Za-z0-9._:-}, else a new id. */
  static String acceptOrCreate(@Nullable String candidate) {
    return isWellFormed(candidate) ? candidate : create();
  }

  static boolean isWellFormed(@Nullable String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || c == '.' || c == '_' || c == ':' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Returns 32 random hex digits; unique enough to correlate logs, not a secret. */
  static String create() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[32];
    long hi = random.nextLong();
    long lo = random.nextLong();
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (hi >>> (60 - 4 * i)) & 0xf];
      out[16 + i] = HEX[(int) (lo >>> (60 - 4 * i)) & 0xf];
    }
    return new String(out);
  }
}
