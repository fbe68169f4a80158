package dev.portico.gateway.upstream;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.internal.syntax.HttpSyntax;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How a route shares its traffic between upstream groups: a canary or a blue/green switch. Each
 * request goes to one side, chosen at the proxy step (after filters and authentication):
 * <ol>
 *   <li>the first {@linkplain Builder#whenHeader header} or {@linkplain Builder#whenCookie cookie}
 *       rule the request matches names its side ({@code X-Canary: on} to the canary);</li>
 *   <li>else, with a {@linkplain Builder#stickyBy sticky key}, the key's side: the same key
 *       always lands on the same side while the weights stay, across restarts and
 *       reconfigurations (a stable hash, weighted rendezvous hashing), and when weights change
 *       only the fewest keys move (raising a side's weight only brings keys to it);</li>
 *   <li>else a side at random, in proportion to the weights.</li>
 * </ol>
 *
 * <pre>{@code
 * .upstreamGroup(UpstreamGroup.builder("orders-v1").endpoint("http://orders-v1:8080").build())
 * .upstreamGroup(UpstreamGroup.builder("orders-v2").endpoint("http://orders-v2:8080").build())
 * .route("orders", r -> r
 *     .path("/orders/**")
 *     .split(s -> s
 *         .to("orders-v1", 90)
 *         .to("orders-v2", 10)
 *         .whenHeader("X-Canary", "on", "orders-v2")
 *         .stickyBy(HashKey.header("X-User"))))
 * }</pre>
 *
 * <p>Sides are upstream groups the gateway defines; a weight of 0 keeps a side reachable by rules
 * only. Weights change through {@code reconfigure}, without a lost request: exchanges in flight
 * finish on the side they were sent to.
 */
public final class TrafficSplit {
  private final Map<String, Integer> weights;
  private final List<Rule> rules;
  private final @Nullable HashKey stickyKey;

  /**
   * A rule that sends a request to a side whatever the weights.
   *
   * @param kind whether a header or a cookie is looked at
   * @param name the header or cookie name (headers compared ignoring case, cookies exactly)
   * @param value the value that sends the request to {@code side}, compared exactly
   * @param side the upstream group the request goes to
   */
  public record Rule(Kind kind, String name, String value, String side) {
    /** Validates the components. */
    public Rule {
      requireNonNull(kind, "kind");
      requireNonNull(name, "name");
      requireNonNull(value, "value");
      requireNonNull(side, "side");
    }

    @Override
    public String toString() {
      return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + name + "=" + value + " -> " + side;
    }
  }

  /** What a {@link Rule} looks at. */
  public enum Kind {
    /** A request header. */
    HEADER,
    /** A cookie of the request's {@code Cookie} header. */
    COOKIE
  }

  private TrafficSplit(Builder b) {
    this.weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.weights));
    this.rules = List.copyOf(b.rules);
    this.stickyKey = b.stickyKey;
  }

  /** Returns a new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns each side (an upstream group name) with its weight, in the order given. */
  public Map<String, Integer> weights() {
    return weights;
  }

  /** Returns the sides, in the order given; the first is the route's default side. */
  public Set<String> sides() {
    return weights.keySet();
  }

  /** Returns the header and cookie rules, in the order they are tried. */
  public List<Rule> rules() {
    return rules;
  }

  /** Returns the key that keeps a client on one side, if any. */
  public Optional<HashKey> stickyKey() {
    return Optional.ofNullable(stickyKey);
  }

  @Override
  public String toString() {
    return "TrafficSplit{" + weights + (rules.isEmpty() ? "" : ", rules=" + rules)
        + (stickyKey == null ? "" : ", sticky") + "}";
  }

  /** Builds a {@link TrafficSplit}; {@link #build()} reports the first invalid value. */
  public static final class Builder {
    private final Map<String, Integer> weights = new LinkedHashMap<>();
    private final List<Rule> rules = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private @Nullable HashKey stickyKey;

    Builder() {}

    /** Sends {@code weight} shares of the traffic (0 or more) to upstream group {@code group}. */
    public Builder to(String group, int weight) {
      requireNonNull(group, "group");
      if (group.isBlank()) {
        errors.add("to: blank group name");
      } else if (weight < 0) {
        errors.add("to: " + group + " weight " + weight + " (expected: >= 0)");
      } else if (weights.putIfAbsent(group, weight) != null) {
        errors.add("to: " + group + " is given twice");
      }
      return this;
    }

    /** Sends requests whose header {@code name} is exactly {@code value} to {@code group}. */
    public Builder whenHeader(String name, String value, String group) {
      return rule(Kind.HEADER, name, value, group);
    }

    /** Sends requests with a cookie {@code name} of exactly {@code value} to {@code group}. */
    public Builder whenCookie(String name, String value, String group) {
      return rule(Kind.COOKIE, name, value, group);
    }

    private Builder rule(Kind kind, String name, String value, String group) {
      requireNonNull(name, "name");
      requireNonNull(value, "value");
      requireNonNull(group, "group");
      if (!HttpSyntax.isToken(name)) {
        errors.add("when" + (kind == Kind.HEADER ? "Header" : "Cookie") + ": '" + name + "' (expected: a token)");
      } else {
        rules.add(new Rule(kind, name, value, group));
      }
      return this;
    }

    /**
     * Keeps each key on one side: requests with the same key ({@code HashKey.header("X-User")},
     * {@code HashKey.clientIp()}, {@code HashKey.principal()}, ...) go to the same side
     * while the weights stay. Requests without a key are shared by weight.
     */
    public Builder stickyBy(HashKey key) {
      this.stickyKey = requireNonNull(key, "key");
      return this;
    }

    /**
     * Returns the immutable split.
     *
     * @throws IllegalArgumentException if no side is given, a weight is negative or a side given
     *     twice, the weights add up to 0, or a rule names a side the split does not have
     */
    public TrafficSplit build() {
      if (!errors.isEmpty()) {
        throw new IllegalArgumentException(errors.get(0));
      }
      if (weights.isEmpty()) {
        throw new IllegalArgumentException("no side (expected: to(group, weight) at least once)");
      }
      long total = weights.values().stream().mapToLong(Integer::longValue).sum();
      if (total == 0) {
        throw new IllegalArgumentException("weights " + weights + " add up to 0 (expected: > 0)");
      }
      Set<String> sides = new LinkedHashSet<>(weights.keySet());
      for (Rule rule : rules) {
        if (!sides.contains(rule.side())) {
          throw new IllegalArgumentException("rule " + rule + ": '" + rule.side() + "' is not a side of this split "
              + sides);
        }
      }
      return new TrafficSplit(this);
    }
  }
}
