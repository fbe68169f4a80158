package dev.portico.gateway.validation.jsonschema;

import static java.util.Objects.requireNonNull;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import dev.portico.gateway.validation.JsonSchema;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
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
 * so a body cannot mean one thing to the validator and another to the upstream. At most
 * {@link #MAX_VIOLATIONS} violations are listed. Immutable and thread-safe.
 */
public final class JsonSchemaValidator {
  /** The most violations one result lists. */
  public static final int MAX_VIOLATIONS = 50;

  private static final JsonMapper JSON = JsonMapper.builder()
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
   */
  public static JsonSchemaValidator compile(JsonSchema source) {
    requireNonNull(source, "source");
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
        builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false)));
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
    List<Error> errors = schema.validate(body);
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

  private static String read(JsonSchema source) {
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
