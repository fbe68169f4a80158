package dev.portico.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TraceContextTest {
  private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void readsAWellFormedTraceparentAndTracestate() {
    TraceContext context = TraceContext.parse(VALID, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE").orElseThrow();

    assertThat(context.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(context.spanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(context.sampled()).isTrue();
    assertThat(context.traceState()).isEqualTo("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    assertThat(context.traceparent()).isEqualTo(VALID);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",          // no flags
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",       // zero trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",       // zero span id
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",       // upper case
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",       // version ff is invalid
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // version 00 has nothing after flags
      "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",       // g is not hex
      "00-4bf92f3577b34da6a3ce929d0e0e473\u0161-00f067aa0ba902b7-01",  // U+0161's low byte is 'a'
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902\u00e1-01",   // Latin-1, not hex
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0\u0130",  // U+0130's low byte is '0'
      "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01"})
  void refusesAMalformedTraceparent(String traceparent) {
    assertThat(TraceContext.parse(traceparent, null)).isEmpty();
  }

  @Test
  void readsALaterVersionAsVersion00() {
    assertThat(TraceContext.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-future", null))
        .hasValueSatisfying(c -> assertThat(c.traceparent()).isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
  }

  @Test
  void dropsAMalformedOrOversizedTracestateButKeepsTheTrace() {
    assertThat(TraceContext.parse(VALID, "no-equals-sign").orElseThrow().traceState()).isEmpty();
    assertThat(TraceContext.parse(VALID, "a=" + "x".repeat(600)).orElseThrow().traceState()).isEmpty();
    assertThat(TraceContext.parse(VALID, "a=1,".repeat(33)).orElseThrow().traceState()).isEmpty();
    assertThat(TraceContext.parse(VALID, "a=\u00e9").orElseThrow().traceState()).isEmpty();
  }

  @Test
  void aNewSpanKeepsTheTraceFlagsAndState() {
    TraceContext parent = TraceContext.parse(VALID, "congo=t61rcWkgMzE").orElseThrow();

    TraceContext child = parent.newSpan();

    assertThat(child.traceId()).isEqualTo(parent.traceId());
    assertThat(child.spanId()).isNotEqualTo(parent.spanId()).matches("[0-9a-f]{16}");
    assertThat(child.flags()).isEqualTo(parent.flags());
    assertThat(child.traceState()).isEqualTo(parent.traceState());
  }

  @Test
  void aNewTraceIsSampledWithRandomIds() {
    TraceContext a = TraceContext.newTrace();
    TraceContext b = TraceContext.newTrace();

    assertThat(a.traceId()).matches("[0-9a-f]{32}").isNotEqualTo(b.traceId());
    assertThat(a.sampled()).isTrue();
    assertThat(TraceContext.parse(a.traceparent(), null)).hasValue(a);
  }

  @Test
  void validatesItsComponents() {
    assertThatThrownBy(() -> new TraceContext("abc", "00f067aa0ba902b7", 1, ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("traceId");
    assertThatThrownBy(() -> new TraceContext("4bf92f3577b34da6a3ce929d0e0e4736", "0000000000000000", 1, ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("spanId");
    assertThatThrownBy(() -> new TraceContext("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 256, ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("flags");
  }
}
