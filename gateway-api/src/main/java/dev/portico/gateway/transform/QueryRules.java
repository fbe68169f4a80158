package dev.portico.gateway.transform;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Query parameter changes applied, in order, to the upstream request
 * ({@code Route.Builder.requestQuery}). Names are compared after percent-decoding; values are
 * {@link ValueTemplate}s, rendered per request and percent-encoded (UTF-8) when they are written.
 * Parameters no rule names keep their bytes exactly as the client sent them.
 *
 * <pre>{@code
 * QueryRules.builder()
 *     .set("tenant", "{identity.claim.tenant}")   // replace every value with one
 *     .add("source", "gateway")                   // one more, existing ones kept
 *     .remove("debug")
 *     .build();
 * }</pre>
 *
 * <p>A rule whose value is absent for a request is skipped. Immutable and thread-safe.
 */
public final class QueryRules {
  private static final QueryRules NONE = new QueryRules(List.of());

  /** What a rule does. */
  public enum Action {
    /** Adds {@code name=value}, keeping existing values. */
    ADD,
    /** Replaces every value of the name with one. */
    SET,
    /** Removes every value of the name. */
    REMOVE
  }

  /**
   * One rule.
   *
   * @param action what it does
   * @param name the decoded parameter name
   * @param value the value for {@code ADD} and {@code SET}
   */
  public record Rule(Action action, String name, @Nullable ValueTemplate value) {
    /** Validates the components. */
    public Rule {
      requireNonNull(action, "action");
      requireNonNull(name, "name");
    }
  }

  private final List<Rule> rules;

  private QueryRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** Returns rules that change nothing. */
  public static QueryRules none() {
    return NONE;
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the rules, in the order they apply. */
  public List<Rule> rules() {
    return rules;
  }

  /** Returns whether there are no rules. */
  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** Returns the path variables the rules' values use, for the route's build-time check. */
  public List<String> pathVariables() {
    List<String> names = new ArrayList<>();
    for (Rule r : rules) {
      if (r.value() != null) {
        names.addAll(r.value().pathVariables());
      }
    }
    return List.copyOf(names);
  }

  @Override
  public String toString() {
    return "QueryRules" + rules;
  }

  /** Builds {@link QueryRules}; {@link #build()} reports the first invalid rule. */
  public static final class Builder {
    private final List<Rule> rules = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();

    Builder() {}

    /** Adds {@code name=value}, keeping existing values. */
    public Builder add(String name, String value) {
      return valued(Action.ADD, name, value);
    }

    /** Sets {@code name} to {@code value}, replacing every existing value. */
    public Builder set(String name, String value) {
      return valued(Action.SET, name, value);
    }

    /** Removes every value of each of {@code names}. */
    public Builder remove(String... names) {
      for (String name : names) {
        if (checkName("remove", name)) {
          rules.add(new Rule(Action.REMOVE, name, null));
        }
      }
      return this;
    }

    /**
     * Returns the immutable rules.
     *
     * @throws IllegalArgumentException naming the first bad rule: an empty name or an invalid template
     */
    public QueryRules build() {
      if (!errors.isEmpty()) {
        throw new IllegalArgumentException(errors.get(0));
      }
      return rules.isEmpty() ? NONE : new QueryRules(rules);
    }

    private Builder valued(Action action, String name, String value) {
      requireNonNull(value, "value");
      String what = action == Action.ADD ? "add" : "set";
      if (!checkName(what, name)) {
        return this;
      }
      try {
        rules.add(new Rule(action, name, ValueTemplate.parse(value)));
      } catch (IllegalArgumentException e) {
        errors.add(what + " " + name + ": " + e.getMessage());
      }
      return this;
    }

    private boolean checkName(String what, String name) {
      requireNonNull(name, "name");
      if (name.isEmpty()) {
        errors.add(what + ": empty parameter name");
        return false;
      }
      return true;
    }
  }
}
