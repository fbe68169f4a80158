package dev.portico.gateway.validation;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.HttpHeaders;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A check of one path, query or header parameter: whether it must be present, and a
 * {@link JsonSchema} its value must meet. Set it on a {@link RequestValidation} with
 * {@link RequestValidation.Builder#parameter(ParameterRule)}.
 *
 * <pre>{@code
 * ParameterRule.builder(ParameterRule.Location.QUERY, "limit")
 *     .required()
 *     .schema(JsonSchema.of("{\"type\": \"integer\", \"format\": \"int32\", \"minimum\": 1}"))
 *     .build();
 * ParameterRule.of(ParameterRule.Location.PATH, "petId", JsonSchema.of("{\"type\": \"integer\"}"));
 * }</pre>
 *
 * <p>Values arrive as text and are read as the schema's {@code type} says before they are checked:
 * {@code integer} and {@code number} as JSON numbers, {@code boolean} as {@code true} or
 * {@code false}, {@code array} as a list of its {@code items}' type, anything else (and text that
 * is not a number or a boolean) as a JSON string. Query values are percent-decoded (with {@code +}
 * as a space), path values percent-decoded. An array is the parameter's repeated values (query,
 * {@link Builder#explode(boolean) explode} on, as OpenAPI's {@code style: form} does by default),
 * or one value split on commas (query with explode off; path and header parameters always). A
 * parameter that is not an array and is repeated must be valid in every value. A parameter that is
 * absent is only refused when {@link #required()}; a path parameter is always present. Immutable
 * and thread-safe.
 */
public final class ParameterRule {
  /** Where a parameter is. */
  public enum Location {
    /** A variable of the route's path pattern. */
    PATH,
    /** A query parameter, by its decoded name. */
    QUERY,
    /** A header, by its case-insensitive name. */
    HEADER;

    /** Returns the name OpenAPI's {@code in} gives this location: {@code path}, {@code query} or {@code header}. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final Location location;
  private final String name;
  private final String variable;
  private final boolean required;
  private final @Nullable JsonSchema schema;
  private final boolean explode;

  private ParameterRule(Builder b) {
    this.location = b.location;
    this.name = b.name;
    this.variable = b.variable == null ? b.name : b.variable;
    this.required = b.required || b.location == Location.PATH;
    this.schema = b.schema;
    this.explode = b.explode;
  }

  /** Returns a builder for the parameter {@code name} at {@code location}. */
  public static Builder builder(Location location, String name) {
    return new Builder(location, name);
  }

  /**
   * Returns the rule that the parameter {@code name} at {@code location}, when present, meets
   * {@code schema}; see {@link Builder#build()} for what is refused.
   */
  public static ParameterRule of(Location location, String name, JsonSchema schema) {
    return builder(location, name).schema(schema).build();
  }

  /** Returns where the parameter is. */
  public Location location() {
    return location;
  }

  /** Returns the parameter's name, as problems name it. */
  public String name() {
    return name;
  }

  /**
   * Returns the path variable that holds a {@link Location#PATH PATH} parameter's value: the
   * {@link #name()} unless {@link Builder#variable(String)} set another.
   */
  public String variable() {
    return variable;
  }

  /** Returns whether a request without the parameter is refused; always true for a path parameter. */
  public boolean required() {
    return required;
  }

  /** Returns the schema the value must meet; empty when only presence is checked. */
  public Optional<JsonSchema> schema() {
    return Optional.ofNullable(schema);
  }

  /** Returns whether an array query parameter is given as repeated values (true) or one comma-separated value (false). */
  public boolean explode() {
    return explode;
  }

  @Override
  public String toString() {
    return "ParameterRule{" + location.key() + " " + name + (required ? ", required" : "")
        + (schema == null ? "" : ", " + schema) + "}";
  }

  /** Builds a {@link ParameterRule}; {@link #build()} reports a bad name. */
  public static final class Builder {
    private final Location location;
    private final String name;
    private @Nullable String variable;
    private boolean required;
    private @Nullable JsonSchema schema;
    private boolean explode = true;

    private Builder(Location location, String name) {
      this.location = requireNonNull(location, "location");
      this.name = requireNonNull(name, "name");
    }

    /** Refuses requests without the parameter. */
    public Builder required() {
      this.required = true;
      return this;
    }

    /** Checks the value against {@code schema}. */
    public Builder schema(JsonSchema schema) {
      this.schema = requireNonNull(schema, "schema");
      return this;
    }

    /** Reads an array query parameter from repeated values (true, the default) or from one comma-separated value. */
    public Builder explode(boolean explode) {
      this.explode = explode;
      return this;
    }

    /**
     * Reads a path parameter from the path variable {@code variable} rather than the one named
     * like the parameter (for a name a path pattern cannot use, such as {@code pet-id}).
     */
    public Builder variable(String variable) {
      this.variable = requireNonNull(variable, "variable");
      return this;
    }

    /**
     * Returns the immutable rule.
     *
     * @throws IllegalArgumentException for an empty name, a header name that is not a token, a
     *     path variable that is not a path pattern's variable name, or a variable on a parameter
     *     that is not in the path
     */
    public ParameterRule build() {
      if (name.isEmpty()) {
        throw new IllegalArgumentException("parameter: empty name");
      }
      if (location == Location.HEADER) {
        try {
          HttpHeaders.builder().add(name, "");
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("parameter '" + name + "': " + e.getMessage());
        }
      }
      if (variable != null && location != Location.PATH) {
        throw new IllegalArgumentException("parameter '" + name + "': variable is only for path parameters");
      }
      String v = variable == null ? name : variable;
      if (location == Location.PATH && !VARIABLE.matcher(v).matches()) {
        throw new IllegalArgumentException("parameter '" + name + "': '" + v
            + "' is not a path variable name (expected: letters, digits and '_', not starting with a digit)");
      }
      return new ParameterRule(this);
    }
  }
}
