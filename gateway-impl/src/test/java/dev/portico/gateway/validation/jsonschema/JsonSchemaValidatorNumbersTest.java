package dev.portico.gateway.validation.jsonschema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.validation.JsonSchema;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Numbers at the edges of what a validator can hold: every body gets a result (valid, invalid or
 * malformed), never an exception that the engine would answer with 500.
 */
class JsonSchemaValidatorNumbersTest {
  private static final String[] SCHEMAS = {
      "{\"type\": \"integer\"}",
      "{\"type\": \"integer\", \"minimum\": 1}",
      "{\"type\": \"integer\", \"maximum\": 10}",
      "{\"type\": \"integer\", \"exclusiveMinimum\": 0, \"exclusiveMaximum\": 10}",
      "{\"type\": \"integer\", \"multipleOf\": 3}",
      "{\"type\": \"number\", \"minimum\": 0.5, \"maximum\": 1e300}",
      "{\"type\": \"number\", \"multipleOf\": 0.01}",
      "{\"enum\": [1, 2.5, 1e19]}",
      "{\"type\": \"array\", \"uniqueItems\": true, \"items\": {\"type\": \"integer\", \"maximum\": 5}}",
      "{\"type\": \"object\", \"additionalProperties\": {\"type\": \"integer\", \"minimum\": -5}}",
  };

  private static JsonSchemaValidator.Result validate(String schema, String body) {
    return JsonSchemaValidator.compile(JsonSchema.of(schema)).validate(body.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1e19", "-1e19", "1e400", "-1e400", "2.5e300", "1.7976931348623157e309", "9223372036854775808",
      "123456789012345678901234567890", "1e-400", "-0", "-0.0", "0e999999", "0.0e-999999", "1e999999999",
      "1e2147483647", "0.1e2147483648", "1e-999999999", "1e1000", "1e1001", "1e-1001", "[1e19, 1e19.0]",
      "[1e19, 10000000000000000000]", "{\"a\": 1e400, \"b\": [2.5e300, {\"c\": -1e19}]}",
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1e19]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"})
  void everyNumberGetsAResultUnderEverySchema(String body) {
    for (String schema : SCHEMAS) {
      assertThat(validate(schema, body)).as("%s under %s", body, schema).isNotNull();
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"type\": \"integer\", \"maximum\": 10}   | 1e19     | must have a maximum value of 10",
      "{\"type\": \"integer\", \"maximum\": 10}   | 2.5e300  | must have a maximum value of 10",
      "{\"type\": \"integer\", \"minimum\": 1}    | -1e400   | must have a minimum value of 1",
      "{\"type\": \"integer\", \"minimum\": 1}    | 1e-400   | integer expected",
      "{\"type\": \"integer\"}                   | 1e999999999 | more than 1000 digits",
      "{\"type\": \"number\"}                    | 1e-1001  | more than 1000 digits",
  })
  void hugeOrTinyNumbersAreViolations(String schema, String body, String message) {
    assertThat(validate(schema, body)).isInstanceOfSatisfying(JsonSchemaValidator.Invalid.class,
        invalid -> assertThat(invalid.violations()).anySatisfy(v -> assertThat(v.message()).contains(message)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"type\": \"integer\", \"minimum\": 1}    | 1e19",
      "{\"type\": \"integer\", \"maximum\": 10}   | 1.0",
      "{\"type\": \"integer\", \"maximum\": 10}   | -0",
      "{\"type\": \"integer\", \"maximum\": 10}   | -0.0",
      "{\"type\": \"integer\", \"maximum\": 10}   | 0e999999",
      "{\"type\": \"number\"}                    | 1e400",
      "{\"type\": \"number\"}                    | 1e-400",
      "{\"enum\": [1, 2.5, 1e19]}                | 10000000000000000000",
  })
  void integralDecimalsAreCheckedExactly(String schema, String body) {
    assertThat(validate(schema, body)).as("%s under %s", body, schema).isInstanceOf(JsonSchemaValidator.Valid.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"[1e19, 1e19]", "[1, 1.0]", "[2, 2e0]"})
  void equalNumbersInAnotherSpellingAreNotUnique(String body) {
    assertThat(validate("{\"type\": \"array\", \"uniqueItems\": true}", body)).isInstanceOf(JsonSchemaValidator.Invalid.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {100, JsonSchemaValidator.MAX_NESTING_DEPTH - 1})
  void deepNestingWithinTheLimitIsValidatedWithARecursiveSchema(int depth) {
    String body = "[".repeat(depth) + "1e19" + "]".repeat(depth);

    assertThat(validate("{\"$defs\": {\"n\": {\"anyOf\": [{\"type\": \"integer\", \"maximum\": 5},"
        + " {\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/n\"}}]}}, \"$ref\": \"#/$defs/n\"}", body))
        .isInstanceOf(JsonSchemaValidator.Invalid.class);
  }

  /** On a thread whose stack runs out before the body's depth does, the answer is still a violation. */
  @Test
  void aStackTooSmallForTheSchemaIsAViolationNotAnError() throws Exception {
    String schema = "{\"$defs\": {\"n\": {\"anyOf\": [{\"type\": \"integer\"},"
        + " {\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/n\"}}]}}, \"$ref\": \"#/$defs/n\"}";
    JsonSchemaValidator validator = JsonSchemaValidator.compile(JsonSchema.of(schema));
    byte[] body = ("[".repeat(JsonSchemaValidator.MAX_NESTING_DEPTH - 1) + "1" + "]".repeat(JsonSchemaValidator.MAX_NESTING_DEPTH - 1))
        .getBytes(StandardCharsets.UTF_8);
    CompletableFuture<Object> result = new CompletableFuture<>();
    Thread small = new Thread(null, () -> {
      try {
        result.complete(validator.validate(body));
      } catch (Throwable t) {
        result.complete(t);
      }
    }, "small-stack", 96 * 1024);
    small.start();

    assertThat(result.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(JsonSchemaValidator.Invalid.class,
        invalid -> assertThat(invalid.violations().get(0).message()).contains("nested too deeply"));
  }

  @ParameterizedTest
  @ValueSource(ints = {JsonSchemaValidator.MAX_NESTING_DEPTH + 1, 499, 5000})
  void nestingBeyondTheLimitIsMalformed(int depth) {
    assertThat(validate("{}", "[".repeat(depth) + "]".repeat(depth))).isInstanceOf(JsonSchemaValidator.Malformed.class);
  }
}
