package dev.portico.gateway.validation;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where a JSON Schema comes from: its text, a {@code file:} or {@code jar:} URI, or a class path
 * resource. The engine reads and compiles it once, when the adapter is created (which fails naming
 * the route if the schema cannot be read or is not a valid schema); requests only run the
 * compiled schema. Schemas without {@code $schema} are read as draft 2020-12.
 *
 * <pre>{@code
 * JsonSchema.of("{\"type\": \"object\", \"required\": [\"amount\"]}")
 * JsonSchema.resource("schemas/order.json")         // from the class path
 * JsonSchema.at(Path.of("schemas/order.json").toUri())
 * }</pre>
 *
 * <p>The gateway never fetches a schema over the network: {@code http} and {@code https} URIs are
 * refused, and so are {@code $ref}s to remote schemas.
 */
public final class JsonSchema {
  /** How the schema is given. */
  public enum Kind {
    /** The schema's JSON text. */
    TEXT,
    /** A {@code file:} or {@code jar:} URI. */
    URI,
    /** A class path resource name. */
    RESOURCE
  }

  private final Kind kind;
  private final String value;
  private final @Nullable ClassLoader classLoader;

  private JsonSchema(Kind kind, String value, @Nullable ClassLoader classLoader) {
    this.kind = kind;
    this.value = value;
    this.classLoader = classLoader;
  }

  /** Returns the schema whose JSON text is {@code json}. */
  public static JsonSchema of(String json) {
    requireNonNull(json, "json");
    if (json.isBlank()) {
      throw new IllegalArgumentException("json: blank");
    }
    return new JsonSchema(Kind.TEXT, json, null);
  }

  /**
   * Returns the schema at {@code uri}.
   *
   * @throws IllegalArgumentException unless {@code uri} is an absolute {@code file:} or {@code jar:} URI
   */
  public static JsonSchema at(URI uri) {
    requireNonNull(uri, "uri");
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("file") && !scheme.equals("jar")) {
      throw new IllegalArgumentException("uri: '" + uri + "' (expected: a file: or jar: URI; the gateway never fetches "
          + "schemas over the network)");
    }
    return new JsonSchema(Kind.URI, uri.toString(), null);
  }

  /** Returns the schema in class path resource {@code name}, looked up by the thread's context class loader. */
  public static JsonSchema resource(String name) {
    return resource(null, name);
  }

  /** Returns the schema in resource {@code name} of {@code classLoader} (the context class loader when null). */
  public static JsonSchema resource(@Nullable ClassLoader classLoader, String name) {
    requireNonNull(name, "name");
    String trimmed = name.startsWith("/") ? name.substring(1) : name;
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException("name: empty");
    }
    return new JsonSchema(Kind.RESOURCE, trimmed, classLoader);
  }

  /** Returns how the schema is given. */
  public Kind kind() {
    return kind;
  }

  /** Returns the JSON text, the URI or the resource name, depending on {@link #kind()}. */
  public String value() {
    return value;
  }

  /** Returns the class loader of a {@code RESOURCE} schema, if one was given. */
  public Optional<ClassLoader> classLoader() {
    return Optional.ofNullable(classLoader);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case TEXT -> "JsonSchema(text, " + value.length() + " chars)";
      case URI -> "JsonSchema(" + value + ")";
      case RESOURCE -> "JsonSchema(resource " + value + ")";
    };
  }
}
