package dev.portico.gateway;

import dev.portico.gateway.internal.syntax.HttpSyntax;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An immutable, ordered list of HTTP header fields with case-insensitive name lookup.
 *
 * <p>Names keep the case they were given; lookups ignore it. A name may occur more than once, in
 * which case {@link #all(String)} returns every value in order.
 *
 * <pre>{@code
 * HttpHeaders headers = HttpHeaders.builder()
 *     .add("Accept", "application/json")
 *     .add("X-Tenant", "acme")
 *     .build();
 * headers.first("accept");   // Optional[application/json]
 * }</pre>
 *
 * <p>The engine may hand filters an implementation that is a view over the server's own header
 * storage; every implementation is immutable and safe to share between threads.
 */
public interface HttpHeaders {

  /** Returns the empty header list. */
  static HttpHeaders empty() {
    return ListHttpHeaders.EMPTY;
  }

  /** Returns a new builder with no fields. */
  static Builder builder() {
    return new Builder();
  }

  /** Returns the first value of {@code name}, ignoring case, if any. */
  Optional<String> first(String name);

  /** Returns every value of {@code name}, ignoring case, in order; empty if there is none. */
  List<String> all(String name);

  /** Returns whether a field with {@code name} is present, ignoring case. */
  default boolean contains(String name) {
    return first(name).isPresent();
  }

  /** Returns the number of fields (not names). */
  int size();

  /** Returns the distinct names in lower case. */
  Set<String> names();

  /** Calls {@code action} with each field's name and value, in order. */
  void forEach(BiConsumer<String, String> action);

  /** Returns a builder that starts with these fields. */
  default Builder toBuilder() {
    Builder builder = new Builder();
    forEach(builder::add);
    return builder;
  }

  /**
   * Builds {@link HttpHeaders}. Names must be valid HTTP tokens and values must not contain CR,
   * LF or NUL: a header a filter sets can never split a message.
   */
  final class Builder {
    private final List<String> fields;

    Builder() {
      this.fields = new ArrayList<>();
    }

    /** Starts with {@code validated}, alternating names and values that passed these checks before. */
    Builder(String[] validated) {
      this.fields = new ArrayList<>(validated.length + 8);
      Collections.addAll(fields, validated);
    }

    /**
     * Adds a field, keeping any existing fields of the same name. A name or value that is refused
     * leaves the builder as it was.
     */
    public Builder add(String name, String value) {
      checkName(name);
      checkValue(name, value);
      fields.add(name);
      fields.add(value);
      return this;
    }

    /**
     * Replaces every field named {@code name} by one field with {@code value}. A name or value that
     * is refused leaves the builder as it was.
     */
    public Builder set(String name, String value) {
      checkName(name);
      checkValue(name, value);
      remove(name);
      return add(name, value);
    }

    /** Removes every field named {@code name}, ignoring case. */
    public Builder remove(String name) {
      for (int i = fields.size() - 2; i >= 0; i -= 2) {
        if (fields.get(i).equalsIgnoreCase(name)) {
          fields.remove(i + 1);
          fields.remove(i);
        }
      }
      return this;
    }

    /** Returns the immutable header list. */
    public HttpHeaders build() {
      return fields.isEmpty() ? ListHttpHeaders.EMPTY : new ListHttpHeaders(fields.toArray(String[]::new));
    }

    static String checkName(String name) {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("header name: empty");
      }
      for (int i = 0; i < name.length(); i++) {
        if (!HttpSyntax.isTchar(name.charAt(i))) {
          throw new IllegalArgumentException("header name: '" + name + "' (expected: an HTTP token)");
        }
      }
      return name;
    }

    static String checkValue(String name, String value) {
      if (value == null) {
        throw new NullPointerException("value of header " + name);
      }
      boolean forbidden = false;
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        forbidden |= c == '\r' | c == '\n' | c == 0;   // no branch per character: values are long
      }
      if (forbidden) {
        throw new IllegalArgumentException(
            "header " + name + ": value contains CR, LF or NUL (header injection)");
      }
      return value;
    }
  }
}

/** The default {@link HttpHeaders}: a flat array of alternating names and values. */
final class ListHttpHeaders implements HttpHeaders {
  static final ListHttpHeaders EMPTY = new ListHttpHeaders(new String[0]);

  private final String[] fields;

  ListHttpHeaders(String[] fields) {
    this.fields = fields;
  }

  @Override
  public Optional<String> first(String name) {
    for (int i = 0; i < fields.length; i += 2) {
      if (fields[i].equalsIgnoreCase(name)) {
        return Optional.of(fields[i + 1]);
      }
    }
    return Optional.empty();
  }

  @Override
  public List<String> all(String name) {
    List<String> values = null;
    for (int i = 0; i < fields.length; i += 2) {
      if (fields[i].equalsIgnoreCase(name)) {
        if (values == null) {
          values = new ArrayList<>(2);
        }
        values.add(fields[i + 1]);
      }
    }
    return values == null ? List.of() : List.copyOf(values);
  }

  @Override
  public int size() {
    return fields.length / 2;
  }

  @Override
  public Set<String> names() {
    LinkedHashSet<String> names = new LinkedHashSet<>();
    for (int i = 0; i < fields.length; i += 2) {
      names.add(fields[i].toLowerCase(Locale.ROOT));
    }
    return Collections.unmodifiableSet(names);
  }

  @Override
  public void forEach(BiConsumer<String, String> action) {
    for (int i = 0; i < fields.length; i += 2) {
      action.accept(fields[i], fields[i + 1]);
    }
  }

  /** Its fields were checked when it was built: copied as they are. */
  @Override
  public Builder toBuilder() {
    return new Builder(fields);
  }

  /** Lists the fields, with the values of credential-bearing headers redacted. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < fields.length; i += 2) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(fields[i]).append(": ").append(isSecret(fields[i]) ? "<redacted>" : fields[i + 1]);
    }
    return sb.append(']').toString();
  }

  private static boolean isSecret(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.equals("authorization") || n.equals("proxy-authorization") || n.equals("cookie")
        || n.equals("set-cookie") || n.contains("api-key") || n.contains("token");
  }
}
