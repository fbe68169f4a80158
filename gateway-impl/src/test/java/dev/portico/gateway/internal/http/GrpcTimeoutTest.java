package dev.portico.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GrpcTimeoutTest {

  @ParameterizedTest
  @CsvSource({"1H,3600000000000", "2M,120000000000", "3S,3000000000", "250m,250000000", "7u,7000",
      "99999999n,99999999", "0m,0", "00000001S,1000000000"})
  void parsesEachUnit(String value, long nanos) {
    assertThat(GrpcTimeout.parse(value)).isEqualTo(nanos);
  }

  @Test
  void aTimeoutTooLongForNanosecondsIsAsGoodAsNone() {
    assertThat(GrpcTimeout.parse("99999999H")).isEqualTo(Long.MAX_VALUE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "S", "10", "123456789S", "1.5S", "-1S", "+1S", "1s", "1h", "1 S", " 1S", "1SS",
      "\u0661S"})
  void refusesAnythingElse(String value) {
    assertThat(GrpcTimeout.parse(value)).isEqualTo(GrpcTimeout.MALFORMED);
  }

  @Test
  void absentAndRepeatedHeaders() {
    assertThat(GrpcTimeout.nanos(HttpFields.EMPTY)).isEqualTo(GrpcTimeout.ABSENT);
    assertThat(GrpcTimeout.nanos(HttpFields.build().add("grpc-timeout", "1S").add("grpc-timeout", "2S")))
        .isEqualTo(GrpcTimeout.MALFORMED);
    assertThat(GrpcTimeout.nanos(HttpFields.build().add("Grpc-Timeout", "5m"))).isEqualTo(5_000_000L);
  }
}
