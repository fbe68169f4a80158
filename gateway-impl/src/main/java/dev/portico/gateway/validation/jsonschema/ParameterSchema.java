package dev.portico.gateway.validation.jsonschema;

import dev.portico.gateway.validation.JsonSchema;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.BigIntegerNode;
import tools.jackson.databind.node.BooleanNode;
import tools.jackson.databind.node.DecimalNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.StringNode;

/**
 * A parameter's schema, compiled once: its values arrive as text and are read as the schema's
 * {@code type} (or, for an array, its {@code items}' type) says before the schema checks them, so
 * {@code "42"} is the integer 42 and {@code "abc"} stays a string that an integer schema refuses.
 * {@code format} is checked ({@code int32}, {@code uuid}, {@code date}, {@code date-time}, ...), as
 * OpenAPI parameters mean it.
 * Not public API.
 */
final class ParameterSchema {
  /** Longer texts are never read as numbers: the schema then refuses them as strings. */
  static final int MAX_NUMBER_TEXT = 1000;
  private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
  private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private enum Kind { STRING, INTEGER, NUMBER, BOOLEAN }

  private final JsonSchemaValidator validator;
  private final boolean array;
  private final Kind kind;

  private ParameterSchema(JsonSchemaValidator validator, boolean array, Kind kind) {
    this.validator = validator;
    this.array = array;
    this.kind = kind;
  }

  /**
   * Reads and compiles {@code source}.
   *
   * @throws IllegalArgumentException when the schema cannot be read or is not a valid schema
   */
  static ParameterSchema compile(JsonSchema source) {
    JsonSchemaValidator validator = JsonSchemaValidator.compile(source, true);
    JsonNode root;
    try {
      root = JSON.readTree(JsonSchemaValidator.read(source));
    } catch (JacksonException e) {
      throw new IllegalArgumentException("jsonSchema " + source + " is not JSON: " + e.getOriginalMessage());
    }
    JsonNode schema = resolve(root, root);
    String type = type(schema);
    if ("array".equals(type)) {
      return new ParameterSchema(validator, true, kind(type(resolve(root, schema.path("items")))));
    }
    return new ParameterSchema(validator, false, kind(type));
  }

  boolean isArray() {
    return array;
  }

  JsonSchemaValidator.Result validate(List<String> values) {
    if (array) {
      ArrayNode items = JsonNodeFactory.instance.arrayNode(values.size());
      for (String value : values) {
        items.add(coerce(value));
      }
      return validator.validate(items);
    }
    for (String value : values) {
      JsonSchemaValidator.Result result = validator.validate(coerce(value));
      if (!(result instanceof JsonSchemaValidator.Valid)) {
        return result;
      }
    }
    return new JsonSchemaValidator.Valid();
  }

  private JsonNode coerce(String text) {
    switch (kind) {
      case INTEGER -> {
        if (text.length() <= MAX_NUMBER_TEXT && INTEGER.matcher(text).matches()) {
          return BigIntegerNode.valueOf(new BigInteger(text));
        }
      }
      case NUMBER -> {
        if (text.length() <= MAX_NUMBER_TEXT && NUMBER.matcher(text).matches()) {
          BigDecimal value = new BigDecimal(text);
          BigDecimal stripped = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
          // Exponents beyond the validator's digit limit stay strings (refused as not a number).
          if (Math.abs((long) stripped.scale()) <= JsonSchemaValidator.MAX_NUMBER_DIGITS) {
            return stripped.scale() <= 0 ? BigIntegerNode.valueOf(stripped.toBigIntegerExact()) : DecimalNode.valueOf(value);
          }
        }
      }
      case BOOLEAN -> {
        if (text.equals("true") || text.equals("false")) {
          return BooleanNode.valueOf(text.equals("true"));
        }
      }
      default -> { }
    }
    return StringNode.valueOf(text);
  }

  /** Follows a local {@code $ref} ({@code #/$defs/Id}), a few hops at most; else the node itself. */
  private static JsonNode resolve(JsonNode root, JsonNode schema) {
    JsonNode node = schema;
    for (int hops = 0; hops < 8 && node.path("$ref").isString(); hops++) {
      String ref = node.path("$ref").asString();
      if (!ref.startsWith("#")) {
        break;
      }
      JsonNode target = root.at(ref.substring(1));
      if (target.isMissingNode()) {
        break;
      }
      node = target;
    }
    return node;
  }

  /** The schema's type: the first of a list that is not {@code null}; {@code ""} when none is given. */
  private static String type(JsonNode schema) {
    JsonNode type = schema.path("type");
    if (type.isString()) {
      return type.asString();
    }
    if (type.isArray()) {
      for (JsonNode t : type) {
        if (t.isString() && !t.asString().equals("null")) {
          return t.asString();
        }
      }
    }
    return "";
  }

  private static Kind kind(String type) {
    return switch (type) {
      case "integer" -> Kind.INTEGER;
      case "number" -> Kind.NUMBER;
      case "boolean" -> Kind.BOOLEAN;
      default -> Kind.STRING;
    };
  }
}
