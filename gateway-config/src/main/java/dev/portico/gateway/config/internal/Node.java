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
   * A scalar: its text as written (after {@code ${...}} references are resolved), and what YAML or
   * JSON made of it. {@code resolved} marks a value that came from a reference, whose text may stand
   * for a number or a boolean.
   */
  record Scalar(String text, Kind kind, boolean resolved, Position position) implements Node {
    /** What the parser read. */
    public enum Kind { STRING, INTEGER, DECIMAL, BOOLEAN, NULL, /** A reference that failed, already reported. */ BROKEN }

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
