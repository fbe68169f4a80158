package dev.portico.gateway.validation.jsonschema;

import static java.util.Objects.requireNonNull;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import dev.portico.gateway.internal.spi.OptionalLibrary;
import dev.portico.gateway.validation.JsonSchema;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.JsonNodeException;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.BigIntegerNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link JsonSchema} read and compiled once with networknt json-schema-validator;
 * {@link #validate} then parses a body and lists each violation with the JSON Pointer of the value
 * that broke it. The engine compiles one per route when the adapter is created.
 *
 * <pre>{@code
 * JsonSchemaValidator v = JsonSchemaValidator.compile(JsonSchema.of("{\"type\": \"object\"}"));
 * v.validate("[]".getBytes(UTF_8));   // Invalid[[Violation[pointer=, message=...]]]
 * }</pre>
 *
 * <p>Schemas without {@code $schema} are read as draft 2020-12. Remote {@code $ref}s are never
 * fetched. Bodies are parsed strictly (duplicate member names and trailing content are malformed),
 * so a body cannot mean one thing to the validator and another to the upstream. A body nested
 * deeper than {@link #MAX_NESTING_DEPTH} is malformed; a number with more than
 * {@link #MAX_NUMBER_DIGITS} digits before or after its point is a violation, and integral numbers
 * in any spelling ({@code 1e19}, {@code 2.0}) are checked as exact integers. At most
 * {@link #MAX_VIOLATIONS} violations are listed. Immutable and thread-safe.
 */
public final class JsonSchemaValidator {
  /** The most violations one result lists. */
  public static final int MAX_VIOLATIONS = 50;
  /**
   * The most digits a number may have before, or after, its decimal point, exponent included
   * ({@code 1e1000} has 1,001): larger ones are a violation, as Jackson limits a number's text to
   * 1,000 characters.
   */
  public static final int MAX_NUMBER_DIGITS = 1000;

  /**
   * The deepest nesting of arrays and objects a body may have: deeper ones are malformed. The
   * validator recurses a few frames per level and per {@code $ref} or combinator, so Jackson's
   * default (500) could exhaust a server thread's stack with a recursive schema.
   */
  public static final int MAX_NESTING_DEPTH = 128;

  private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
          .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();

  /** The outcome of {@link #validate}. */
  public sealed interface Result permits Valid, Invalid, Malformed {}

  /** The body satisfies the schema. */
  public record Valid() implements Result {}

  /** @param violations what is wrong, in document order, at most {@link #MAX_VIOLATIONS} */
  public record Invalid(List<Violation> violations) implements Result {}

  /** @param reason why the body is not JSON, safe to show a client */
  public record Malformed(String reason) implements Result {}

  /**
   * One violation.
   *
   * @param pointer the JSON Pointer of the offending value ({@code ""} for the whole body); for a
   *     missing required member, the pointer the member would have
   * @param message what is wrong, in English
   */
  public record Violation(String pointer, String message) {}

  private final Schema schema;

  private JsonSchemaValidator(Schema schema) {
    this.schema = schema;
  }

  /**
   * Reads and compiles {@code source}.
   *
   * @throws IllegalArgumentException when the schema cannot be read or is not a valid schema
   * @throws IllegalStateException when {@code com.networknt:json-schema-validator} is not on the
   *     class path (gateway-impl declares it optional)
   */
  public static JsonSchemaValidator compile(JsonSchema source) {
    return compile(source, false);
  }

  /** Like {@link #compile(JsonSchema)}; with {@code assertFormats}, {@code format} is a check, not only an annotation. */
  static JsonSchemaValidator compile(JsonSchema source, boolean assertFormats) {
    requireNonNull(source, "source");
    OptionalLibrary.JSON_SCHEMA_VALIDATOR.require("JsonSchemaValidator");
    String text = read(source);
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("jsonSchema " + source + " is not JSON: " + e.getOriginalMessage());
    }
    if (node == null || !(node.isObject() || node.isBoolean())) {
      throw new IllegalArgumentException("jsonSchema " + source + " is not a schema (expected: a JSON object)");
    }
    // Never fetch remote $refs: a gateway must not depend on (or be steered by) schemas on the network.
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
        builder -> {
          builder.schemaLoader(loader -> loader.fetchRemoteResources(false));
          if (assertFormats) {
            builder.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build());
          }
        });
    // networknt compiles schemas leniently ({"type": 12} would pass): check the schema against its
    // dialect's meta-schema first, so a mistake fails when the adapter is created, not on requests.
    String dialect = SpecificationVersion.fromSchemaNode(node).orElse(SpecificationVersion.DRAFT_2020_12).getDialectId();
    List<Error> metaErrors;
    try {
      metaErrors = registry.getSchema(SchemaLocation.of(dialect)).validate(node);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("jsonSchema " + source + ": cannot check it against " + dialect + ": " + e.getMessage(), e);
    }
    if (!metaErrors.isEmpty()) {
      Error first = metaErrors.get(0);
      throw new IllegalArgumentException("jsonSchema " + source + " is not a valid schema: at '" + pointer(first) + "': "
          + message(first));
    }
    try {
      Schema schema = source.kind() == JsonSchema.Kind.URI
          ? registry.getSchema(SchemaLocation.of(source.value()), node)
          : registry.getSchema(node);
      schema.initializeValidators();
      return new JsonSchemaValidator(schema);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("jsonSchema " + source + " is not a valid schema: " + e.getMessage(), e);
    }
  }

  /** Parses {@code json} and validates it. */
  public Result validate(byte[] json) {
    JsonNode body;
    try {
      body = JSON.readTree(json);
    } catch (JacksonException e) {
      String message = e.getOriginalMessage();
      int newline = message == null ? -1 : message.indexOf('\n');
      String reason = message == null ? "not valid JSON" : newline < 0 ? message : message.substring(0, newline);
      var location = e.getLocation();
      return new Malformed(location == null ? reason
          : reason + " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")");
    } catch (NumberFormatException e) {
      // Jackson refuses a number beyond BigDecimal's limits (1e999999999999) with this, not a JacksonException.
      return new Malformed("a number is out of range");
    }
    if (body == null || body.isMissingNode()) {
      return new Malformed("the body holds no JSON value");
    }
    return validate(body);
  }

  /** Validates {@code body}, a tree this package built (a body just parsed, or a parameter's coerced value). */
  Result validate(JsonNode body) {
    List<Error> errors;
    try {
      List<Violation> outOfRange = new ArrayList<>();
      body = exactNumbers(body, "", outOfRange);
      if (!outOfRange.isEmpty()) {
        return new Invalid(List.copyOf(outOfRange.subList(0, Math.min(outOfRange.size(), MAX_VIOLATIONS))));
      }
      errors = schema.validate(body);
    } catch (JsonNodeException e) {
      // A keyword converted a value it could not hold (a number, in the library's own arithmetic):
      // the body does not fit what this schema can check, which is the client's to fix.
      return new Invalid(List.of(new Violation("", "a value is outside the range this schema can check")));
    } catch (StackOverflowError e) {
      // A body within the nesting limit on a thread with a small stack (walked by the number check
      // or by a recursive schema): the stack is unwound by now, and the body is too deep to check here.
      return new Invalid(List.of(new Violation("", "the body is nested too deeply for this schema to check")));
    }
    if (errors.isEmpty()) {
      return new Valid();
    }
    List<Violation> violations = new ArrayList<>(Math.min(errors.size(), MAX_VIOLATIONS));
    for (Error error : errors) {
      if (violations.size() == MAX_VIOLATIONS) {
        break;
      }
      violations.add(new Violation(pointer(error), message(error)));
    }
    return new Invalid(List.copyOf(violations));
  }

  /**
   * Returns {@code node} with every integral decimal ({@code 1e19}, {@code 2.5e300}, {@code 1.0})
   * as an exact big integer: the validator reads an integral value as an {@code integer}, and with
   * {@code minimum} or {@code maximum} takes it as a {@code long}, which Jackson 3 refuses beyond 64
   * bits (a 500 before this). Adds a violation for each number with more than
   * {@link #MAX_NUMBER_DIGITS} digits before or after the point ({@code 1e999999999},
   * {@code 1e-5000}): exact arithmetic on them would cost what the body did not.
   */
  private static JsonNode exactNumbers(JsonNode node, String pointer, List<Violation> outOfRange) {
    if (node.isBigDecimal()) {
      BigDecimal value = node.decimalValue();
      if (value.signum() == 0) {
        return BigIntegerNode.valueOf(BigInteger.ZERO);   // 0.0, -0.0, 0e999999
      }
      // In long arithmetic: a scale may be as small as Integer.MIN_VALUE (1e2147483647).
      if ((long) value.precision() - value.scale() > MAX_NUMBER_DIGITS || value.scale() > MAX_NUMBER_DIGITS) {
        outOfRange.add(new Violation(pointer, "the number has more than " + MAX_NUMBER_DIGITS
            + " digits before or after the point"));
        return node;
      }
      BigDecimal stripped = value.stripTrailingZeros();
      return stripped.scale() <= 0 ? BigIntegerNode.valueOf(stripped.toBigIntegerExact()) : node;
    }
    if (node instanceof ObjectNode object) {
      for (Map.Entry<String, JsonNode> member : object.properties()) {
        JsonNode value = member.getValue();
        if (value.isContainer() || value.isBigDecimal()) {
          JsonNode exact = exactNumbers(value, pointer + "/" + escape(member.getKey()), outOfRange);
          if (exact != value) {
            member.setValue(exact);
          }
        }
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        JsonNode value = array.get(i);
        if (value.isContainer() || value.isBigDecimal()) {
          JsonNode exact = exactNumbers(value, pointer + "/" + i, outOfRange);
          if (exact != value) {
            array.set(i, exact);
          }
        }
      }
    }
    return node;
  }

  /** The instance location as an RFC 6901 pointer; a missing required member gets its own pointer. */
  private static String pointer(Error error) {
    StringBuilder sb = new StringBuilder();
    NodePath path = error.getInstanceLocation();
    for (int i = 0; i < path.getNameCount(); i++) {
      sb.append('/').append(escape(String.valueOf(path.getElement(i))));
    }
    String keyword = error.getKeyword();
    if (("required".equals(keyword) || "dependentRequired".equals(keyword)) && error.getProperty() != null) {
      sb.append('/').append(escape(error.getProperty()));
    }
    return sb.toString();
  }

  private static String escape(String segment) {
    return segment.indexOf('~') < 0 && segment.indexOf('/') < 0 ? segment
        : segment.replace("~", "~0").replace("/", "~1");
  }

  private static String message(Error error) {
    String message = error.getMessage();
    return message == null ? String.valueOf(error.getKeyword()) : message;
  }

  static String read(JsonSchema source) {
    return switch (source.kind()) {
      case TEXT -> source.value();
      case URI -> {
        try (InputStream in = URI.create(source.value()).toURL().openStream()) {
          yield new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
          throw new IllegalArgumentException("jsonSchema " + source + " cannot be read: " + e);
        }
      }
      case RESOURCE -> {
        ClassLoader loader = source.classLoader().orElseGet(() -> {
          ClassLoader context = Thread.currentThread().getContextClassLoader();
          return context != null ? context : JsonSchemaValidator.class.getClassLoader();
        });
        try (InputStream in = loader.getResourceAsStream(source.value())) {
          if (in == null) {
            throw new IllegalArgumentException("jsonSchema " + source + ": no such resource");
          }
          yield new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new IllegalArgumentException("jsonSchema " + source + " cannot be read: " + e);
        }
      }
    };
  }
}
