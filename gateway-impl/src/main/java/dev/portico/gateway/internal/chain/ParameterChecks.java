package dev.portico.gateway.internal.chain;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.Route;
import dev.portico.gateway.internal.routing.QueryParameters;
import dev.portico.gateway.internal.spi.BodyValidator;
import dev.portico.gateway.internal.spi.Integrations;
import dev.portico.gateway.internal.spi.ValueValidator;
import dev.portico.gateway.validation.ParameterRule;
import dev.portico.gateway.validation.RequestValidation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A route's {@link ParameterRule}s with their schemas compiled: finds each parameter's values in a
 * request (path variable, decoded query parameter, header) and lists what is missing or invalid,
 * naming the parameter and never repeating its value. Not public API.
 */
final class ParameterChecks {
  /** The most violations listed for one parameter. */
  private static final int MAX_VIOLATIONS_PER_PARAMETER = 5;

  private record Check(ParameterRule rule, @Nullable ValueValidator validator) {}

  private final List<Check> checks;
  private final boolean readsQuery;

  private ParameterChecks(List<Check> checks) {
    this.checks = List.copyOf(checks);
    this.readsQuery = checks.stream().anyMatch(c -> c.rule().location() == ParameterRule.Location.QUERY);
  }

  /**
   * Compiles the parameter rules of {@code validation} on {@code route}.
   *
   * @throws IllegalStateException naming the route and parameter, when a schema cannot be compiled
   *     or a path parameter is not a variable of the route's path
   */
  static ParameterChecks compile(Route route, RequestValidation validation) {
    List<Check> checks = new ArrayList<>(validation.parameters().size());
    for (ParameterRule rule : validation.parameters()) {
      if (rule.location() == ParameterRule.Location.PATH && !route.path().variableNames().contains(rule.variable())) {
        throw new IllegalStateException("route '" + route.id() + "': validate: path parameter '" + rule.name()
            + "': the path " + route.path() + " has no variable '" + rule.variable() + "'");
      }
      ValueValidator validator = null;
      if (rule.schema().isPresent()) {
        try {
          validator = Integrations.jsonSchema().compileValue(rule.schema().get());
        } catch (IllegalArgumentException | IllegalStateException e) {
          throw new IllegalStateException("route '" + route.id() + "': validate: " + rule.location().key()
              + " parameter '" + rule.name() + "': " + e.getMessage(), e);
        }
      }
      checks.add(new Check(rule, validator));
    }
    return new ParameterChecks(checks);
  }

  boolean isEmpty() {
    return checks.isEmpty();
  }

  /** Adds an error to {@code errors} for each parameter of {@code exchange} that is missing or invalid. */
  void check(Exchange exchange, List<Map<String, Object>> errors) {
    GatewayRequest request = exchange.request();
    Map<String, List<String>> query = readsQuery ? QueryParameters.parse(request.rawQuery().orElse(null)) : Map.of();
    for (Check check : checks) {
      ParameterRule rule = check.rule();
      List<String> values = switch (rule.location()) {
        case PATH -> {
          String raw = exchange.pathVariables().get(rule.variable());
          yield raw == null ? List.of() : List.of(decodePath(raw));
        }
        case QUERY -> query.getOrDefault(rule.name(), List.of());
        case HEADER -> request.headers().all(rule.name());
      };
      if (values.isEmpty()) {
        if (rule.required()) {
          errors.add(error(rule, "", "is required"));
        }
        continue;
      }
      ValueValidator validator = check.validator();
      if (validator == null) {
        continue;
      }
      if (validator.isArray()) {
        values = items(rule, values);
      }
      BodyValidator.Result result = validator.validate(values);
      if (result instanceof BodyValidator.Invalid invalid) {
        int n = 0;
        for (BodyValidator.Violation v : invalid.violations()) {
          if (n++ == MAX_VIOLATIONS_PER_PARAMETER) {
            break;
          }
          errors.add(error(rule, v.pointer(), v.message()));
        }
      } else if (result instanceof BodyValidator.Malformed malformed) {
        errors.add(error(rule, "", malformed.reason()));
      }
    }
  }

  /** An array's items: repeated query values, or each value split on commas (OpenAPI's form with explode off, and simple). */
  private static List<String> items(ParameterRule rule, List<String> values) {
    if (rule.location() == ParameterRule.Location.QUERY && rule.explode()) {
      return values;
    }
    List<String> items = new ArrayList<>();
    for (String value : values) {
      if (rule.location() == ParameterRule.Location.HEADER) {
        for (String item : value.split(",", -1)) {
          items.add(item.strip());
        }
      } else {
        items.addAll(List.of(value.split(",", -1)));
      }
    }
    return items;
  }

  private static Map<String, Object> error(ParameterRule rule, String pointer, String message) {
    Map<String, Object> error = new LinkedHashMap<>(4);
    error.put("in", rule.location().key());
    error.put("parameter", rule.name());
    if (!pointer.isEmpty()) {
      error.put("pointer", pointer);
    }
    error.put("message", message);
    return error;
  }

  /** Percent-decodes a path variable as UTF-8 ({@code +} stays a plus); malformed escapes stay as they are. */
  static String decodePath(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    String plusKept = raw.replace("+", "%2B");     // the query decoder reads '+' as a space
    return QueryParameters.decode(plusKept, 0, plusKept.length());
  }
}
