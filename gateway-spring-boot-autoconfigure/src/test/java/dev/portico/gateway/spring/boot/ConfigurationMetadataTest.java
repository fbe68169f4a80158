package dev.portico.gateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.config.internal.GatewayModel;
import dev.portico.gateway.config.internal.Spec;
import dev.portico.gateway.config.internal.Type;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The committed {@code META-INF/spring-configuration-metadata.json}, which IDEs read to complete
 * {@code portico.*}, is what the starter's settings and gateway-config's key model (the model the
 * JSON Schema and the reference are made from) give now. To refresh it after changing either:
 * {@code mvn -pl gateway-spring-boot-autoconfigure -am test -Dtest=ConfigurationMetadataTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dportico-build.writeDocs=true}.
 */
class ConfigurationMetadataTest {
  static final Path METADATA = Path.of("src/main/resources/META-INF/spring-configuration-metadata.json");
  private static final String PROPERTIES = PorticoProperties.class.getName();

  @Test
  void theCommittedMetadataIsUpToDate() throws Exception {
    String generated = metadata();
    if (Boolean.getBoolean("portico-build.writeDocs")) {
      Files.writeString(METADATA, generated, StandardCharsets.UTF_8);
    }
    assertThat(METADATA).as(METADATA + " is generated: rerun this test with -Dportico-build.writeDocs=true").exists();
    assertThat(Files.readString(METADATA, StandardCharsets.UTF_8))
        .as(METADATA + " is out of date: rerun this test with -Dportico-build.writeDocs=true").isEqualTo(generated);
  }

  @Test
  void describesEverySettingOfTheStarterAndEveryTopLevelKeyOfTheModel() {
    String metadata = metadata();
    for (RecordComponent component : PorticoProperties.class.getRecordComponents()) {
      if (component.getType() == PorticoProperties.Filter.class) {
        for (RecordComponent nested : PorticoProperties.Filter.class.getRecordComponents()) {
          assertThat(metadata).contains("\"name\" : \"portico.filter." + kebab(nested.getName()) + "\"");
        }
      } else {
        assertThat(metadata).contains("\"name\" : \"portico." + kebab(component.getName()) + "\"");
      }
    }
    assertThat(metadata).contains("\"name\" : \"portico.routes\"", "\"name\" : \"portico.upstream-groups\"",
        "\"name\" : \"portico.cors.allow-origins\"", "\"name\" : \"portico.rate-limit-headers\"");
  }

  static String metadata() {
    List<Map<String, Object>> properties = new ArrayList<>();
    List<Map<String, Object>> hints = new ArrayList<>();
    properties.add(setting("portico.enabled", "java.lang.Boolean", "Whether the gateway is mounted.", true));
    properties.add(setting("portico.config-file", "java.lang.String", "A YAML or JSON gateway configuration file"
        + " (a path, file: or classpath:), instead of portico.* gateway keys.", null));
    properties.add(setting("portico.reload", "java.lang.Boolean",
        "Whether changes to portico.config-file are applied while the application runs.", true));
    properties.add(setting("portico.shutdown-grace", "java.time.Duration",
        "How long exchanges in flight may take to finish when the application stops.", "5s"));
    properties.add(setting("portico.filter.order", "java.lang.Integer",
        "The gateway filter's order among the application's servlet filters.", PorticoProperties.DEFAULT_FILTER_ORDER));
    properties.add(setting("portico.filter.url-patterns", "java.util.List<java.lang.String>",
        "The URL patterns the gateway filter is mapped to.", List.of("/*")));
    properties.add(setting("portico.metrics.enabled", "java.lang.Boolean", "Whether to record the gateway's meters"
        + " (portico.requests, ...) in the application's MeterRegistry.", true));
    properties.add(setting("portico.observation.enabled", "java.lang.Boolean", "Whether to record an observation per"
        + " exchange (portico.exchange) and per upstream call (portico.upstream) in the application's"
        + " ObservationRegistry.", true));
    properties.add(setting("portico.health.redis-timeout", "java.time.Duration", "How long a health request waits for"
        + " the Redis-backed rate limiters to answer their PING.", "1s"));
    properties.add(setting("management.health.portico.enabled", "java.lang.Boolean", "Whether to enable the portico"
        + " health indicator (upstream groups and Redis-backed rate limiters).", true));
    model(GatewayModel.GATEWAY, "portico", properties, hints);

    Map<String, Object> root = new LinkedHashMap<>();
    root.put("groups", List.of(
        group("portico", PROPERTIES, "Portico gateway: the starter's settings, and the gateway's keys (those of a"
            + " configuration file)."),
        group("portico.filter", PROPERTIES + "$Filter", "How the gateway filter is mounted.")));
    root.put("properties", properties);
    root.put("hints", hints);
    return JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(root) + "\n";
  }

  private static Map<String, Object> group(String name, String type, String description) {
    Map<String, Object> group = new LinkedHashMap<>();
    group.put("name", name);
    group.put("type", type);
    group.put("sourceType", PROPERTIES);
    group.put("description", description);
    return group;
  }

  private static Map<String, Object> setting(String name, String type, String description, Object defaultValue) {
    Map<String, Object> property = new LinkedHashMap<>();
    property.put("name", name);
    property.put("type", type);
    property.put("sourceType", name.startsWith("portico.filter.") ? PROPERTIES + "$Filter" : PROPERTIES);
    property.put("description", description);
    if (defaultValue != null) {
      property.put("defaultValue", defaultValue);
    }
    return property;
  }

  /** The keys of {@code spec} under {@code prefix}; an object's keys are flattened, lists and maps stay whole. */
  private static void model(Spec<?> spec, String prefix, List<Map<String, Object>> properties,
      List<Map<String, Object>> hints) {
    for (Spec.Key<?> key : spec.keys()) {
      String name = prefix + "." + kebab(key.name());
      Type type = key.type();
      if (type.kind() == Type.Kind.OBJECT) {
        model(type.spec(), name, properties, hints);
        continue;
      }
      Map<String, Object> property = new LinkedHashMap<>();
      property.put("name", name);
      property.put("type", javaType(type));
      String description = key.doc();
      Type element = type.element();
      if (element != null && element.kind() == Type.Kind.OBJECT) {
        description += " Each is an object of kind " + element.spec().title() + " (keys: " + String.join(", ",
            element.spec().names()) + ").";
      }
      if (key.required()) {
        description += " Required, unless portico.config-file gives the gateway.";
      } else if (key.defaultValue() != null) {
        description += " Default: " + key.defaultValue() + ".";
      }
      property.put("description", description);
      Object defaultValue = defaultValue(key);
      if (defaultValue != null) {
        property.put("defaultValue", defaultValue);
      }
      properties.add(property);
      if (type.kind() == Type.Kind.ENUM) {
        Map<String, Object> hint = new LinkedHashMap<>(); // ordered, so the file is the same each time
        hint.put("name", name);
        hint.put("values", type.values().stream().map(v -> Map.of("value", v)).toList());
        hints.add(hint);
      }
    }
  }

  private static Object defaultValue(Spec.Key<?> key) {
    String value = key.defaultValue();
    if (value == null) {
      return null;
    }
    return switch (key.type().kind()) {
      case ENUM -> key.type().values().contains(value) ? value : null;
      case BOOLEAN -> value.equals("true") || value.equals("false") ? Boolean.valueOf(value) : null;
      case INTEGER -> value.matches("-?\\d+") ? Long.valueOf(value) : null;
      case DURATION -> value.matches("\\d+(ms|s|m|h|d)") ? value : null;
      default -> null; // a string's default is often prose ("none"): it stays in the description
    };
  }

  private static String javaType(Type type) {
    return switch (type.kind()) {
      case STRING, ENUM -> "java.lang.String";
      case INTEGER -> "java.lang.Long";
      case NUMBER -> "java.lang.Double";
      case BOOLEAN -> "java.lang.Boolean";
      case DURATION -> "java.time.Duration";
      case LIST -> "java.util.List<" + javaType(type.element()) + ">";
      case MAP -> "java.util.Map<java.lang.String," + javaType(type.element()) + ">";
      case OBJECT -> "java.util.Map<java.lang.String,java.lang.Object>";
      case ONE_OF -> "java.lang.Object";
    };
  }

  static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
  }
}
