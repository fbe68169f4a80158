package dev.portico.gateway.config.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A value of the file, where it is, and the reading it belongs to; an {@link Spec.Applier} turns it
 * into builder calls. Conversions throw {@link Invalid} with a message for the author. Not public API.
 */
public final class Value {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  /** A value that does not mean what its key needs; reported at the value's position. */
  public static final class Invalid extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** With the message for the author. */
    public Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /** A failure already reported, so the applier stops without a second message. */
  public static final class Reported extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Reported() {
      super(null, null, false, false);
    }
  }

  private final Node node;
  private final String path;
  private final Reading reading;

  Value(Node node, String path, Reading reading) {
    this.node = node;
    this.path = path;
    this.reading = reading;
  }

  /** The node. */
  public Node node() {
    return node;
  }

  /** The key path, {@code routes[2].upstream}. */
  public String path() {
    return path;
  }

  /** Where the value starts. */
  public Position position() {
    return node.position();
  }

  /** The reading this value belongs to: named objects, the host's registry, the problems. */
  public Reading reading() {
    return reading;
  }

  /** Whether the value is a scalar (not a list or an object). */
  public boolean isScalar() {
    return node instanceof Node.Scalar;
  }

  /** Whether the value is an object. */
  public boolean isObject() {
    return node instanceof Node.Mapping;
  }

  /** The scalar's text. */
  public String text() {
    return ((Node.Scalar) node).text();
  }

  /** The value as an int. */
  public int integer() {
    long value = longValue();
    if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
      throw new Invalid(value + " is too large (expected: at most " + Integer.MAX_VALUE + ")");
    }
    return (int) value;
  }

  /** The value as a long. */
  public long longValue() {
    try {
      return Long.parseLong(text().trim());
    } catch (NumberFormatException e) {
      throw new Invalid("'" + text() + "' is not an integer");
    }
  }

  /** The value as a double. */
  public double number() {
    try {
      return Double.parseDouble(text().trim());
    } catch (NumberFormatException e) {
      throw new Invalid("'" + text() + "' is not a number");
    }
  }

  /** The value as a boolean. */
  public boolean bool() {
    return switch (text().trim()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new Invalid("'" + text() + "' is not true or false");
    };
  }

  /** The value as a duration: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d} or ISO-8601. */
  public Duration duration() {
    String text = text().trim();
    Matcher m = DURATION.matcher(text);
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    }
    try {
      return Duration.parse(text.toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new Invalid("'" + text + "' is not a duration (expected: 250ms, 5s, 2m, 1h, 1d or PT5S)");
    }
  }

  /** The list's items. */
  public List<Value> items() {
    List<Node> items = ((Node.Sequence) node).items();
    List<Value> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(new Value(items.get(i), path + "[" + i + "]", reading));
    }
    return out;
  }

  /** The list of strings. */
  public List<String> strings() {
    return items().stream().map(Value::text).toList();
  }

  /** The list as a {@code String[]}, for the builders' varargs. */
  public String[] stringArray() {
    return strings().toArray(String[]::new);
  }

  /** The list of integers as an {@code int[]}. */
  public int[] integers() {
    return items().stream().mapToInt(Value::integer).toArray();
  }

  /** The object's entries by key, in file order (for {@link Type#map} values). */
  public Map<String, Value> entries() {
    Map<String, Value> out = new LinkedHashMap<>();
    for (Node.Entry e : ((Node.Mapping) node).entries().values()) {
      out.put(e.key(), new Value(e.value(), path + "." + e.key(), reading));
    }
    return out;
  }

  /** The entry {@code key} of this object, if present. */
  public java.util.Optional<Value> get(String key) {
    Node.Entry e = ((Node.Mapping) node).entries().get(key);
    return java.util.Optional.ofNullable(e).map(x -> new Value(x.value(), path + "." + key, reading));
  }

  /** Applies this object's keys to {@code target} by {@code spec}. */
  public <C> void bind(Spec<C> spec, C target) {
    if (!reading.bind(this, spec, target)) {
      throw new Reported();
    }
  }

  /**
   * Applies this object's keys to a fresh {@code builder} and builds it; a builder's refusal
   * ({@link IllegalArgumentException} or {@link IllegalStateException}) is reported at this object.
   */
  public <B, T> T build(Spec<B> spec, B builder, Function<B, T> build) {
    bind(spec, builder);
    try {
      return build.apply(builder);
    } catch (IllegalArgumentException | IllegalStateException e) {
      reading.problems().add(position(), path, String.valueOf(e.getMessage()));
      throw new Reported();
    }
  }

  /** Reports {@code message} at this value and stops the applier. */
  public Reported fail(String message) {
    reading.problems().add(position(), path, message);
    return new Reported();
  }
}
