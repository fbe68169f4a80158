package dev.portico.gateway.transform.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.test.TestExchange;
import dev.portico.gateway.transform.JsonTransform;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonBodyTransformerTest {
  private static final JsonBodyTransformer REMOVE_SECRET =
      JsonBodyTransformer.compile(JsonTransform.builder().remove("/secret").build());

  /**
   * Found by JsonTransformFuzzTest: Jackson refuses a number beyond BigDecimal's range with a
   * NumberFormatException, not a JacksonException, which escaped the transform and answered 500.
   */
  @ParameterizedTest
  @ValueSource(strings = {"[9999e999999999999]", "{\"a\": 1e-999999999999}", "1E2147483648"})
  void numberBeyondBigDecimalRangeIsMalformed(String body) {
    JsonBodyTransformer.Result result =
        REMOVE_SECRET.transform(body.getBytes(StandardCharsets.UTF_8), TestExchange.get("/"));

    assertThat(result).isEqualTo(new JsonBodyTransformer.Malformed(JsonBodyTransformer.NUMBER_OUT_OF_RANGE));
  }
}
