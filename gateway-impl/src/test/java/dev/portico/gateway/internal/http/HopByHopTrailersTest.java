package dev.portico.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

class HopByHopTrailersTest {

  @Test
  void keepsOnlyTheExactTrailersValueOfTe() {
    assertThat(HopByHop.acceptsTrailersOnly(HttpFields.build().add("te", "trailers"))).isTrue();
    assertThat(HopByHop.acceptsTrailersOnly(HttpFields.build().add("TE", " Trailers "))).isTrue();
    assertThat(HopByHop.acceptsTrailersOnly(HttpFields.build().add("te", "trailers, deflate"))).isFalse();
    assertThat(HopByHop.acceptsTrailersOnly(HttpFields.build().add("te", "gzip"))).isFalse();
    assertThat(HopByHop.acceptsTrailersOnly(HttpFields.build().add("te", "trailers").add("te", "gzip"))).isFalse();
    assertThat(HopByHop.acceptsTrailersOnly(HttpFields.build().add("te", "trailers;q=0.5"))).isFalse();
    assertThat(HopByHop.acceptsTrailersOnly(HttpFields.EMPTY)).isFalse();
  }

  @Test
  void relayedTrailersDropHopByHopAndFieldsThatMayNotBeTrailers() {
    HttpFields trailers = HttpFields.build()
        .add("grpc-status", "0")
        .add("grpc-message", "ok")
        .add("x-custom", "1")
        .add("connection", "x-custom-hop")
        .add("x-custom-hop", "dropped")
        .add("content-length", "10")
        .add("transfer-encoding", "chunked")
        .add("authorization", "Bearer x")
        .add("set-cookie", "a=b")
        .add("host", "example");

    HttpFields relayed = HopByHop.relayedTrailers(trailers);

    assertThat(relayed).isNotNull();
    assertThat(relayed.getFieldNamesCollection()).containsExactlyInAnyOrder("grpc-status", "grpc-message", "x-custom");
  }

  @Test
  void noTrailersLeftIsNull() {
    assertThat(HopByHop.relayedTrailers(null)).isNull();
    assertThat(HopByHop.relayedTrailers(HttpFields.EMPTY)).isNull();
    assertThat(HopByHop.relayedTrailers(HttpFields.build().add("content-length", "1"))).isNull();
  }
}
