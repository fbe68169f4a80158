package dev.portico.gateway.config.internal;

import java.util.List;
import java.util.Map;

/**
 * A value read from a configuration file, with the position it starts at: the tree Jackson's
 * {@code JsonNode} cannot give, since it forgets where each value came from. Not public API.
 */
public sealed interface Node {

  /** Where the value starts. */
  Position position();

  /** What the file's author would call this kind of value, for "expected ... but found ..." messages. */
  String kindName();

  /**
   * A scalar: its text (after {@code ${...}} references are resolved), what the parser made of it,
   * and where its text came from.
   */
  record Scalar(String text, Kind kind, From from, Position position) implements Node {
    /** What the parser read. */
    public enum Kind { STRING, INTEGER, DECIMAL, BOOLEAN, NULL, /** A reference that failed, already reported. */ BROKEN }

    /** Where the text came from, which decides how strictly it is typed and whether messages may quote it. */
    public enum From {
      /** Written in the file: typed as YAML or JSON says. */
      FILE,
      /** A {@code ${...}} reference: a string that may stand for a number or a boolean; never quoted (it may be a secret). */
      REFERENCE,
      /**
       * A host's property (a Spring Boot property, say): a string may stand for a number or a
       * boolean, and a number or a boolean for its text, as property values are read loosely.
       */
      PROPERTY
    }

    /** Whether a string may stand for a number or a boolean. */
    public boolean textual() {
      return from != From.FILE && kind == Kind.STRING;
    }

    /** Whether the value may be read as text: a string, or a property's number or boolean. */
    public boolean isText() {
      return kind == Kind.STRING
          || from == From.PROPERTY && (kind == Kind.INTEGER || kind == Kind.DECIMAL || kind == Kind.BOOLEAN);
    }

    @Override
    public String kindName() {
      return switch (kind) {
        case STRING -> "a string";
        case INTEGER -> "an integer";
        case DECIMAL -> "a number";
        case BOOLEAN -> "a boolean";
        case NULL -> "null";
        case BROKEN -> "an unresolved reference";
      };
    }
  }

  /** A mapping (a YAML mapping or a JSON object), its entries in file order. */
  record Mapping(Map<String, Entry> entries, Position position) implements Node {
    @Override
    public String kindName() {
      return "an object";
    }
  }

  /** One entry of a mapping: where its key is, and its value. */
  record Entry(String key, Position keyPosition, Node value) {}

  /** A sequence (a YAML sequence or a JSON array). */
  record Sequence(List<Node> items, Position position) implements Node {
    @Override
    public String kindName() {
      return "a list";
    }
  }
}
