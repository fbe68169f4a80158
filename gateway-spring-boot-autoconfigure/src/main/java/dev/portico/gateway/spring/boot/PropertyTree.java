package dev.portico.gateway.spring.boot;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.config.ConfigException;
import dev.portico.gateway.config.internal.GatewayModel;
import dev.portico.gateway.config.internal.Node;
import dev.portico.gateway.config.internal.Position;
import dev.portico.gateway.config.internal.Problems;
import dev.portico.gateway.config.internal.Registry;
import dev.portico.gateway.config.internal.Spec;
import dev.portico.gateway.config.internal.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.Environment;

/**
 * Reads the gateway from the {@code portico.*} properties: binds the subtree with Boot's
 * {@link Binder} as a generic tree, shapes it by gateway-config's key model into the tree a
 * configuration file would have given, and lets that model read it. So the keys are those of a
 * configuration file, each value keeps its origin ({@code application.yaml} line and column) for
 * the messages, and:
 *
 * <ul>
 *   <li>a key may be written in any of Boot's relaxed forms ({@code stripPrefix}, {@code strip-prefix},
 *       {@code STRIPPREFIX} from the environment);
 *   <li>a list is indexed ({@code portico.routes[0].id}) or, for a list of words, one
 *       comma-separated value ({@code portico.routes[0].methods=GET,POST});
 *   <li>a value is text that may stand for a number or a boolean, as Boot reads properties.
 * </ul>
 */
final class PropertyTree {
  private static final Pattern UNKNOWN_KEY = Pattern.compile("^unknown key '([^']+)'.*\\(did you mean '([^']+)'\\?\\)");
  private static final Pattern INDEX = Pattern.compile("\\d{1,9}");
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9-]+");

  private final Iterable<ConfigurationPropertySource> sources;
  private final Problems problems = new Problems();
  /** The property name, as written, of each value by its key path in the model. */
  private final Map<String, String> names = new HashMap<>();

  private PropertyTree(Iterable<ConfigurationPropertySource> sources) {
    this.sources = sources;
  }

  /** The gateway keys given under {@code portico.}, as written; empty when the gateway does not come from properties. */
  static List<String> gatewayKeys(Environment environment) {
    return bind(environment).keySet().stream().filter(k -> !PorticoProperties.isSetting(k)).toList();
  }

  /**
   * Reads the gateway the {@code portico.*} properties give, with the application's registered
   * objects.
   *
   * @throws InvalidGatewayConfigurationException naming each property at fault, its origin and what is wrong
   */
  static Gateway read(Environment environment, Registry registry) {
    PropertyTree tree = new PropertyTree(ConfigurationPropertySources.get(environment));
    Map<String, Object> bound = new LinkedHashMap<>(bind(environment));
    bound.keySet().removeIf(PorticoProperties::isSetting);
    Node root = tree.node(bound, Type.object(GatewayModel.GATEWAY), "", PorticoProperties.PREFIX);
    try {
      return GatewayModel.read(root, tree.problems, registry, Path.of("").toAbsolutePath());
    } catch (ConfigException e) {
      List<InvalidGatewayConfigurationException.Entry> entries = new ArrayList<>();
      List<String> actions = new ArrayList<>();
      for (ConfigException.Problem problem : e.problems()) {
        String property = tree.names.getOrDefault(problem.path(),
            PorticoProperties.PREFIX + (problem.path().isEmpty() ? "" : "." + problem.path()));
        String origin = problem.source() + (problem.line() > 0 ? " - " + problem.line() + ":" + problem.column() : "");
        entries.add(new InvalidGatewayConfigurationException.Entry(property, origin, problem.message()));
        Matcher unknown = UNKNOWN_KEY.matcher(problem.message());
        if (unknown.find() && property.endsWith(unknown.group(1))) {
          actions.add("Rename " + property + " to "
              + property.substring(0, property.length() - unknown.group(1).length()) + unknown.group(2) + ".");
        }
      }
      actions.add("Correct the properties above: under portico. the gateway takes the keys of a Portico configuration"
          + " file (see the configuration file reference), in any of Boot's spellings.");
      throw new InvalidGatewayConfigurationException("the portico.* properties", "Property", entries, actions);
    }
  }

  private static Map<String, Object> bind(Environment environment) {
    return Binder.get(environment).bind(PorticoProperties.PREFIX, Bindable.mapOf(String.class, Object.class))
        .orElse(Map.of());
  }

  /**
   * The node for {@code value}, found at {@code name} (as written) and meant to have {@code type}
   * (null when its key is unknown: the model reports it).
   */
  private Node node(@Nullable Object value, @Nullable Type type, String path, String name) {
    names.put(path, name);
    Type shape = shape(type, value);
    if (value instanceof Map<?, ?> map) {
      boolean list = shape == null ? isIndexed(map) : shape.kind() == Type.Kind.LIST && isIndexed(map);
      return list ? sequence(map, shape == null ? null : shape.element(), path, name) : mapping(map, shape, path, name);
    }
    Position position = position(name);
    if (shape != null && shape.kind() == Type.Kind.LIST && value instanceof String text && shape.element().scalar()) {
      // Boot's convention for a list of words in one property: GET,POST
      List<Node> items = new ArrayList<>();
      if (!text.isBlank()) {
        for (String item : text.split(",")) {
          items.add(new Node.Scalar(item.trim(), Node.Scalar.Kind.STRING, Node.Scalar.From.PROPERTY, position));
        }
      }
      return new Node.Sequence(items, position);
    }
    return scalar(value, position);
  }

  private Node mapping(Map<?, ?> map, @Nullable Type type, String path, String name) {
    Spec<?> spec = type != null && type.kind() == Type.Kind.OBJECT ? type.spec() : null;
    Type element = type != null && type.kind() == Type.Kind.MAP ? type.element() : null;
    Map<String, String> modelNames = new HashMap<>();
    if (spec != null) {
      for (String key : spec.names()) {
        modelNames.put(PorticoProperties.uniform(key), key);
      }
    }
    Map<String, Node.Entry> entries = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String written = String.valueOf(e.getKey());
      // A key of the model in any relaxed form takes the model's name; names the author chooses keep theirs.
      String key = spec == null ? written : modelNames.getOrDefault(PorticoProperties.uniform(written), written);
      if (entries.containsKey(key)) {
        continue; // relaxed spellings of one property: the binder gave both the same value
      }
      Type childType = spec != null ? spec.key(key).map(Spec.Key::type).orElse(null) : element;
      String childName = name + (PLAIN_KEY.matcher(written).matches() ? "." + written : "[" + written + "]");
      Node child = node(e.getValue(), childType, path.isEmpty() ? key : path + "." + key, childName);
      entries.put(key, new Node.Entry(key, child.position(), child));
    }
    return new Node.Mapping(entries, first(entries.values().stream().map(Node.Entry::value).toList(), name));
  }

  private Node sequence(Map<?, ?> map, @Nullable Type element, String path, String name) {
    Map<Integer, Object> byIndex = new java.util.TreeMap<>();
    map.forEach((k, v) -> byIndex.put(Integer.valueOf(String.valueOf(k)), v));
    List<Node> items = new ArrayList<>();
    for (Map.Entry<Integer, Object> e : byIndex.entrySet()) {
      int index = e.getKey();
      if (index != items.size()) {
        problems.add(position(name + "[" + index + "]"), path + "[" + index + "]",
            "comes after [" + (items.size() - 1) + "] (expected: indexes from 0 without gaps, so [" + items.size() + "])");
        names.put(path + "[" + index + "]", name + "[" + index + "]");
        break;
      }
      items.add(node(e.getValue(), element, path + "[" + index + "]", name + "[" + index + "]"));
    }
    return new Node.Sequence(items, first(items, name));
  }

  /** The alternative of a one-of type that {@code value} has the shape of. */
  private static @Nullable Type shape(@Nullable Type type, @Nullable Object value) {
    if (type == null || type.kind() != Type.Kind.ONE_OF) {
      return type;
    }
    for (Type alternative : type.alternatives()) {
      boolean fits = value instanceof Map<?, ?> map
          ? isIndexed(map) ? alternative.kind() == Type.Kind.LIST
              : alternative.kind() == Type.Kind.OBJECT || alternative.kind() == Type.Kind.MAP
          : alternative.scalar();
      if (fits) {
        return alternative;
      }
    }
    return null; // no shape fits: read as it is, and the model says what it expected
  }

  private static boolean isIndexed(Map<?, ?> map) {
    return !map.isEmpty() && map.keySet().stream().allMatch(k -> INDEX.matcher(String.valueOf(k)).matches());
  }

  private static Node scalar(@Nullable Object value, Position position) {
    Node.Scalar.Kind kind;
    if (value == null) {
      kind = Node.Scalar.Kind.NULL;
    } else if (value instanceof Boolean) {
      kind = Node.Scalar.Kind.BOOLEAN;
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
        || value instanceof BigInteger) {
      kind = Node.Scalar.Kind.INTEGER;
    } else if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
      kind = Node.Scalar.Kind.DECIMAL;
    } else {
      kind = Node.Scalar.Kind.STRING;
    }
    return new Node.Scalar(value == null ? "" : String.valueOf(value), kind, Node.Scalar.From.PROPERTY, position);
  }

  /** Where an object or a list is: where its first value (in its source's order) is. */
  private Position first(List<Node> children, String name) {
    return children.stream().map(Node::position)
        .min(Comparator.comparing((Position p) -> p.line() == 0).thenComparing(Position::source)
            .thenComparingInt(Position::line).thenComparingInt(Position::column))
        .orElseGet(() -> position(name));
  }

  /** The origin of the property {@code name}, as Boot tells it: a file's line and column, or the source's name. */
  private Position position(String name) {
    ConfigurationPropertyName property = ConfigurationPropertyName.adapt(name, '.');
    for (ConfigurationPropertySource source : sources) {
      ConfigurationProperty found = source.getConfigurationProperty(property);
      if (found != null) {
        Origin origin = found.getOrigin();
        if (origin instanceof TextResourceOrigin text && text.getLocation() != null) {
          String resource = text.getResource() == null ? "unknown resource" : text.getResource().getDescription();
          return new Position(resource, text.getLocation().getLine() + 1, text.getLocation().getColumn() + 1);
        }
        return new Position(origin == null ? source.toString() : origin.toString(), 0, 0);
      }
    }
    return new Position("", 0, 0);
  }
}
