package dev.portico.gateway.routing;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * A route predicate on a header or query parameter: present, or present with an exact value.
 * Header names are compared ignoring case; query parameter names exactly, after percent-decoding.
 *
 * @param name the header or parameter name
 * @param value the required value; empty to require only presence
 */
public record FieldCondition(String name, Optional<String> value) {

  /** Validates the components. */
  public FieldCondition {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("name: empty");
    }
  }

  /** Requires {@code name} to be present, with any value. */
  public static FieldCondition present(String name) {
    return new FieldCondition(name, Optional.empty());
  }

  /** Requires one value of {@code name} to equal {@code value}. */
  public static FieldCondition equalTo(String name, String value) {
    return new FieldCondition(name, Optional.of(requireNonNull(value, "value")));
  }

  /** Returns whether the given values of the field (empty when absent) satisfy this condition. */
  public boolean test(List<String> values) {
    if (values.isEmpty()) {
      return false;
    }
    if (value.isEmpty()) {
      return true;
    }
    String expected = value.get();
    for (String v : values) {
      if (v.equals(expected)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return value.map(v -> name + "=" + v).orElse(name);
  }
}
