package dev.portico.gateway.transform;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Header changes applied, in order, to the upstream request ({@code Route.Builder.requestHeaders})
 * or to the upstream's response ({@code Route.Builder.responseHeaders}). Values are
 * {@link ValueTemplate}s rendered per request.
 *
 * <pre>{@code
 * HeaderRules.builder()
 *     .set("X-User", "{identity.subject}")        // replace any value
 *     .add("X-Trace", "gw-{requestId}")           // one more field, existing ones kept
 *     .append("Via", "1.1 portico")               // "a, 1.1 portico", or added when absent
 *     .rename("X-Tenant-Id", "X-Tenant")          // every value, moved to the new name
 *     .remove("Cookie")
 *     .build();
 *
 * HeaderRules.stripInternal()    // Server, X-Powered-By and other internals: a one-liner for responses
 * }</pre>
 *
 * <p>A rule whose value is absent for a request (say {@code {identity.subject}} on an anonymous
 * request) is skipped; so is one whose rendered value would carry CR, LF or NUL, unless the value
 * uses the identity ({@link ValueTemplate#usesIdentity()}): such a value is sent in the encoding
 * {@link dev.portico.gateway.auth.IdentityForwarding} describes when it is not plain visible
 * ASCII, and its header is removed from every client's request on every route. Framing and
 * connection headers ({@code Content-Length}, {@code Transfer-Encoding}, {@code Connection} and
 * the other hop-by-hop headers) and {@code Host} cannot be changed: the gateway owns them.
 * Immutable and thread-safe.
 */
public final class HeaderRules {
  /** Headers that tell the world what runs behind the gateway; {@link #stripInternal()} removes them. */
  public static final List<String> INTERNAL_HEADERS = List.of(
      "Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Runtime", "X-Generator");

  private static final HeaderRules NONE = new HeaderRules(List.of());
  private static final Set<String> GATEWAY_OWNED = Set.of("content-length", "transfer-encoding", "connection",
      "keep-alive", "te", "trailer", "upgrade", "proxy-connection", "host");

  /** What a rule does. */
  public enum Action {
    /** Adds a field, keeping existing fields of the name. */
    ADD,
    /** Replaces every field of the name with one field. */
    SET,
    /** Appends {@code , value} to the (comma-joined) existing value, or adds the field when absent. */
    APPEND,
    /** Removes every field of the name. */
    REMOVE,
    /** Moves every field of the name to another name, replacing fields already there. */
    RENAME
  }

  /**
   * One rule.
   *
   * @param action what it does
   * @param name the header it applies to
   * @param value the value for {@code ADD}, {@code SET} and {@code APPEND}
   * @param renameTo the new name for {@code RENAME}
   */
  public record Rule(Action action, String name, @Nullable ValueTemplate value, @Nullable String renameTo) {
    /** Validates the components. */
    public Rule {
      requireNonNull(action, "action");
      requireNonNull(name, "name");
    }
  }

  private final List<Rule> rules;

  private HeaderRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** Returns rules that change nothing. */
  public static HeaderRules none() {
    return NONE;
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns rules that remove {@link #INTERNAL_HEADERS}: a one-liner for a route's responses. */
  public static HeaderRules stripInternal() {
    return builder().stripInternal().build();
  }

  /** Returns rules that remove {@code names}. */
  public static HeaderRules removing(String... names) {
    return builder().remove(names).build();
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

  /**
   * Returns the headers these rules fill from the caller's identity: those an {@code add},
   * {@code set} or {@code append} rule gives a value that {@link ValueTemplate#usesIdentity() uses
   * the identity}, and those such a header is renamed to. On request rules, these are identity
   * headers: the gateway removes them from every client request.
   */
  public List<String> identityHeaders() {
    List<String> fed = new ArrayList<>();
    for (Rule rule : rules) {
      switch (rule.action()) {
        case ADD, SET, APPEND -> {
          if (rule.value() != null && rule.value().usesIdentity() && !containsIgnoreCase(fed, rule.name())) {
            fed.add(rule.name());
          }
        }
        case RENAME -> {
          String to = rule.renameTo();
          if (to != null && containsIgnoreCase(fed, rule.name()) && !containsIgnoreCase(fed, to)) {
            fed.add(to);
          }
        }
        case REMOVE -> {
          // fills nothing
        }
      }
    }
    return List.copyOf(fed);
  }

  private static boolean containsIgnoreCase(List<String> names, String name) {
    return names.stream().anyMatch(name::equalsIgnoreCase);
  }

  /** Returns a builder that starts with these rules. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.rules.addAll(rules);
    return b;
  }

  @Override
  public String toString() {
    return "HeaderRules" + rules;
  }

  /** Builds {@link HeaderRules}; {@link #build()} reports the first invalid rule. */
  public static final class Builder {
    private final List<Rule> rules = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();

    Builder() {}

    /** Adds a field {@code name: value}, keeping existing ones. */
    public Builder add(String name, String value) {
      return valued(Action.ADD, name, value);
    }

    /** Sets {@code name} to {@code value}, replacing every existing field of that name. */
    public Builder set(String name, String value) {
      return valued(Action.SET, name, value);
    }

    /** Appends {@code value} to {@code name}'s existing value after {@code ", "}; adds it when absent. */
    public Builder append(String name, String value) {
      return valued(Action.APPEND, name, value);
    }

    /** Removes every field of each of {@code names}. */
    public Builder remove(String... names) {
      for (String name : names) {
        if (checkName("remove", name)) {
          rules.add(new Rule(Action.REMOVE, name, null, null));
        }
      }
      return this;
    }

    /** Moves every field of {@code from} to {@code to}, replacing any fields {@code to} had. */
    public Builder rename(String from, String to) {
      if (checkName("rename", from) && checkName("rename", to)) {
        rules.add(new Rule(Action.RENAME, from, null, to));
      }
      return this;
    }

    /** Removes {@link #INTERNAL_HEADERS}. */
    public Builder stripInternal() {
      return remove(INTERNAL_HEADERS.toArray(String[]::new));
    }

    /**
     * Returns the immutable rules.
     *
     * @throws IllegalArgumentException naming the first bad rule: an invalid header name, a header
     *     the gateway owns, an invalid template
     */
    public HeaderRules build() {
      if (!errors.isEmpty()) {
        throw new IllegalArgumentException(errors.get(0));
      }
      return rules.isEmpty() ? NONE : new HeaderRules(rules);
    }

    private Builder valued(Action action, String name, String value) {
      requireNonNull(value, "value");
      String what = action.name().toLowerCase(Locale.ROOT);
      if (!checkName(what, name)) {
        return this;
      }
      try {
        rules.add(new Rule(action, name, ValueTemplate.parse(value), null));
      } catch (IllegalArgumentException e) {
        errors.add(what + " " + name + ": " + e.getMessage());
      }
      return this;
    }

    private boolean checkName(String what, String name) {
      requireNonNull(name, "name");
      try {
        HttpHeaders.builder().add(name, "");
      } catch (IllegalArgumentException e) {
        errors.add(what + ": " + e.getMessage());
        return false;
      }
      if (GATEWAY_OWNED.contains(name.toLowerCase(Locale.ROOT))) {
        errors.add(what + " " + name + ": the gateway owns this header (framing, connection or Host; "
            + "use preserveHost() to send the client's Host)");
        return false;
      }
      return true;
    }
  }
}
