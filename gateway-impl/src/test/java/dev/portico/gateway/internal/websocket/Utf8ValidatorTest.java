package dev.portico.gateway.internal.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link Utf8Validator} agrees with the JDK's strict UTF-8 decoder on every sequence of up to two
 * bytes, and on longer ones whose first two bytes take every value and whose later bytes take each
 * boundary of the ranges UTF-8 allows, whole and split at every point (as frames may split a
 * message).
 */
class Utf8ValidatorTest {
  /** The edges of every range a continuation byte is checked against, and either side of them. */
  private static final int[] EDGES = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};

  private final CharsetDecoder jdk = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
  private final CharBuffer chars = CharBuffer.allocate(8);

  @Test
  void agreesWithTheJdkOnSequencesUpToThreeBytes() {
    for (int a = 0; a < 256; a++) {
      check(new byte[] {(byte) a});
      for (int b = 0; b < 256; b++) {
        check(new byte[] {(byte) a, (byte) b});
        if (a >= 0xC0) {   // below, the first byte is a whole character or never valid: two bytes tell
          for (int c : EDGES) {
            check(new byte[] {(byte) a, (byte) b, (byte) c});
          }
        }
      }
    }
  }

  @Test
  void agreesWithTheJdkOnFourByteSequences() {
    for (int a = 0xF0; a <= 0xF7; a++) {
      for (int b = 0; b < 256; b++) {
        for (int c : EDGES) {
          for (int d : EDGES) {
            check(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
          }
        }
      }
    }
  }

  @Test
  void aMessageCutInsideACharacterIsNotComplete() {
    Utf8Validator validator = new Utf8Validator();

    assertThat(validator.accept(ByteBuffer.wrap(new byte[] {'o', 'k', (byte) 0xE2, (byte) 0x82}))).isTrue();
    assertThat(validator.isComplete()).isFalse();
    assertThat(validator.accept(ByteBuffer.wrap(new byte[] {(byte) 0xAC}))).isTrue();
    assertThat(validator.isComplete()).isTrue();
  }

  private void check(byte[] bytes) {
    boolean expected = jdkAccepts(bytes);
    for (int split = 0; split <= bytes.length; split++) {
      Utf8Validator validator = new Utf8Validator();
      ByteBuffer first = ByteBuffer.wrap(bytes, 0, split);
      ByteBuffer second = ByteBuffer.wrap(bytes, split, bytes.length - split);
      boolean actual = validator.accept(first) && validator.accept(second) && validator.isComplete();
      assertThat(actual).as("%s split at %d", java.util.HexFormat.of().formatHex(bytes), split).isEqualTo(expected);
      assertThat(first.position()).isZero();
    }
  }

  private boolean jdkAccepts(byte[] bytes) {
    jdk.reset();
    chars.clear();
    CoderResult result = jdk.decode(ByteBuffer.wrap(bytes), chars, true);
    return !result.isError() && jdk.flush(chars).isUnderflow();
  }
}
