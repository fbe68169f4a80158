package dev.portico.gateway.config.internal;

import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.ratelimit.RateLimiter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One reading of one file: applies objects to their builders by their {@link Spec}, checking every
 * key (unknown ones with a suggestion) and every value's type first, and keeps what later keys
 * refer to by name. Not public API.
 */
public final class Reading {
  private final Problems problems;
  private final Registry registry;
  private final java.nio.file.Path baseDirectory;
  private final Map<String, Authenticator> authenticators = new LinkedHashMap<>();
  private final Map<String, RateLimiter> limiters = new LinkedHashMap<>();
  private final Map<String, Value> routes = new LinkedHashMap<>();

  /** A reading that records into {@code problems} and finds the host's objects in {@code registry}. */
  public Reading(Problems problems, Registry registry, java.nio.file.Path baseDirectory) {
    this.problems = problems;
    this.registry = registry;
    this.baseDirectory = baseDirectory;
  }

  /** The directory relative file names in the file are resolved against. */
  public java.nio.file.Path baseDirectory() {
    return baseDirectory;
  }

  /** The problems found so far. */
  public Problems problems() {
    return problems;
  }

  /** The root value of a parsed file. */
  public Value root(Node node) {
    return new Value(node, "", this);
  }

  /** Defines the authenticator {@code name}, from the file's {@code authenticators:}. */
  public void defineAuthenticator(String name, Authenticator authenticator) {
    authenticators.put(name, authenticator);
  }

  /** Defines the limiter {@code name}, from the file's {@code limiters:}. */
  public void defineLimiter(String name, RateLimiter limiter) {
    limiters.put(name, limiter);
  }

  /** Remembers where route {@code id} is, to point the gateway's own messages about it there. */
  public void routeAt(String id, Value route) {
    routes.put(id, route);
  }

  /** Where route {@code id} is, if the file has it. */
  public java.util.Optional<Value> route(String id) {
    return java.util.Optional.ofNullable(routes.get(id));
  }

  /** Every authenticator a name may reach: the host's, and the file's (which win). */
  public Map<String, Authenticator> authenticators() {
    Map<String, Authenticator> all = new LinkedHashMap<>(registry.authenticators());
    all.putAll(authenticators);
    return all;
  }

  /** Every limiter a name may reach: the host's, and the file's (which win). */
  public Map<String, RateLimiter> limiters() {
    Map<String, RateLimiter> all = new LinkedHashMap<>(registry.limiters());
    all.putAll(limiters);
    return all;
  }

  /** The authenticator {@code value} names: one the file defines, else one the host registered. */
  public Authenticator authenticator(Value value) {
    return named(value, "authenticator", authenticators, registry.authenticators(), "authenticators:");
  }

  /** The limiter {@code value} names: one the file defines, else one the host registered. */
  public RateLimiter limiter(Value value) {
    return named(value, "limiter", limiters, registry.limiters(), "limiters:");
  }

  /** The host's filter {@code value} names. */
  public dev.portico.gateway.Filter filter(Value value) {
    return named(value, "filter", Map.of(), registry.filters(), null);
  }

  /** The host's error mapper {@code value} names. */
  public dev.portico.gateway.ErrorMapper errorMapper(Value value) {
    return named(value, "error mapper", Map.of(), registry.errorMappers(), null);
  }

  /** The host's access log {@code value} names. */
  public dev.portico.gateway.AccessLog accessLog(Value value) {
    return named(value, "access log", Map.of(), registry.accessLogs(), null);
  }

  private <T> T named(Value value, String what, Map<String, T> inFile, Map<String, T> registered,
      @org.jspecify.annotations.Nullable String section) {
    String name = value.text();
    T found = inFile.get(name);
    if (found == null) {
      found = registered.get(name);
    }
    if (found != null) {
      return found;
    }
    TreeSet<String> known = new TreeSet<>(inFile.keySet());
    known.addAll(registered.keySet());
    String where = section == null ? "registered by the host application"
        : "defined under " + section + " or registered by the host application";
    throw value.fail("no " + what + " named '" + name + "' is " + where + Suggestions.hint(name, known));
  }

  /** Like {@link Value#bind}, but returns false instead of throwing when something was reported. */
  public <C> boolean bindQuietly(Value value, Spec<C> spec, C target) {
    return bind(value, spec, target);
  }

  /** Checks a file-defined name does not hide one the host registered. */
  void checkNotRegistered(Value at, String name, boolean limiter) {
    if ((limiter ? registry.limiters() : registry.authenticators()).containsKey(name)) {
      problems.add(at.position(), at.path(), "'" + name + "' is also registered by the host application"
          + " (a name means one " + (limiter ? "limiter" : "authenticator") + ")");
    }
  }

  /**
   * Applies the object {@code value} to {@code target} by {@code spec}; returns whether every key
   * applied. Unknown keys, missing required keys and values of the wrong type are all reported,
   * not only the first.
   */
  <C> boolean bind(Value value, Spec<C> spec, C target) {
    Node.Mapping mapping = (Node.Mapping) value.node();
    boolean ok = true;
    for (Node.Entry entry : mapping.entries().values()) {
      if (spec.key(entry.key()).isEmpty()) {
        problems.add(entry.keyPosition(), join(value.path(), entry.key()),
            "unknown key '" + entry.key() + "'" + Suggestions.hint(entry.key(), spec.names()));
        ok = false;
      }
    }
    List<String> missing = new ArrayList<>();
    for (Spec.Key<C> key : spec.keys()) {
      if (key.required() && !mapping.entries().containsKey(key.name())) {
        missing.add(key.name());
      }
    }
    if (!missing.isEmpty()) {
      problems.add(mapping.position(), value.path(), "missing " + (missing.size() == 1 ? "key '" + missing.get(0) + "'"
          : "keys '" + String.join("', '", missing) + "'"));
      ok = false;
    }
    long present = spec.keys().stream().filter(k -> mapping.entries().containsKey(k.name())).count();
    if (spec.isExactlyOne() && present != 1) {
      problems.add(mapping.position(), value.path(), (present == 0 ? "empty" : "has " + present + " of the keys")
          + " (expected: exactly one of " + String.join(", ", spec.names()) + ")");
      return false;
    }
    if (!missing.isEmpty()) {
      // Appliers may rely on required keys: only check the others' types, so one run reports them too.
      for (Spec.Key<C> key : spec.keys()) {
        Node.Entry entry = mapping.entries().get(key.name());
        if (entry != null) {
          check(new Value(entry.value(), join(value.path(), key.name()), this), key.type());
        }
      }
      return false;
    }
    // Unknown keys do not stop the known ones from being read: their own unknown keys are reported too.
    for (Spec.Key<C> key : spec.keys()) {
      Node.Entry entry = mapping.entries().get(key.name());
      if (entry == null) {
        continue;
      }
      Value child = new Value(entry.value(), join(value.path(), key.name()), this);
      if (!check(child, key.type())) {
        ok = false;
        continue;
      }
      try {
        key.applier().apply(target, child);
      } catch (Value.Reported e) {
        ok = false;
      } catch (Value.Invalid | IllegalArgumentException | IllegalStateException e) {
        problems.add(child.position(), child.path(), String.valueOf(e.getMessage()));
        ok = false;
      }
    }
    return ok;
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Checks {@code value} has the shape of {@code type}, reporting where it does not. */
  boolean check(Value value, Type type) {
    Node node = value.node();
    if (node instanceof Node.Scalar s && s.kind() == Node.Scalar.Kind.BROKEN) {
      return false;
    }
    boolean fits = switch (type.kind()) {
      case OBJECT, MAP -> node instanceof Node.Mapping;
      case LIST -> node instanceof Node.Sequence;
      case ONE_OF -> {
        for (Type alternative : type.alternatives()) {
          if (alternative.scalar() ? scalarFits(node, alternative) : alternative.kind() == Type.Kind.LIST
              ? node instanceof Node.Sequence : node instanceof Node.Mapping) {
            yield alternative.scalar() || check(value, alternative);
          }
        }
        yield false;
      }
      default -> scalarFits(node, type);
    };
    if (!fits) {
      if (type.kind() == Type.Kind.ENUM && isString(node)) {
        problems.add(value.position(), value.path(), "'" + value.text() + "' is not one of "
            + String.join(", ", type.values()) + Suggestions.closest(value.text(), type.values())
                .map(s -> " (did you mean '" + s + "'?)").orElse(""));
      } else if (type.kind() != Type.Kind.ONE_OF || !matchesAnyShape(node, type) || node instanceof Node.Scalar) {
        // A value from a reference may be a secret: say where it came from, not what it is.
        problems.add(value.position(), value.path(), "expected " + type.describe() + ", found " + node.kindName()
            + (node instanceof Node.Scalar s && s.kind() != Node.Scalar.Kind.NULL
                ? s.from() == Node.Scalar.From.REFERENCE ? " (from a ${...} reference)" : " '" + s.text() + "'" : ""));
      }
      return false;
    }
    if (type.kind() == Type.Kind.LIST) {
      boolean all = true;
      for (Value item : value.items()) {
        all &= check(item, type.element());
      }
      return all;
    }
    if (type.kind() == Type.Kind.MAP) {
      boolean all = true;
      for (Value item : value.entries().values()) {
        all &= check(item, type.element());
      }
      return all;
    }
    return true;
  }

  private static boolean matchesAnyShape(Node node, Type type) {
    for (Type alternative : type.alternatives()) {
      boolean shape = alternative.scalar() ? node instanceof Node.Scalar
          : alternative.kind() == Type.Kind.LIST ? node instanceof Node.Sequence : node instanceof Node.Mapping;
      if (shape) {
        return true;
      }
    }
    return false;
  }

  private static boolean scalarFits(Node node, Type type) {
    if (!(node instanceof Node.Scalar s)) {
      return false;
    }
    boolean text = s.textual();
    return switch (type.kind()) {
      case STRING, DURATION -> s.isText();
      case ENUM -> s.isText() && type.values().contains(s.text());
      case INTEGER -> s.kind() == Node.Scalar.Kind.INTEGER || text && s.text().trim().matches("-?\\d+");
      case NUMBER -> s.kind() == Node.Scalar.Kind.INTEGER || s.kind() == Node.Scalar.Kind.DECIMAL
          || text && s.text().trim().matches("-?\\d+(\\.\\d+)?");
      case BOOLEAN -> s.kind() == Node.Scalar.Kind.BOOLEAN || text && s.text().trim().matches("true|false");
      default -> false;
    };
  }

  private static boolean isString(Node node) {
    return node instanceof Node.Scalar s && s.isText();
  }
}
