package dev.portico.gateway.transform.json;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.transform.JsonTransform;
import dev.portico.gateway.transform.ValueTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@link JsonTransform} compiled for Jackson 3: pointers split into segments, literal values
 * parsed, templates parsed, once; {@link #transform} then parses a body, applies the operations in
 * order and writes the result. The engine compiles one per route and direction; hosts can use one
 * to try a transform on a body.
 *
 * <pre>{@code
 * JsonBodyTransformer t = JsonBodyTransformer.compile(JsonTransform.builder().remove("/secret").build());
 * }</pre>
 *
 * <p>Bodies are parsed strictly: duplicate member names and content after the JSON value are
 * malformed, so the gateway and the upstream can never read one body two ways. Numbers keep their
 * precision. Immutable and thread-safe.
 */
public final class JsonBodyTransformer {
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final String NUMBER_OUT_OF_RANGE = "a number is out of range";

  /** The outcome of {@link #transform}. */
  public sealed interface Result permits Transformed, Malformed {}

  /** @param json the transformed body, UTF-8 */
  public record Transformed(byte[] json) implements Result {}

  /** @param reason why the body is not JSON, safe to show a client */
  public record Malformed(String reason) implements Result {}

  private final List<CompiledOp> ops;

  private JsonBodyTransformer(List<CompiledOp> ops) {
    this.ops = ops;
  }

  /**
   * Compiles {@code transform}.
   *
   * @throws IllegalArgumentException naming the operation: a {@code setJson}/{@code addJson} value
   *     that is not JSON, or a function that is not a {@link JacksonTreeFunction}
   */
  public static JsonBodyTransformer compile(JsonTransform transform) {
    requireNonNull(transform, "transform");
    List<CompiledOp> ops = new ArrayList<>();
    for (JsonTransform.Operation op : transform.operations()) {
      ops.add(compileOp(op));
    }
    return new JsonBodyTransformer(List.copyOf(ops));
  }

  /** Parses {@code json}, applies the operations and returns the written result. */
  public Result transform(byte[] json, Exchange exchange) {
    if (json.length == 0) {
      return new Transformed(json);
    }
    JsonNode tree;
    try {
      tree = JSON.readTree(json);
    } catch (JacksonException e) {
      return new Malformed(reason(e));
    } catch (NumberFormatException e) {
      // Jackson refuses a number beyond BigDecimal's limits (1e999999999999) with this, not a JacksonException.
      return new Malformed(NUMBER_OUT_OF_RANGE);
    }
    if (tree == null || tree.isMissingNode()) {
      return new Malformed("the body holds no JSON value");
    }
    for (CompiledOp op : ops) {
      tree = op.apply(tree, exchange);
    }
    return new Transformed(JSON.writeValueAsBytes(tree));
  }

  /** A parse error's message without the source excerpt Jackson appends. */
  static String reason(JacksonException e) {
    String message = e.getOriginalMessage();
    if (message == null) {
      return "not valid JSON";
    }
    int newline = message.indexOf('\n');
    String first = newline < 0 ? message : message.substring(0, newline);
    var location = e.getLocation();
    return location == null ? first : first + " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
  }

  private static CompiledOp compileOp(JsonTransform.Operation op) {
    String where = op.op().name().toLowerCase(java.util.Locale.ROOT) + " " + op.pointer();
    return switch (op.op()) {
      case FUNCTION -> {
        if (!(op.function() instanceof JacksonTreeFunction f)) {
          throw new IllegalArgumentException("function: " + (op.function() == null ? "null" : op.function().getClass().getName())
              + " is not a " + JacksonTreeFunction.class.getName());
        }
        yield (tree, exchange) -> {
          JsonNode out = f.apply(tree, exchange);
          if (out == null) {
            throw new IllegalStateException("a JacksonTreeFunction returned null");
          }
          return out;
        };
      }
      case REMOVE -> {
        String[] path = segments(op.pointer());
        yield (tree, exchange) -> {
          remove(tree, path);
          return tree;
        };
      }
      case RENAME -> {
        String[] from = segments(op.pointer());
        String[] to = segments(requireNonNull(op.target(), "target"));
        yield (tree, exchange) -> {
          JsonNode value = get(tree, from);
          if (value != null) {
            remove(tree, from);
            write(tree, to, value, true);
          }
          return tree;
        };
      }
      case ADD, SET -> {
        String[] path = segments(op.pointer());
        ValueSupplier value = value(where, requireNonNull(op.value(), "value"));
        boolean replace = op.op() == JsonTransform.Op.SET;
        yield (tree, exchange) -> {
          value.get(exchange).ifPresent(v -> write(tree, path, v, replace));
          return tree;
        };
      }
    };
  }

  private static ValueSupplier value(String where, JsonTransform.Value value) {
    switch (value.kind()) {
      case STRING -> {
        ValueTemplate template = ValueTemplate.parse(value.text());
        return exchange -> template.render(exchange).map(NODES::stringNode);
      }
      case NUMBER -> {
        JsonNode node = NODES.numberNode(Long.parseLong(value.text()));
        return exchange -> Optional.of(node);
      }
      case BOOLEAN -> {
        JsonNode node = NODES.booleanNode(Boolean.parseBoolean(value.text()));
        return exchange -> Optional.of(node);
      }
      default -> {
        JsonNode node;
        try {
          node = JSON.readTree(value.text());
        } catch (JacksonException e) {
          throw new IllegalArgumentException(where + ": the value is not JSON: " + reason(e));
        }
        return exchange -> Optional.of(node.deepCopy());
      }
    }
  }

  /** Splits an RFC 6901 pointer ({@code /a/b~1c}) into unescaped segments ({@code a}, {@code b/c}). */
  static String[] segments(String pointer) {
    String[] raw = pointer.substring(1).split("/", -1);
    for (int i = 0; i < raw.length; i++) {
      if (raw[i].indexOf('~') >= 0) {
        raw[i] = raw[i].replace("~1", "/").replace("~0", "~");
      }
    }
    return raw;
  }

  private static @Nullable JsonNode get(JsonNode tree, String[] path) {
    JsonNode node = tree;
    for (String segment : path) {
      node = child(node, segment);
      if (node == null) {
        return null;
      }
    }
    return node;
  }

  private static @Nullable JsonNode child(JsonNode node, String segment) {
    if (node instanceof ObjectNode object) {
      return object.get(segment);
    }
    if (node instanceof ArrayNode array) {
      int index = index(segment);
      return index >= 0 && index < array.size() ? array.get(index) : null;
    }
    return null;
  }

  private static void remove(JsonNode tree, String[] path) {
    JsonNode parent = get(tree, parentOf(path));
    String last = path[path.length - 1];
    if (parent instanceof ObjectNode object) {
      object.remove(last);
    } else if (parent instanceof ArrayNode array) {
      int index = index(last);
      if (index >= 0 && index < array.size()) {
        array.remove(index);
      }
    }
  }

  /** Writes {@code value} at {@code path}, creating missing parent objects; {@code replace} false keeps what is there. */
  private static void write(JsonNode tree, String[] path, JsonNode value, boolean replace) {
    JsonNode parent = tree;
    for (int i = 0; i < path.length - 1; i++) {
      JsonNode next = child(parent, path[i]);
      if (next == null) {
        if (!(parent instanceof ObjectNode object)) {
          return; // a missing array element or a scalar parent: nowhere to write
        }
        next = object.putObject(path[i]);
      }
      parent = next;
    }
    String last = path[path.length - 1];
    if (parent instanceof ObjectNode object) {
      if (replace || !object.has(last)) {
        object.set(last, value);
      }
    } else if (parent instanceof ArrayNode array) {
      int index = last.equals("-") ? array.size() : index(last);
      if (index == array.size()) {
        array.add(value);
      } else if (index >= 0 && index < array.size() && replace) {
        array.set(index, value);
      }
    }
  }

  private static String[] parentOf(String[] path) {
    String[] parent = new String[path.length - 1];
    System.arraycopy(path, 0, parent, 0, parent.length);
    return parent;
  }

  /** Returns the array index a segment names, or -1 (RFC 6901: digits without a leading zero). */
  private static int index(String segment) {
    int n = segment.length();
    if (n == 0 || n > 9 || n > 1 && segment.charAt(0) == '0') {
      return -1;
    }
    for (int i = 0; i < n; i++) {
      if (!Character.isDigit(segment.charAt(i))) {
        return -1;
      }
    }
    return Integer.parseInt(segment);
  }

  /** One compiled operation. */
  @FunctionalInterface
  private interface CompiledOp {
    JsonNode apply(JsonNode tree, Exchange exchange);
  }

  /** A literal or templated value, per request. */
  @FunctionalInterface
  private interface ValueSupplier {
    Optional<JsonNode> get(Exchange exchange);
  }
}
