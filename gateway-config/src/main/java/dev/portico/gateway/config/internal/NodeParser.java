package dev.portico.gateway.config.internal;

import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.dataformat.yaml.YAMLFactory;

/**
 * Reads YAML or JSON token by token into a {@link Node} tree that keeps each value's position,
 * reports duplicate keys (which Jackson's tree would silently let the last one win) and resolves
 * {@link References} in string values. Not public API.
 */
public final class NodeParser {
  private static final YAMLFactory YAML = new YAMLFactory();
  private static final JsonFactory JSON = new JsonFactory();
  private static final int MAX_DEPTH = 64;

  /** The most values a file may have once its YAML aliases are expanded (a guard against "billion laughs"). */
  private static final long MAX_EXPANDED = 100_000;

  private final String source;
  private final References references;
  private final Problems problems;
  private final Map<String, Node> anchors = new java.util.HashMap<>();
  private final Map<Node, Long> sizes = new java.util.IdentityHashMap<>();
  private long expanded;

  /** Reads a source named {@code source}, resolving references with {@code references}, into {@code problems}. */
  public NodeParser(String source, References references, Problems problems) {
    this.source = source;
    this.references = references;
    this.problems = problems;
  }

  /**
   * Parses the whole input: JSON when the source name ends in {@code .json}, YAML otherwise.
   * Returns null, with a problem recorded, when the input is not well-formed or is empty.
   */
  public @Nullable Node parse(Reader input) {
    TokenStreamFactory factory = source.endsWith(".json") ? JSON : YAML;
    try (JsonParser parser = factory.createParser(ObjectReadContext.empty(), input)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        problems.add(new Position(source, 0, 0), "", "the file is empty (expected: an object with routes)");
        return null;
      }
      return read(parser, first, "", 0);
    } catch (TooLarge e) {
      return null;
    } catch (StreamReadException e) {
      TokenStreamLocation at = e.getLocation();
      Position position = at == null ? new Position(source, 0, 0)
          : new Position(source, Math.max(at.getLineNr(), 0), Math.max(at.getColumnNr(), 0));
      problems.add(position, "", "not well-formed " + (factory == JSON ? "JSON" : "YAML") + ": " + oneLine(e.getOriginalMessage()));
      return null;
    } catch (JacksonException e) {
      problems.add(new Position(source, 0, 0), "", "cannot read: " + e.getOriginalMessage());
      return null;
    }
  }

  private Node read(JsonParser parser, JsonToken token, String path, int depth) {
    Position position = position(parser.currentTokenLocation());
    if (depth > MAX_DEPTH) {
      throw new StreamReadException(parser, "nested deeper than " + MAX_DEPTH + " levels");
    }
    if (parser instanceof tools.jackson.dataformat.yaml.YAMLParser yaml && yaml.isCurrentAlias()) {
      // *name: the value anchored as &name, shared (positions point at the anchor).
      String name = parser.getString();
      Node anchored = anchors.get(name);
      if (anchored == null) {
        problems.add(position, path, "alias *" + name + " names no object or list anchored (&" + name
            + ") before it; only objects and lists can be reused");
        return new Node.Scalar("", Node.Scalar.Kind.BROKEN, Node.Scalar.From.REFERENCE, position);
      }
      expanded += sizes.getOrDefault(anchored, 1L);
      if (expanded > MAX_EXPANDED) {
        problems.add(position, path, "aliases expand to more than " + MAX_EXPANDED + " values");
        throw new TooLarge();
      }
      return anchored;
    }
    Object anchor = parser.getObjectId();
    Node node = readValue(parser, token, path, depth, position);
    if (anchor != null) {
      anchors.put(anchor.toString(), node);
    }
    return node;
  }

  private Node readValue(JsonParser parser, JsonToken token, String path, int depth, Position position) {
    switch (token) {
      case START_OBJECT -> {
        Map<String, Node.Entry> entries = new LinkedHashMap<>();
        JsonToken next;
        while ((next = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
          String key = parser.currentName();
          Position keyPosition = position(parser.currentTokenLocation());
          String childPath = path.isEmpty() ? key : path + "." + key;
          Node value = read(parser, parser.nextToken(), childPath, depth + 1);
          Node.Entry earlier = entries.get(key);
          if (earlier != null) {
            problems.add(keyPosition, childPath, "duplicate key (first given at line "
                + earlier.keyPosition().line() + ", column " + earlier.keyPosition().column() + ")");
          } else {
            entries.put(key, new Node.Entry(key, keyPosition, value));
          }
        }
        Node.Mapping mapping = new Node.Mapping(entries, position);
        sizes.put(mapping, 1 + entries.values().stream().mapToLong(e -> sizes.getOrDefault(e.value(), 1L)).sum());
        return mapping;
      }
      case START_ARRAY -> {
        List<Node> items = new ArrayList<>();
        JsonToken next;
        while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
          items.add(read(parser, next, path + "[" + items.size() + "]", depth + 1));
        }
        Node.Sequence sequence = new Node.Sequence(items, position);
        sizes.put(sequence, 1 + items.stream().mapToLong(i -> sizes.getOrDefault(i, 1L)).sum());
        return sequence;
      }
      case VALUE_STRING -> {
        String text = parser.getString();
        if (References.mentions(text)) {
          try {
            return new Node.Scalar(references.resolve(text), Node.Scalar.Kind.STRING, Node.Scalar.From.REFERENCE, position);
          } catch (IllegalArgumentException e) {
            problems.add(position, path, e.getMessage());
            return new Node.Scalar("", Node.Scalar.Kind.BROKEN, Node.Scalar.From.REFERENCE, position);
          }
        }
        return new Node.Scalar(text, Node.Scalar.Kind.STRING, Node.Scalar.From.FILE, position);
      }
      case VALUE_NUMBER_INT -> {
        return new Node.Scalar(parser.getString(), Node.Scalar.Kind.INTEGER, Node.Scalar.From.FILE, position);
      }
      case VALUE_NUMBER_FLOAT -> {
        return new Node.Scalar(parser.getString(), Node.Scalar.Kind.DECIMAL, Node.Scalar.From.FILE, position);
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return new Node.Scalar(parser.getString(), Node.Scalar.Kind.BOOLEAN, Node.Scalar.From.FILE, position);
      }
      case VALUE_NULL -> {
        return new Node.Scalar("", Node.Scalar.Kind.NULL, Node.Scalar.From.FILE, position);
      }
      default -> throw new StreamReadException(parser, "unexpected " + token);
    }
  }

  /** Stops reading a file whose aliases expand without bound; already reported. */
  private static final class TooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super(null, null, false, false);
    }
  }

  /** SnakeYAML's messages quote the input over several lines; keep what they say, not the excerpt. */
  private static String oneLine(@Nullable String message) {
    if (message == null) {
      return "unreadable";
    }
    List<String> kept = new ArrayList<>();
    for (String line : message.split("\\R")) {
      String trimmed = line.strip();
      if (!trimmed.isEmpty() && !trimmed.startsWith("in reader") && !trimmed.startsWith("^") && !line.startsWith(" ")) {
        kept.add(trimmed);
      }
    }
    return kept.isEmpty() ? message.strip() : String.join("; ", kept);
  }

  private Position position(TokenStreamLocation location) {
    return new Position(source, location.getLineNr(), location.getColumnNr());
  }
}
