package dev.portico.gateway.config.internal;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The shape a key's value must have: what the reader accepts, what the JSON Schema says and what
 * the reference prints. Not public API.
 *
 * @param kind the shape
 * @param spec the object's keys, for {@link Kind#OBJECT}
 * @param element the element type, for {@link Kind#LIST} and {@link Kind#MAP}
 * @param values the accepted words, for {@link Kind#ENUM}
 * @param alternatives the accepted shapes, for {@link Kind#ONE_OF} (told apart by scalar, list or object)
 */
public record Type(Kind kind, @Nullable Spec<?> spec, @Nullable Type element, List<String> values,
    List<Type> alternatives) {

  /** The shapes. */
  public enum Kind { STRING, INTEGER, NUMBER, BOOLEAN, DURATION, ENUM, OBJECT, LIST, MAP, ONE_OF }

  /** Any string. */
  public static final Type STRING = simple(Kind.STRING);
  /** A whole number. */
  public static final Type INTEGER = simple(Kind.INTEGER);
  /** A number. */
  public static final Type NUMBER = simple(Kind.NUMBER);
  /** {@code true} or {@code false}. */
  public static final Type BOOLEAN = simple(Kind.BOOLEAN);
  /** A duration: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d} or ISO-8601 {@code PT5S}. */
  public static final Type DURATION = simple(Kind.DURATION);
  /** A list of strings. */
  public static final Type STRINGS = list(STRING);
  /** A list of whole numbers. */
  public static final Type INTEGERS = list(INTEGER);

  private static Type simple(Kind kind) {
    return new Type(kind, null, null, List.of(), List.of());
  }

  /** One of these words (matched exactly). */
  public static Type oneWordOf(String... words) {
    return new Type(Kind.ENUM, null, null, List.of(words), List.of());
  }

  /** An object with the keys of {@code spec}. */
  public static Type object(Spec<?> spec) {
    return new Type(Kind.OBJECT, spec, null, List.of(), List.of());
  }

  /** A list of {@code element}s. */
  public static Type list(Type element) {
    return new Type(Kind.LIST, null, element, List.of(), List.of());
  }

  /** An object whose keys the author names (route ids, authenticator names), each value an {@code element}. */
  public static Type map(Type element) {
    return new Type(Kind.MAP, null, element, List.of(), List.of());
  }

  /** Either of these shapes; they must differ in being a scalar, a list or an object. */
  public static Type either(Type... alternatives) {
    return new Type(Kind.ONE_OF, null, null, List.of(), List.of(alternatives));
  }

  /** Whether a value of this type is written as a scalar. */
  public boolean scalar() {
    return kind != Kind.OBJECT && kind != Kind.LIST && kind != Kind.MAP && kind != Kind.ONE_OF;
  }

  /** How the reference and error messages name this type. */
  public String describe() {
    return switch (kind) {
      case STRING -> "a string";
      case INTEGER -> "an integer";
      case NUMBER -> "a number";
      case BOOLEAN -> "true or false";
      case DURATION -> "a duration (250ms, 5s, 2m, 1h, 1d or PT5S)";
      case ENUM -> "one of " + String.join(", ", values);
      case OBJECT -> "an object (" + spec.title() + ")";
      case LIST -> "a list of " + plural(element);
      case MAP -> "an object of names to " + plural(element);
      case ONE_OF -> String.join(" or ", alternatives.stream().map(Type::describe).toList());
    };
  }

  private static String plural(Type element) {
    return switch (element.kind) {
      case STRING -> "strings";
      case INTEGER -> "integers";
      case OBJECT -> "objects (" + element.spec.title() + ")";
      default -> element.describe();
    };
  }
}
