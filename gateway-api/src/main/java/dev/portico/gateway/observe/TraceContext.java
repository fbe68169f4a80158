package dev.portico.gateway.observe;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * A W3C Trace Context position: the trace, the span that is the parent of the next hop, the
 * trace flags, and the vendor {@code tracestate}.
 *
 * <pre>{@code
 * TraceContext incoming = TraceContext.parse(
 *     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "congo=t61rcWkgMzE").orElseThrow();
 * TraceContext hop = incoming.newSpan();          // same trace, a new span id for the next hop
 * hop.traceparent();                              // "00-4bf92f35...-<new span id>-01"
 * }</pre>
 *
 * <p>The gateway accepts a client's {@code traceparent} when it is well formed (version {@code 00},
 * or a later version read as {@code 00}; lower-case hex; neither id all zeros), keeps its trace id
 * and flags, and starts a new trace otherwise. {@code tracestate} travels with a valid
 * {@code traceparent} only, and only when it is short and well formed enough to pass on.
 *
 * @param traceId 32 lower-case hex digits, not all zeros
 * @param spanId 16 lower-case hex digits, not all zeros
 * @param flags the trace flags; bit 0 is "sampled"
 * @param traceState the {@code tracestate} value to pass on, empty for none
 */
public record TraceContext(String traceId, String spanId, int flags, String traceState) {
  /** The header that carries the trace and parent span. */
  public static final String TRACEPARENT = "traceparent";
  /** The header that carries vendor state. */
  public static final String TRACESTATE = "tracestate";

  /** The longest {@code tracestate} the gateway passes on (the W3C limit is 32 members). */
  static final int MAX_TRACESTATE_LENGTH = 512;
  private static final int MAX_TRACESTATE_MEMBERS = 32;
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final String ALL_ZEROS = "0".repeat(32);
  /** 0 for the lower-case hex digits, 1 for every other Latin-1 character. */
  private static final byte[] NOT_HEX = new byte[256];

  static {
    Arrays.fill(NOT_HEX, (byte) 1);
    for (char c : HEX) {
      NOT_HEX[c] = 0;
    }
  }

  /** Validates the components. */
  public TraceContext {
    requireNonNull(traceId, "traceId");
    requireNonNull(spanId, "spanId");
    requireNonNull(traceState, "traceState");
    if (!isId(traceId, 32) || !isId(spanId, 16) || flags < 0 || flags > 0xff) {
      throw invalid(traceId, spanId, flags);
    }
  }

  /** Says what is wrong: the messages are built only for a context that is refused. */
  private static IllegalArgumentException invalid(String traceId, String spanId, int flags) {
    if (!isId(traceId, 32)) {
      return new IllegalArgumentException("traceId: '" + traceId + "' (expected: 32 lower-case hex digits, not all zeros)");
    }
    if (!isId(spanId, 16)) {
      return new IllegalArgumentException("spanId: '" + spanId + "' (expected: 16 lower-case hex digits, not all zeros)");
    }
    return new IllegalArgumentException("flags: " + flags + " (expected: 0-255)");
  }

  /**
   * Reads a {@code traceparent} and {@code tracestate} pair; empty when {@code traceparent} is
   * absent or malformed. A malformed or oversized {@code tracestate} is dropped, the trace kept.
   */
  public static Optional<TraceContext> parse(@Nullable String traceparent, @Nullable String tracestate) {
    if (traceparent == null) {
      return Optional.empty();
    }
    String s = traceparent.trim();
    // version "-" trace-id "-" parent-id "-" flags; a later version may append "-" fields.
    if (s.length() < 55 || s.charAt(2) != '-' || s.charAt(35) != '-' || s.charAt(52) != '-') {
      return Optional.empty();
    }
    String version = s.substring(0, 2);
    if (!isHex(version) || version.equals("ff")) {
      return Optional.empty();
    }
    if (version.equals("00") ? s.length() != 55 : s.length() > 55 && s.charAt(55) != '-') {
      return Optional.empty();
    }
    String traceId = s.substring(3, 35);
    String spanId = s.substring(36, 52);
    String flags = s.substring(53, 55);
    if (!isId(traceId, 32) || !isId(spanId, 16) || !isHex(flags)) {
      return Optional.empty();
    }
    return Optional.of(new TraceContext(traceId, spanId, Integer.parseInt(flags, 16), acceptState(tracestate)));
  }

  /** Starts a new trace: random ids, sampled, no {@code tracestate}. */
  public static TraceContext newTrace() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new TraceContext(hex(nonZero(random), nonZero(random)), hex(nonZero(random)), 1, "");
  }

  /** Returns a context in the same trace, with the same flags and state, and a new random span id. */
  public TraceContext newSpan() {
    return new TraceContext(traceId, hex(nonZero(ThreadLocalRandom.current())), flags, traceState);
  }

  /** Returns whether the sampled flag is set. */
  public boolean sampled() {
    return (flags & 1) != 0;
  }

  /** Returns the {@code traceparent} header value, version {@code 00}. */
  public String traceparent() {
    return "00-" + traceId + "-" + spanId + "-" + HEX[flags >> 4] + HEX[flags & 0xf];
  }

  private static String acceptState(@Nullable String tracestate) {
    if (tracestate == null) {
      return "";
    }
    String s = tracestate.trim();
    if (s.isEmpty() || s.length() > MAX_TRACESTATE_LENGTH) {
      return "";
    }
    int members = 0;
    for (String member : s.split(",", -1)) {
      String m = member.trim();
      if (m.isEmpty()) {
        continue; // empty list members are allowed and ignored
      }
      int eq = m.indexOf('=');
      if (eq <= 0 || eq == m.length() - 1 || ++members > MAX_TRACESTATE_MEMBERS) {
        return "";
      }
      for (int i = 0; i < m.length(); i++) {
        char c = m.charAt(i);
        if (c < 0x20 || c > 0x7e) {
          return "";
        }
      }
    }
    return s;
  }

  private static boolean isId(String s, int length) {
    return s.length() == length && isHex(s) && !ALL_ZEROS.startsWith(s);
  }

  /**
   * Whether every character is a lower-case hex digit. Branch-free per character: random ids mix
   * digits and letters unpredictably, and a branch per character cost ~4 ns a character in
   * mispredictions (a new trace validates 48 of them).
   */
  private static boolean isHex(String s) {
    int notHex = 0;
    for (int i = 0; i < s.length(); i++) {
      notHex |= NOT_HEX[s.charAt(i) & 0xff] | (s.charAt(i) >>> 8);
    }
    return notHex == 0;
  }

  private static long nonZero(ThreadLocalRandom random) {
    long v;
    do {
      v = random.nextLong();
    } while (v == 0);
    return v;
  }

  private static String hex(long... words) {
    char[] out = new char[words.length * 16];
    for (int w = 0; w < words.length; w++) {
      for (int i = 0; i < 16; i++) {
        out[w * 16 + i] = HEX[(int) (words[w] >>> (60 - 4 * i)) & 0xf];
      }
    }
    return new String(out);
  }
}
