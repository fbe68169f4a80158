package dev.portico.gateway.validation.jsonschema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.validation.JsonSchema;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parameter values arrive as text and are read as their schema's type says before the schema checks them. */
class ParameterSchemaTest {

  private static JsonSchemaValidator.Result check(String schema, String... values) {
    return ParameterSchema.compile(JsonSchema.of(schema)).validate(List.of(values));
  }

  private static List<String> messages(JsonSchemaValidator.Result result) {
    assertThat(result).isInstanceOf(JsonSchemaValidator.Invalid.class);
    return ((JsonSchemaValidator.Invalid) result).violations().stream().map(JsonSchemaValidator.Violation::message).toList();
  }

  @Test
  void readsIntegersAsNumbersAndRefusesOtherText() {
    String schema = "{\"type\": \"integer\", \"format\": \"int32\", \"minimum\": 1}";
    assertThat(check(schema, "42")).isInstanceOf(JsonSchemaValidator.Valid.class);
    assertThat(messages(check(schema, "0"))).singleElement().asString().contains("1");
    assertThat(messages(check(schema, "abc"))).containsExactly("string found, integer expected");
    assertThat(messages(check(schema, "4.5"))).singleElement().asString().contains("integer");
  }

  @Test
  void readsNumbersBooleansAndStrings() {
    assertThat(check("{\"type\": \"number\", \"maximum\": 2.5}", "2.5")).isInstanceOf(JsonSchemaValidator.Valid.class);
    assertThat(check("{\"type\": \"number\", \"maximum\": 2.5}", "2.6")).isInstanceOf(JsonSchemaValidator.Invalid.class);
    assertThat(check("{\"type\": \"boolean\"}", "true")).isInstanceOf(JsonSchemaValidator.Valid.class);
    assertThat(check("{\"type\": \"boolean\"}", "yes")).isInstanceOf(JsonSchemaValidator.Invalid.class);
    assertThat(check("{\"type\": \"string\", \"maxLength\": 3}", "123")).isInstanceOf(JsonSchemaValidator.Valid.class);
    assertThat(check("{\"type\": \"string\", \"maxLength\": 3}", "1234")).isInstanceOf(JsonSchemaValidator.Invalid.class);
  }

  @Test
  void checksFormatsEnumsAndPatterns() {
    String uuid = "{\"type\": \"string\", \"format\": \"uuid\"}";
    assertThat(check(uuid, "3fa85f64-5717-4562-b3fc-2c963f66afa6")).isInstanceOf(JsonSchemaValidator.Valid.class);
    assertThat(check(uuid, "not-a-uuid")).isInstanceOf(JsonSchemaValidator.Invalid.class);
    String date = "{\"type\": \"string\", \"format\": \"date\"}";
    assertThat(check(date, "2026-12-08")).isInstanceOf(JsonSchemaValidator.Valid.class);
    assertThat(check(date, "2026-13-45")).isInstanceOf(JsonSchemaValidator.Invalid.class);
    String dateTime = "{\"type\": \"string\", \"format\": \"date-time\"}";
    assertThat(check(dateTime, "2026-12-08T04:00:00Z")).isInstanceOf(JsonSchemaValidator.Valid.class);
    assertThat(check(dateTime, "yesterday")).isInstanceOf(JsonSchemaValidator.Invalid.class);
    assertThat(check("{\"type\": \"string\", \"enum\": [\"a\", \"b\"]}", "c")).isInstanceOf(JsonSchemaValidator.Invalid.class);
    assertThat(check("{\"type\": \"string\", \"pattern\": \"^[a-z]+$\"}", "A1")).isInstanceOf(JsonSchemaValidator.Invalid.class);
  }

  @Test
  void violationsNeverRepeatTheValue() {
    String secret = "x".repeat(200) + "SECRET";
    for (String schema : List.of("{\"type\": \"integer\"}", "{\"type\": \"string\", \"enum\": [\"a\"]}",
        "{\"type\": \"string\", \"pattern\": \"^a$\"}", "{\"type\": \"string\", \"format\": \"uuid\"}",
        "{\"type\": \"string\", \"maxLength\": 3}", "{\"type\": \"string\", \"format\": \"date-time\"}")) {
      assertThat(messages(check(schema, secret))).allSatisfy(m -> assertThat(m).doesNotContain("SECRET"));
    }
  }

  @Test
  void anArrayTakesItsItemsReadAsTheItemsType() {
    ParameterSchema tags = ParameterSchema.compile(JsonSchema.of(
        "{\"type\": \"array\", \"items\": {\"type\": \"integer\"}, \"maxItems\": 2}"));
    assertThat(tags.isArray()).isTrue();
    assertThat(tags.validate(List.of("1", "2"))).isInstanceOf(JsonSchemaValidator.Valid.class);
    assertThat(tags.validate(List.of("1", "x"))).isInstanceOf(JsonSchemaValidator.Invalid.class);
    assertThat(tags.validate(List.of("1", "2", "3"))).isInstanceOf(JsonSchemaValidator.Invalid.class);
  }

  @Test
  void followsALocalReferenceToFindTheType() {
    String schema = "{\"$ref\": \"#/$defs/Id\", \"$defs\": {\"Id\": {\"type\": \"integer\"}}}";
    assertThat(check(schema, "7")).isInstanceOf(JsonSchemaValidator.Valid.class);
    assertThat(check(schema, "seven")).isInstanceOf(JsonSchemaValidator.Invalid.class);
  }

  @Test
  void everyRepeatedValueOfAScalarMustPass() {
    assertThat(check("{\"type\": \"integer\"}", "1", "x")).isInstanceOf(JsonSchemaValidator.Invalid.class);
  }

  @Test
  void hugeNumbersAreRefusedNotComputed() {
    assertThat(check("{\"type\": \"number\", \"minimum\": 0}", "1e999999999")).isInstanceOf(JsonSchemaValidator.Invalid.class);
    assertThat(check("{\"type\": \"integer\"}", "9".repeat(5000))).isInstanceOf(JsonSchemaValidator.Invalid.class);
  }
}
