package dev.portico.gateway.config;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Route;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.ratelimit.RateLimiter;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Renders a gateway as text from every public accessor of its definition (by reflection, so a new
 * accessor is compared without anyone remembering to add it), plus the engine's own view of each
 * route's policies (what the admin route view shows). Two gateways that render alike were built
 * with the same options, as far as the API lets anyone see.
 */
final class GatewayView {
  private static final Set<String> SKIPPED = Set.of("toBuilder", "toString", "hashCode", "getClass", "build",
      "authenticatorFor", "corsFor", "errorMapperFor", "upstreamErrorsFor", "route", "upstreamGroup");

  private GatewayView() {}

  static String of(Gateway gateway) {
    StringBuilder out = new StringBuilder();
    describe(gateway, out, "", 0);
    JettyGatewayHandler handler = JettyGatewayHandler.create(gateway);
    try {
      for (Route route : gateway.routes()) {
        out.append("\npolicies ").append(route.id()).append(": ").append(handler.policies(route.id()));
        out.append("\nauthenticatedBy ").append(route.id()).append(": ")
            .append(gateway.authenticatorFor(route).map(a -> a.getClass().getSimpleName()).orElse("none"));
        for (String method : new TreeSet<>(route.methodPolicies().keySet())) {
          out.append("\nmethod ").append(route.id()).append(' ').append(method).append(": ");
          describe(route.forMethod(method), out, "", 0);
          out.append("\nexplain ").append(route.id()).append(' ').append(method).append(": ")
              .append(handler.explain(method, route.path().pattern().replace("**", "x"), dev.portico.gateway.HttpHeaders.empty())
                  .policies());
        }
      }
    } finally {
      try {
        handler.stop();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return out.toString();
  }

  private static void describe(Object value, StringBuilder out, String indent, int depth) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Optional<?> o) {
      if (o.isEmpty()) {
        out.append("none");
      } else {
        describe(o.get(), out, indent, depth);
      }
    } else if (value instanceof OptionalLong o) {
      out.append(o.isPresent() ? String.valueOf(o.getAsLong()) : "none");
    } else if (value instanceof Collection<?> c) {
      out.append('[');
      for (Object item : c) {
        out.append('\n').append(indent).append("  - ");
        describe(item, out, indent + "    ", depth + 1);
      }
      out.append(']');
    } else if (value instanceof Map<?, ?> m) {
      describe(new TreeSet<>(m.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()), out, indent, depth);
    } else if (value instanceof int[] a) {
      out.append(Arrays.toString(a));
    } else if (value instanceof char[] a) {
      out.append(new String(a));
    } else if (value instanceof KeyStore k) {
      try {
        out.append("KeyStore ").append(k.getType()).append(' ').append(new TreeSet<>(java.util.Collections.list(k.aliases())));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    } else if (value instanceof RateLimiter l) {
      out.append(l.getClass().getSimpleName()).append(' ').append(l.name());
    } else if (value instanceof CharSequence || value instanceof Number || value instanceof Boolean || value instanceof Enum<?>
        || value instanceof java.time.Duration || value instanceof java.net.URI || value instanceof Character) {
      out.append(value);
    } else if (value.getClass().getName().startsWith("dev.portico.gateway.") && depth < 8
        && !value.getClass().getName().startsWith("dev.portico.gateway.internal")
        && value.getClass().getPackageName().chars().filter(c -> c == '.').count() <= 3) {
      out.append(value.getClass().getSimpleName()).append(" {");
      Method[] methods = value.getClass().getMethods();
      Arrays.sort(methods, Comparator.comparing(Method::getName));
      for (Method method : methods) {
        if (method.getParameterCount() != 0 || Modifier.isStatic(method.getModifiers())
            || SKIPPED.contains(method.getName()) || method.getDeclaringClass() == Object.class
            || method.getReturnType() == void.class || !Modifier.isPublic(method.getDeclaringClass().getModifiers())) {
          continue;
        }
        Object result;
        try {
          result = method.invoke(value);
        } catch (ReflectiveOperationException e) {
          continue;
        }
        out.append('\n').append(indent).append("  ").append(method.getName()).append(": ");
        describe(result, out, indent + "  ", depth + 1);
      }
      out.append('\n').append(indent).append('}');
    } else {
      // An object with no accessors to compare (an authenticator, a filter): its kind.
      String text = String.valueOf(value);
      out.append(text.contains("@") || text.contains("$$Lambda") ? value.getClass().getSimpleName() : text);
    }
  }
}
