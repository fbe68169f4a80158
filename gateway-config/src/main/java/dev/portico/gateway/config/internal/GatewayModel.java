package dev.portico.gateway.config.internal;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.IpRules;
import dev.portico.gateway.Route;
import dev.portico.gateway.UpstreamErrors;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.cors.CorsPolicy;
import dev.portico.gateway.observe.json.JsonAccessLog;
import dev.portico.gateway.ratelimit.RateLimitHeaders;
import dev.portico.gateway.upstream.UpstreamGroup;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The top of the file, and the one place that turns a whole file into a {@link Gateway}: keys are
 * applied in the order listed here (names defined before they are used), so the file's own order
 * does not matter. Not public API.
 */
public final class GatewayModel {
  private static final Pattern ROUTE_MESSAGE = Pattern.compile("^routes? '([^']+)'(?:: ([A-Za-z]+)(?=:| uses))?");

  private GatewayModel() {}

  private static final List<String> FIELD_NAMES = Arrays.stream(JsonAccessLog.Field.values())
      .map(JsonAccessLog.Field::key).toList();

  static final Spec<JsonAccessLog.Builder> JSON_LOG = Spec.<JsonAccessLog.Builder>of("jsonAccessLog",
          "One JSON object per exchange, to an SLF4J logger.")
      .key("fields", Type.STRINGS, "every field", "The fields, in order: " + String.join(", ", FIELD_NAMES) + ".",
          (b, v) -> b.fields(v.items().stream().map(GatewayModel::field).toArray(JsonAccessLog.Field[]::new)))
      .key("logger", Type.STRING, JsonAccessLog.DEFAULT_LOGGER, "The SLF4J logger name.", (b, v) -> b.logger(v.text()));

  private static JsonAccessLog.Field field(Value v) {
    for (JsonAccessLog.Field f : JsonAccessLog.Field.values()) {
      if (f.key().equals(v.text())) {
        return f;
      }
    }
    throw new Value.Invalid("'" + v.text() + "' is not an access log field" + Suggestions.hint(v.text(), FIELD_NAMES));
  }

  static final Spec<Gateway.Builder> ACCESS_LOG = Spec.<Gateway.Builder>of("accessLog",
          "Where access log entries go: the JSON log, or an access log the host registered.")
      .key("json", Type.object(JSON_LOG), "A JSON line per exchange.",
          (b, v) -> b.accessLog(v.build(JSON_LOG, JsonAccessLog.builder(), JsonAccessLog.Builder::build)))
      .key("registered", Type.STRING, "An access log the host registered, by name.",
          (b, v) -> b.accessLog(v.reading().accessLog(v)))
      .exactlyOne();

  /** The whole file. */
  public static final Spec<Gateway.Builder> GATEWAY = Spec.<Gateway.Builder>of("gateway",
          "A gateway: its routes, and what they share.")
      .key("authenticators", Type.map(Type.object(AuthModel.AUTHENTICATOR)),
          "Authenticators by name, for authenticator keys to use.", (b, v) -> v.entries().forEach((name, x) -> {
            Authenticator[] a = new Authenticator[1];
            if (v.reading().bindQuietly(x, AuthModel.AUTHENTICATOR, a)) {
              v.reading().checkNotRegistered(x, name, false);
              v.reading().defineAuthenticator(name, a[0]);
            }
          }))
      .key("limiters", Type.map(Type.object(LimitModel.LIMITER)), "Rate limiters by name, for rateLimiters keys to use.",
          (b, v) -> v.entries().forEach((name, x) -> {
            try {
              v.reading().checkNotRegistered(x, name, true);
              v.reading().defineLimiter(name, LimitModel.limiter(name, x));
            } catch (Value.Reported e) {
              // reported; go on with the next, to report all
            }
          }))
      .key("upstreamGroups", Type.map(Type.object(UpstreamModel.GROUP)), "Upstream groups by name, for upstreamGroup keys.",
          (b, v) -> v.entries().forEach((name, x) -> {
            try {
              b.upstreamGroup(x.build(UpstreamModel.GROUP, UpstreamGroup.builder(name), UpstreamGroup.Builder::build));
            } catch (Value.Reported e) {
              // reported
            } catch (IllegalArgumentException e) {
              x.reading().problems().add(x.position(), x.path(), e.getMessage());
            }
          }))
      .key("trustedProxies", Type.STRINGS, "none", "Peers (10.0.0.0/8, 127.0.0.1) whose forwarding headers are trusted.",
          (b, v) -> b.trustedProxies(v.stringArray()))
      .key("ipRules", Type.object(AuthModel.IP_RULES), "none",
          "Client addresses the gateway answers, before any route's rules (404 and 405 included).",
          (b, v) -> b.ipRules(v.build(AuthModel.IP_RULES, IpRules.builder(), IpRules.Builder::build)))
      .key("requestIdHeader", Type.STRING, "X-Request-Id", "The request id header.", (b, v) -> b.requestIdHeader(v.text()))
      .key("keepClientHeaders", Type.STRINGS, "Override headers (X-HTTP-Method-Override, ...) let through from clients.",
          (b, v) -> b.keepClientHeaders(v.stringArray()))
      .key("stripClientHeaders", Type.STRINGS, "Headers removed from every client request.",
          (b, v) -> b.stripClientHeaders(v.stringArray()))
      .key("filters", Type.STRINGS, "Global filters the host registered, by name, in order.",
          (b, v) -> v.items().forEach(x -> b.filter(v.reading().filter(x))))
      .key("authenticator", Type.STRING, "none", "The default authenticator of every route, by name.",
          (b, v) -> b.authenticator(v.reading().authenticator(v)))
      .key("rateLimiters", Type.STRINGS, "Limiters every request passes, by name, before the route's.",
          (b, v) -> v.items().forEach(x -> b.rateLimiter(v.reading().limiter(x))))
      .key("rateLimitHeaders", Type.oneWordOf("IETF", "IETF_AND_LEGACY"), "IETF", "The quota headers of limited responses.",
          (b, v) -> b.rateLimitHeaders(RateLimitHeaders.valueOf(v.text())))
      .key("cors", Type.object(AuthModel.CORS), "none", "The CORS policy of every route that sets none.",
          (b, v) -> b.cors(v.build(AuthModel.CORS, CorsPolicy.builder(), CorsPolicy.Builder::build)))
      .key("routeDefaults", Type.object(RouteModel.POLICIES), "none",
          "Policies every route inherits unless it sets its own (authenticator and cors above are two of them).",
          (b, v) -> b.routeDefaults(v.build(RouteModel.POLICIES, dev.portico.gateway.Policies.builder(),
              dev.portico.gateway.Policies.Builder::build)))
      .key("errorMapper", Type.STRING, "RFC 9457 JSON", "An error mapper the host registered, by name.",
          (b, v) -> b.errorMapper(v.reading().errorMapper(v)))
      .key("upstreamErrors", Type.oneWordOf("PASS_THROUGH", "REPLACE"), "PASS_THROUGH",
          "Whether upstream 5xx responses pass or become a 502 problem.", (b, v) -> b.upstreamErrors(UpstreamErrors.valueOf(v.text())))
      .key("accessLog", Type.object(ACCESS_LOG), "SLF4J text lines", "Where access log entries go.", (b, v) -> v.bind(ACCESS_LOG, b))
      .key("openapi", Type.list(Type.object(OpenApiKeys.SPEC)),
          "OpenAPI documents whose operations become routes, before the routes below.", (b, v) -> {
            for (Value item : v.items()) {
              OpenApiKeys keys = new OpenApiKeys();
              if (!item.reading().bindQuietly(item, OpenApiKeys.SPEC, keys)) {
                continue;
              }
              if (!openApiPresent()) {
                item.reading().problems().add(item.position(), item.path(), "importing an OpenAPI document needs"
                    + " dev.portico:gateway-openapi on the class path (add it as a dependency)");
                continue;
              }
              // A class of its own: gateway-openapi (and swagger-parser) load only for files with this key.
              OpenApiModel.addTo(b, keys, item);
            }
          })
      .required("routes", Type.list(Type.object(RouteModel.ROUTE)), "The routes.", (b, v) -> {
        for (Value item : v.items()) {
          route(b, item);
        }
      });

  /**
   * Reads a whole parsed tree (a file's, or one a host made from its own properties) into a
   * gateway, with the host's {@code registry}; relative file names are resolved against
   * {@code directory}. Adds to {@code problems} what was found before.
   *
   * @throws dev.portico.gateway.config.ConfigException listing every problem found, those before included
   */
  public static Gateway read(Node root, Problems problems, Registry registry, java.nio.file.Path directory) {
    Reading reading = new Reading(problems, registry, directory);
    Gateway.Builder builder = Gateway.builder();
    Value value = reading.root(root);
    if (!(root instanceof Node.Mapping)) {
      problems.add(root.position(), "", "expected an object with routes, found " + root.kindName());
      problems.throwIfAny();
    }
    boolean bound = reading.bindQuietly(value, GATEWAY, builder);
    problems.throwIfAny();
    if (!bound) {
      // Every failure is reported; this is a guard against one that was not.
      problems.add(new Position(root.position().source(), 0, 0), "", "the file could not be read");
      problems.throwIfAny();
    }
    Gateway gateway = build(reading, value, builder);
    problems.throwIfAny();
    return gateway;
  }

  private static boolean openApiPresent() {
    try {
      Class.forName(OpenApiKeys.ENTRY_POINT, false, GatewayModel.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static void route(Gateway.Builder gateway, Value item) {
    Node.Mapping mapping = (Node.Mapping) item.node();
    Node.Entry idEntry = mapping.entries().get("id");
    String id = idEntry != null && idEntry.value() instanceof Node.Scalar s && s.isText() ? s.text() : null;
    if (id == null) {
      // Reported by bind below (missing or not a string); still check the rest of the route.
      item.reading().bindQuietly(item, RouteModel.ROUTE, Route.builder("unnamed"));
      return;
    }
    Route.Builder builder;
    try {
      builder = Route.builder(id);
    } catch (IllegalArgumentException e) {
      item.reading().problems().add(idEntry.value().position(), item.path() + ".id", e.getMessage());
      return;
    }
    if (!item.reading().bindQuietly(item, RouteModel.ROUTE, builder)) {
      return;
    }
    item.reading().routeAt(id, item);
    try {
      gateway.route(builder.build());
    } catch (IllegalStateException | IllegalArgumentException e) {
      report(item.reading(), item, e.getMessage());
    }
  }

  /**
   * Builds the gateway, pointing each of its messages at the route it names (and at the route's key
   * the message starts with, when the route has it) or else at the top of the file.
   */
  public static @org.jspecify.annotations.Nullable Gateway build(Reading reading, Value root, Gateway.Builder builder) {
    try {
      return builder.build();
    } catch (IllegalStateException | IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      String[] lines = message.contains("\n") ? message.substring(message.indexOf('\n') + 1).split("\n") : new String[] {message};
      for (String line : lines) {
        String text = line.strip();
        Matcher m = ROUTE_MESSAGE.matcher(text);
        boolean named = m.find();
        var defaults = root.get("routeDefaults");
        if (!named && text.startsWith("routeDefaults: ") && defaults.isPresent()) {
          reading.problems().add(defaults.get().position(), "routeDefaults", text.substring("routeDefaults: ".length()));
          continue;
        }
        Value at = named ? reading.route(m.group(1)).orElse(root) : root;
        report(reading, at, text);
      }
      return null;
    }
  }

  /**
   * Reports a builder's message about the route at {@code route}: at the key the message starts
   * with ({@code route 'orders': upstream: uri: 'htp://x' ...} at {@code upstream}) when the route
   * has it, else at the route.
   */
  private static void report(Reading reading, Value route, String message) {
    Matcher m = ROUTE_MESSAGE.matcher(message);
    if (m.find() && m.group(2) != null && route.isObject()) {
      var key = route.get(m.group(2));
      if (key.isPresent()) {
        String detail = message.substring(m.start(2));
        detail = detail.startsWith(m.group(2) + ": ") ? detail.substring(m.group(2).length() + 2) : detail;
        detail = detail.startsWith("uri: ") ? detail.substring(5) : detail;
        reading.problems().add(key.get().position(), key.get().path(), detail);
        return;
      }
    }
    reading.problems().add(route.position(), route.path(), message);
  }
}
