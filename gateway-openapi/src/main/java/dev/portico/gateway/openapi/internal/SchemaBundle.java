package dev.portico.gateway.openapi.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swagger.v3.oas.models.media.Schema;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Turns an operation's schema into a JSON Schema (draft 2020-12) the engine compiles: the schema
 * itself, with the component schemas it reaches copied under {@code $defs} and each
 * {@code #/components/schemas/X} reference pointed there. An OpenAPI 3.0 schema is translated on
 * the way: {@code nullable: true} adds {@code "null"} to the type (and enum), boolean
 * {@code exclusiveMinimum}/{@code exclusiveMaximum} become the 2020-12 numbers. {@code format:
 * int32} and {@code int64} add the bounds they mean when the schema sets none; {@code $id} and
 * {@code $schema} inside a document are dropped (their scope is the document), and draft 2019-09's
 * {@code $recursiveRef: "#"} becomes a {@code $ref} to the component it is in. Not public API.
 */
final class SchemaBundle {
  static final String COMPONENTS = "#/components/schemas/";

  /** A reference that does not lead to a component schema. */
  static final class Unresolved extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unresolved(String message) {
      super(message, null, false, false);
    }
  }

  /** Keywords whose values are data, not schemas: not walked. */
  private static final Set<String> DATA = Set.of("example", "examples", "enum", "const", "default");

  private final ObjectMapper mapper;
  private final boolean openApi30;
  @SuppressWarnings("rawtypes")
  private final Map<String, Schema> components;
  private final Map<String, ObjectNode> converted = new HashMap<>();
  private final Map<String, Set<String>> references = new HashMap<>();
  /** The component being converted, for {@code $recursiveRef: "#"}; null for an operation's own schema. */
  private @Nullable String current;

  @SuppressWarnings("rawtypes")
  SchemaBundle(ObjectMapper mapper, boolean openApi30, Map<String, Schema> components) {
    this.mapper = mapper;
    this.openApi30 = openApi30;
    this.components = components;
  }

  /**
   * The JSON text of {@code schema} with what it references.
   *
   * @throws Unresolved naming a reference that leads nowhere
   */
  String json(Schema<?> schema) {
    Set<String> direct = new LinkedHashSet<>();
    current = null;
    JsonNode node = convert(mapper.valueToTree(schema), direct);
    if (!node.isObject()) {
      return node.toString();
    }
    ObjectNode root = (ObjectNode) node;
    Set<String> reached = new LinkedHashSet<>();
    Deque<String> pending = new ArrayDeque<>(direct);
    while (!pending.isEmpty()) {
      String name = pending.pop();
      if (reached.add(name)) {
        component(name);
        pending.addAll(references.get(name));
      }
    }
    if (!reached.isEmpty()) {
      if (root.has("$defs")) {
        throw new Unresolved("a schema with its own $defs cannot reference component schemas here");
      }
      ObjectNode defs = root.putObject("$defs");
      for (String name : reached) {
        defs.set(name, converted.get(name));
      }
    }
    return root.toString();
  }

  private void component(String name) {
    if (converted.containsKey(name)) {
      return;
    }
    Set<String> refs = new LinkedHashSet<>();
    JsonNode node = mapper.valueToTree(components.get(name));
    ObjectNode object = node.isObject() ? (ObjectNode) node : JsonNodeFactory.instance.objectNode();
    converted.put(name, object);                    // before converting: a schema may reference itself
    String outer = current;
    current = name;
    try {
      convert(object, refs);
    } finally {
      current = outer;
    }
    references.put(name, refs);
  }

  /** Converts {@code node} in place (and returns it), adding the component names it references to {@code refs}. */
  private JsonNode convert(JsonNode node, Set<String> refs) {
    if (node instanceof ArrayNode array) {
      for (JsonNode item : array) {
        convert(item, refs);
      }
      return node;
    }
    if (!(node instanceof ObjectNode object)) {
      return node;
    }
    JsonNode ref = object.get("$ref");
    if (ref != null && ref.isTextual()) {
      String text = ref.asText();
      if (!text.startsWith(COMPONENTS)) {
        throw new Unresolved("the $ref '" + text + "' does not lead to a component schema (#/components/schemas/...)");
      }
      String name = unescape(text.substring(COMPONENTS.length()));
      if (!components.containsKey(name)) {
        throw new Unresolved("unresolved $ref '" + text + "': there is no such component schema");
      }
      refs.add(name);
      object.put("$ref", "#/$defs/" + escape(name));
    }
    // Draft 2019-09's recursion, as some 3.1 documents write it: "$recursiveRef": "#" within a
    // schema with "$recursiveAnchor": true means that schema itself.
    if (object.has("$recursiveAnchor")) {
      object.remove("$recursiveAnchor");
    }
    JsonNode recursive = object.get("$recursiveRef");
    if (recursive != null && recursive.isTextual() && recursive.asText().equals("#") && ref == null) {
      object.remove("$recursiveRef");
      if (current == null) {
        object.put("$ref", "#");
      } else {
        refs.add(current);
        object.put("$ref", "#/$defs/" + escape(current));
      }
    }
    if (object.path("$id").isTextual()) {
      object.remove("$id");
    }
    if (object.path("$schema").isTextual()) {
      object.remove("$schema");
    }
    if (openApi30) {
      translate30(object);
    }
    integerBounds(object);
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (!DATA.contains(field.getKey()) && field.getValue().isContainerNode()) {
        convert(field.getValue(), refs);
      }
    }
    return object;
  }

  private static void translate30(ObjectNode object) {
    JsonNode nullable = object.get("nullable");
    if (nullable != null && nullable.isBoolean()) {
      object.remove("nullable");
      if (nullable.booleanValue()) {
        JsonNode type = object.get("type");
        if (type != null && type.isTextual()) {
          object.set("type", JsonNodeFactory.instance.arrayNode().add(type.asText()).add("null"));
        }
        JsonNode values = object.get("enum");
        if (values instanceof ArrayNode a && !contains(a)) {
          a.addNull();
        }
      }
    }
    exclusive(object, "exclusiveMinimum", "minimum");
    exclusive(object, "exclusiveMaximum", "maximum");
  }

  private static boolean contains(ArrayNode values) {
    for (JsonNode v : values) {
      if (v.isNull()) {
        return true;
      }
    }
    return false;
  }

  private static void exclusive(ObjectNode object, String keyword, String bound) {
    JsonNode flag = object.get(keyword);
    if (flag != null && flag.isBoolean()) {
      object.remove(keyword);
      JsonNode value = object.get(bound);
      if (flag.booleanValue() && value != null && value.isNumber()) {
        object.remove(bound);
        object.set(keyword, value);
      }
    }
  }

  private static void integerBounds(ObjectNode object) {
    JsonNode format = object.get("format");
    if (format == null || !format.isTextual() || object.has("minimum") || object.has("maximum")
        || object.has("exclusiveMinimum") || object.has("exclusiveMaximum")) {
      return;
    }
    switch (format.asText()) {
      case "int32" -> {
        object.put("minimum", Integer.MIN_VALUE);
        object.put("maximum", Integer.MAX_VALUE);
      }
      case "int64" -> {
        object.put("minimum", Long.MIN_VALUE);
        object.put("maximum", Long.MAX_VALUE);
      }
      default -> { }
    }
  }

  private static String unescape(String segment) {
    return segment.replace("~1", "/").replace("~0", "~");
  }

  static String escape(String segment) {
    return segment.replace("~", "~0").replace("/", "~1");
  }
}
