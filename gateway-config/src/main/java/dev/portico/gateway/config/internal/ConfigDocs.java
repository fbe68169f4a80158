package dev.portico.gateway.config.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the JSON Schema (draft 2020-12) and the Markdown reference of the file from the key model,
 * so neither can drift from what the reader accepts. Not public API.
 */
public final class ConfigDocs {
  /** Where the site publishes the schema. */
  public static final String SCHEMA_ID = "https://portico.dev/schema/gateway-config.schema.json";
  private static final String REFERENCE_PATTERN = "^.*\\$\\{(env|file):[^}]+\\}.*$";

  private ConfigDocs() {}

  /** Every object kind reachable from the top, the top first, each once. */
  static List<Spec<?>> specs() {
    List<Spec<?>> found = new ArrayList<>();
    Deque<Spec<?>> todo = new ArrayDeque<>();
    todo.add(GatewayModel.GATEWAY);
    while (!todo.isEmpty()) {
      Spec<?> spec = todo.removeFirst();
      if (found.stream().anyMatch(s -> s == spec)) {
        continue;
      }
      if (found.stream().anyMatch(s -> s.title().equals(spec.title()))) {
        throw new IllegalStateException("two object kinds are titled " + spec.title());
      }
      found.add(spec);
      for (Spec.Key<?> key : spec.keys()) {
        collect(key.type(), todo);
      }
    }
    return found;
  }

  private static void collect(Type type, Deque<Spec<?>> todo) {
    if (type.spec() != null) {
      todo.addLast(type.spec());
    }
    if (type.element() != null) {
      collect(type.element(), todo);
    }
    type.alternatives().forEach(a -> collect(a, todo));
  }

  /** The JSON Schema of a configuration file, as pretty-printed JSON. */
  public static String jsonSchema() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    root.put("$id", SCHEMA_ID);
    root.put("title", "Portico gateway configuration");
    root.put("description", "A gateway read by GatewayConfig (module gateway-config). Generated from the reader's key model.");
    root.put("$ref", "#/$defs/gateway");
    Map<String, Object> defs = new LinkedHashMap<>();
    for (Spec<?> spec : specs()) {
      Map<String, Object> object = new LinkedHashMap<>();
      object.put("type", "object");
      object.put("description", spec.doc() + (spec.isExactlyOne() ? " Exactly one key." : ""));
      Map<String, Object> properties = new LinkedHashMap<>();
      List<String> required = new ArrayList<>();
      for (Spec.Key<?> key : spec.keys()) {
        Map<String, Object> property = new LinkedHashMap<>();
        property.put("description", key.doc() + (key.defaultValue() == null ? "" : " Default: " + key.defaultValue() + "."));
        property.putAll(schema(key.type()));
        properties.put(key.name(), property);
        if (key.required()) {
          required.add(key.name());
        }
      }
      object.put("properties", properties);
      if (!required.isEmpty()) {
        object.put("required", required);
      }
      if (spec.isExactlyOne()) {
        object.put("minProperties", 1);
        object.put("maxProperties", 1);
      }
      object.put("additionalProperties", false);
      defs.put(spec.title(), object);
    }
    Map<String, Object> reference = new LinkedHashMap<>();
    reference.put("type", "string");
    reference.put("pattern", REFERENCE_PATTERN);
    reference.put("description", "A value given by ${env:NAME}, ${env:NAME:-default} or ${file:path}.");
    defs.put("reference", reference);
    root.put("$defs", defs);
    StringBuilder out = new StringBuilder();
    write(root, out, "");
    return out.append('\n').toString();
  }

  private static Map<String, Object> schema(Type type) {
    Map<String, Object> s = new LinkedHashMap<>();
    switch (type.kind()) {
      case STRING -> s.put("type", "string");
      case DURATION -> {
        s.put("type", "string");
        s.put("pattern", "^([0-9]+(ms|s|m|h|d)|[Pp][0-9A-Za-z.]+|.*\\$\\{(env|file):[^}]+\\}.*)$");
      }
      case INTEGER, NUMBER, BOOLEAN -> s.put("anyOf", List.of(
          Map.of("type", type.kind() == Type.Kind.NUMBER ? "number" : type.kind().name().toLowerCase(java.util.Locale.ROOT)),
          Map.of("$ref", "#/$defs/reference")));
      case ENUM -> s.put("anyOf", List.of(Map.of("enum", type.values()), Map.of("$ref", "#/$defs/reference")));
      case OBJECT -> s.put("$ref", "#/$defs/" + type.spec().title());
      case LIST -> {
        s.put("type", "array");
        s.put("items", schema(type.element()));
      }
      case MAP -> {
        s.put("type", "object");
        s.put("additionalProperties", schema(type.element()));
      }
      case ONE_OF -> s.put("anyOf", type.alternatives().stream().map(ConfigDocs::schema).toList());
    }
    return s;
  }

  /** The Markdown reference of every key, one table per object kind. */
  public static String reference() {
    StringBuilder out = new StringBuilder();
    out.append("# Configuration file reference\n\n")
        .append("<!-- Generated from the key model of gateway-config (ConfigDocs); do not edit by hand: run\n")
        .append("     mvn -pl gateway-config -am test -Dtest=GeneratedDocsTest -Dportico-build.writeDocs=true -->\n\n")
        .append("Every key a configuration file may have (see [Configuration files](configuration-files.html)). ")
        .append("The file is an object of kind `gateway`; each table below is one kind of object. ")
        .append("Durations are written `250ms`, `5s`, `2m`, `1h`, `1d` or ISO-8601 (`PT5S`); any value may be ")
        .append("`${env:NAME}`, `${env:NAME:-default}` or `${file:path}`.\n");
    for (Spec<?> spec : specs()) {
      out.append("\n## ").append(spec.title()).append("\n\n").append(spec.doc());
      if (spec.isExactlyOne()) {
        out.append(" Exactly one of its keys is given.");
      }
      out.append("\n\n| Key | Value | Required or default | Meaning |\n|---|---|---|---|\n");
      for (Spec.Key<?> key : spec.keys()) {
        out.append("| `").append(key.name()).append("` | ").append(cell(key.type().describe())).append(" | ")
            .append(key.required() ? "required" : key.defaultValue() == null ? "" : cell(key.defaultValue()))
            .append(" | ").append(cell(key.doc())).append(" |\n");
      }
    }
    return out.toString();
  }

  private static String cell(String text) {
    return text.replace("|", "\\|");
  }

  private static void write(Object value, StringBuilder out, String indent) {
    if (value instanceof Map<?, ?> map) {
      if (map.isEmpty()) {
        out.append("{}");
        return;
      }
      out.append("{\n");
      int i = 0;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        out.append(indent).append("  ");
        string(String.valueOf(e.getKey()), out);
        out.append(": ");
        write(e.getValue(), out, indent + "  ");
        out.append(++i < map.size() ? ",\n" : "\n");
      }
      out.append(indent).append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i) instanceof Map<?, ?>) {
          out.append(i == 0 ? "\n" : "").append(indent).append("  ");
          write(list.get(i), out, indent + "  ");
          out.append(i + 1 < list.size() ? ",\n" : "\n" + indent);
        } else {
          write(list.get(i), out, indent);
          out.append(i + 1 < list.size() ? ", " : "");
        }
      }
      out.append(']');
    } else if (value instanceof Number || value instanceof Boolean) {
      out.append(value);
    } else {
      string(String.valueOf(value), out);
    }
  }

  private static void string(String text, StringBuilder out) {
    out.append('"');
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
