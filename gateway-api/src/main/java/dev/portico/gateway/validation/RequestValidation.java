package dev.portico.gateway.validation;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.internal.syntax.HttpSyntax;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks a route runs on each request before anything reaches the upstream
 * ({@code Route.Builder.validate}), answering with a problem when one fails:
 *
 * <ol>
 *   <li>required headers and query parameters, and {@link ParameterRule parameters}' presence and
 *       values: 400 {@code validation-failed}, listing every missing or invalid one in the
 *       problem's {@code errors} member ({@code {"in": "query", "parameter": "limit", "message":
 *       "..."}} for a parameter rule; a value is never repeated in it);
 *   <li>the body's media type against {@link #contentTypes()}: 415 {@code unsupported-media-type};
 *   <li>the body's size against {@link #maxBodySize()}: 413 {@code payload-too-large}, at once when
 *       the declared {@code Content-Length} is too large;
 *   <li>the body against a {@link JsonSchema}: 400 {@code malformed-json} when it is not JSON,
 *       400 {@code validation-failed} with an {@code errors} member that lists each violation as
 *       {@code {"pointer": "/items/0/qty", "message": "..."}} otherwise.
 * </ol>
 *
 * <pre>{@code
 * RequestValidation.builder()
 *     .requireHeaders("X-Tenant")
 *     .requireQueryParams("version")
 *     .parameter(ParameterRule.of(ParameterRule.Location.QUERY, "limit", JsonSchema.of("{\"type\": \"integer\"}")))
 *     .contentTypes("application/json")
 *     .maxBodySize(64 * 1024)
 *     .jsonSchema(JsonSchema.resource("schemas/order.json"))
 *     .build();
 * }</pre>
 *
 * <p>Requests without a body skip the body checks, unless {@link Builder#requireBody()} says a body
 * is required. Checking a body against a schema holds it in memory, up to {@link #maxBodySize()}
 * (1 MiB when not set), and so does checking the size of a body sent without
 * {@code Content-Length} (chunked); the checked body is then sent upstream from memory. A
 * gzip-encoded body is decoded to be checked and goes upstream decoded; any other content coding
 * is refused with 415 when the body has to be read. Immutable and thread-safe.
 */
public final class RequestValidation {
  /** The body size limit of schema validation when {@link Builder#maxBodySize} is not set: 1 MiB. */
  public static final long DEFAULT_SCHEMA_BODY_SIZE = 1024 * 1024;

  private final List<String> requiredHeaders;
  private final List<String> requiredQueryParams;
  private final List<ParameterRule> parameters;
  private final List<String> contentTypes;
  private final long maxBodySize;
  private final @Nullable JsonSchema jsonSchema;
  private final boolean bodyRequired;

  private RequestValidation(Builder b) {
    this.requiredHeaders = List.copyOf(b.requiredHeaders);
    this.requiredQueryParams = List.copyOf(b.requiredQueryParams);
    this.parameters = List.copyOf(b.parameters.values());
    this.contentTypes = List.copyOf(b.contentTypes);
    this.maxBodySize = b.maxBodySize;
    this.jsonSchema = b.jsonSchema;
    this.bodyRequired = b.bodyRequired;
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the headers every request must carry. */
  public List<String> requiredHeaders() {
    return requiredHeaders;
  }

  /** Returns the query parameters (decoded names) every request must carry. */
  public List<String> requiredQueryParams() {
    return requiredQueryParams;
  }

  /** Returns the parameter rules, one per location and name, in the order they were added. */
  public List<ParameterRule> parameters() {
    return parameters;
  }

  /**
   * Returns the accepted media ranges of a body, in lower case: {@code type/subtype},
   * {@code type/*} or {@code type/*+suffix}; empty accepts any (but see {@link #jsonSchema()}).
   */
  public List<String> contentTypes() {
    return contentTypes;
  }

  /** Returns the largest body accepted, in bytes; empty when unlimited. */
  public OptionalLong maxBodySize() {
    return maxBodySize < 0 ? OptionalLong.empty() : OptionalLong.of(maxBodySize);
  }

  /** Returns the schema bodies must satisfy; with one, bodies must be JSON unless {@link #contentTypes()} says otherwise. */
  public Optional<JsonSchema> jsonSchema() {
    return Optional.ofNullable(jsonSchema);
  }

  /** Returns whether a request without a body is refused. */
  public boolean bodyRequired() {
    return bodyRequired;
  }

  /** Returns whether {@code mediaType} (a {@code Content-Type} value, parameters allowed) is one of {@link #contentTypes()}. */
  public boolean acceptsContentType(String mediaType) {
    return accepts(contentTypes, mediaType);
  }

  /** Returns whether {@code mediaType} is in {@code ranges} (see {@link #contentTypes()}). */
  static boolean accepts(List<String> ranges, String mediaType) {
    int semicolon = mediaType.indexOf(';');
    String type = (semicolon < 0 ? mediaType : mediaType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    int slash = type.indexOf('/');
    if (slash <= 0) {
      return false;
    }
    for (String range : ranges) {
      if (range.equals(type)) {
        return true;
      }
      int star = range.indexOf("/*");
      if (star > 0 && type.regionMatches(0, range, 0, star + 1)) {
        String suffix = range.substring(star + 2);           // "" or "+json"
        if (suffix.isEmpty() || type.endsWith(suffix) && type.length() > slash + 1 + suffix.length()) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "RequestValidation{headers=" + requiredHeaders + ", query=" + requiredQueryParams
        + (parameters.isEmpty() ? "" : ", parameters=" + parameters) + ", contentTypes="
        + contentTypes + ", maxBodySize=" + maxBodySize + ", schema=" + jsonSchema + "}";
  }

  /** Builds a {@link RequestValidation}; {@link #build()} reports the first invalid setting. */
  public static final class Builder {
    private final Set<String> requiredHeaders = new LinkedHashSet<>();
    private final Set<String> requiredQueryParams = new LinkedHashSet<>();
    private final Map<String, ParameterRule> parameters = new LinkedHashMap<>();
    private final Set<String> contentTypes = new LinkedHashSet<>();
    private final List<String> errors = new ArrayList<>();
    private long maxBodySize = -1;
    private @Nullable JsonSchema jsonSchema;
    private boolean bodyRequired;

    Builder() {}

    /** Requires each of {@code names} to be present. */
    public Builder requireHeaders(String... names) {
      for (String name : names) {
        requireNonNull(name, "name");
        try {
          HttpHeaders.builder().add(name, "");
          requiredHeaders.add(name);
        } catch (IllegalArgumentException e) {
          errors.add("requireHeaders: " + e.getMessage());
        }
      }
      return this;
    }

    /** Requires each of the query parameters {@code names} (compared after percent-decoding) to be present. */
    public Builder requireQueryParams(String... names) {
      for (String name : names) {
        requireNonNull(name, "name");
        if (name.isEmpty()) {
          errors.add("requireQueryParams: empty name");
        } else {
          requiredQueryParams.add(name);
        }
      }
      return this;
    }

    /**
     * Checks a path, query or header parameter. A parameter's location and name (a header's in any
     * case) identify it: adding a second rule for the same one is reported by {@link #build()}.
     */
    public Builder parameter(ParameterRule rule) {
      requireNonNull(rule, "rule");
      String key = rule.location() + " " + (rule.location() == ParameterRule.Location.HEADER
          ? rule.name().toLowerCase(Locale.ROOT) : rule.name());
      if (parameters.putIfAbsent(key, rule) != null) {
        errors.add("parameter: " + rule.location().key() + " parameter '" + rule.name() + "' is given twice");
      }
      return this;
    }

    /**
     * Accepts bodies of these media ranges only: {@code application/json}, {@code text/*},
     * {@code application/*+json}. Parameters such as {@code charset} are ignored when comparing.
     */
    public Builder contentTypes(String... ranges) {
      for (String range : ranges) {
        requireNonNull(range, "range");
        String r = range.trim().toLowerCase(Locale.ROOT);
        if (!isMediaRange(r)) {
          errors.add("contentTypes: '" + range + "' (expected: type/subtype, type/* or type/*+suffix)");
        } else {
          contentTypes.add(r);
        }
      }
      return this;
    }

    /** Refuses bodies larger than {@code bytes} with 413. */
    public Builder maxBodySize(long bytes) {
      if (bytes < 0) {
        errors.add("maxBodySize: " + bytes + " (expected: >= 0)");
      } else {
        this.maxBodySize = bytes;
      }
      return this;
    }

    /** Validates bodies against {@code schema}. */
    public Builder jsonSchema(JsonSchema schema) {
      this.jsonSchema = requireNonNull(schema, "schema");
      return this;
    }

    /** Refuses requests without a body (400 {@code validation-failed}). */
    public Builder requireBody() {
      this.bodyRequired = true;
      return this;
    }

    /**
     * Returns the immutable validation.
     *
     * @throws IllegalArgumentException naming the first bad setting: an invalid header name or media
     *     range, a parameter given twice, a negative size, or content types that exclude JSON next to a JSON schema
     */
    public RequestValidation build() {
      if (!errors.isEmpty()) {
        throw new IllegalArgumentException(errors.get(0));
      }
      if (jsonSchema != null) {
        if (contentTypes.isEmpty()) {
          contentTypes.add("application/json");
          contentTypes.add("application/*+json");
        } else if (!accepts(List.copyOf(contentTypes), "application/json")
            && contentTypes.stream().noneMatch(r -> r.endsWith("+json"))) {
          throw new IllegalArgumentException("contentTypes " + contentTypes + " accept no JSON, but a jsonSchema is set");
        }
        if (maxBodySize < 0) {
          maxBodySize = DEFAULT_SCHEMA_BODY_SIZE;
        }
      }
      return new RequestValidation(this);
    }

    private static boolean isMediaRange(String r) {
      int slash = r.indexOf('/');
      if (slash <= 0 || slash == r.length() - 1 || r.indexOf('/', slash + 1) >= 0 || r.startsWith("*")) {
        return false;
      }
      String subtype = r.substring(slash + 1);
      if (subtype.startsWith("*")) {
        String suffix = subtype.substring(1);
        return suffix.isEmpty() || suffix.startsWith("+") && suffix.length() > 1 && HttpSyntax.isToken(suffix.substring(1));
      }
      return HttpSyntax.isToken(r.substring(0, slash)) && HttpSyntax.isToken(subtype);
    }
  }
}
