package dev.portico.gateway.internal.websocket;

import java.nio.ByteBuffer;

/**
 * Checks the payload of one text message, frame by frame, as UTF-8 (RFC 3629, which RFC 6455
 * section 8.1 requires): a byte that cannot continue a well-formed sequence fails at once, wherever
 * the frames split the message, and the message must end on a character boundary. Overlong forms,
 * surrogates (U+D800 to U+DFFF) and code points above U+10FFFF are not UTF-8. Allocates nothing;
 * one instance per direction of a relay, used by one thread at a time. Not public API.
 */
final class Utf8Validator {
  /** Continuation bytes the current character still needs. */
  private int needed;
  /** The range the next continuation byte must fall in: narrower right after some lead bytes. */
  private int lower = 0x80;
  private int upper = 0xBF;

  /** Starts a new message. */
  void reset() {
    needed = 0;
    lower = 0x80;
    upper = 0xBF;
  }

  /**
   * Reads {@code bytes} (from its position to its limit, which stay as they are); returns false
   * when they cannot be part of well-formed UTF-8 after what came before.
   */
  boolean accept(ByteBuffer bytes) {
    for (int i = bytes.position(), end = bytes.limit(); i < end; i++) {
      int b = bytes.get(i) & 0xFF;
      if (needed == 0) {
        if (b < 0x80) {
          continue;
        }
        if (b >= 0xC2 && b <= 0xDF) {
          needed = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
          needed = 2;
          if (b == 0xE0) {
            lower = 0xA0;   // below: an overlong form
          } else if (b == 0xED) {
            upper = 0x9F;   // above: a surrogate
          }
        } else if (b >= 0xF0 && b <= 0xF4) {
          needed = 3;
          if (b == 0xF0) {
            lower = 0x90;   // below: an overlong form
          } else if (b == 0xF4) {
            upper = 0x8F;   // above: past U+10FFFF
          }
        } else {
          return false;     // a continuation byte with no lead, C0/C1 (overlong) or F5-FF
        }
      } else {
        if (b < lower || b > upper) {
          return false;
        }
        lower = 0x80;
        upper = 0xBF;
        needed--;
      }
    }
    return true;
  }

  /** Returns whether what was read so far ends on a character boundary: a message may end here. */
  boolean isComplete() {
    return needed == 0;
  }
}
