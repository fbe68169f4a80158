package dev.portico.gateway.config.internal;

import dev.portico.gateway.IpRules;
import dev.portico.gateway.Route;
import dev.portico.gateway.cache.CachePolicy;
import dev.portico.gateway.UpstreamErrors;
import dev.portico.gateway.Policies;
import dev.portico.gateway.WebSocketSettings;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.ratelimit.ConcurrencyLimit;
import dev.portico.gateway.transform.HeaderRules;
import dev.portico.gateway.transform.JsonTransform;
import dev.portico.gateway.transform.QueryRules;
import dev.portico.gateway.upstream.RequestMirror;
import dev.portico.gateway.upstream.RetryPolicy;
import dev.portico.gateway.upstream.TrafficSplit;
import dev.portico.gateway.validation.JsonSchema;
import dev.portico.gateway.validation.ParameterRule;
import dev.portico.gateway.validation.RequestValidation;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;


/** The keys of a route and of its header, query and JSON transforms and validation. Not public API. */
final class RouteModel {
  private RouteModel() {}

  private static final Type NAMES_TO_VALUES = Type.map(Type.STRING);

  static final Spec<HeaderRules.Builder> HEADERS = Spec.<HeaderRules.Builder>of("headerRules",
          "Header changes, applied in this order: stripInternal, remove, rename, set, add, append. Values may"
              + " use templates ({var.id}, {identity.subject}, ...).")
      .key("stripInternal", Type.BOOLEAN, "false", "Remove the gateway's internal headers.", (b, v) -> {
        if (v.bool()) {
          b.stripInternal();
        }
      })
      .key("remove", Type.STRINGS, "Headers to remove.", (b, v) -> b.remove(v.stringArray()))
      .key("rename", NAMES_TO_VALUES, "Headers to rename: old name to new name.",
          (b, v) -> v.entries().forEach((k, x) -> b.rename(k, x.text())))
      .key("set", NAMES_TO_VALUES, "Headers to set, replacing any.", (b, v) -> v.entries().forEach((k, x) -> b.set(k, x.text())))
      .key("add", NAMES_TO_VALUES, "Headers to add where absent.", (b, v) -> v.entries().forEach((k, x) -> b.add(k, x.text())))
      .key("append", NAMES_TO_VALUES, "Values to append to a header.",
          (b, v) -> v.entries().forEach((k, x) -> b.append(k, x.text())));

  static final Spec<QueryRules.Builder> QUERY = Spec.<QueryRules.Builder>of("queryRules",
          "Query parameter changes, applied in this order: remove, set, add.")
      .key("remove", Type.STRINGS, "Parameters to remove.", (b, v) -> b.remove(v.stringArray()))
      .key("set", NAMES_TO_VALUES, "Parameters to set, replacing any.", (b, v) -> v.entries().forEach((k, x) -> b.set(k, x.text())))
      .key("add", NAMES_TO_VALUES, "Parameters to add.", (b, v) -> v.entries().forEach((k, x) -> b.add(k, x.text())));

  private static final Type JSON_VALUES = Type.map(Type.either(Type.STRING, Type.INTEGER, Type.BOOLEAN));

  static final Spec<JsonTransform.Builder> JSON = Spec.<JsonTransform.Builder>of("jsonTransform",
          "Changes to a JSON body by JSON Pointer, applied in this order: remove, rename, set, setJson, add, addJson.")
      .key("remove", Type.STRINGS, "Pointers to remove.", (b, v) -> v.strings().forEach(b::remove))
      .key("rename", NAMES_TO_VALUES, "Pointers to move: from to to.", (b, v) -> v.entries().forEach((k, x) -> b.rename(k, x.text())))
      .key("set", JSON_VALUES, "Values to write, replacing any: strings (templates), integers or booleans.",
          (b, v) -> v.entries().forEach((k, x) -> jsonValue(x, s -> b.set(k, s), n -> b.set(k, n), f -> b.set(k, f))))
      .key("setJson", NAMES_TO_VALUES, "JSON texts to write, replacing any.", (b, v) -> v.entries().forEach((k, x) -> b.setJson(k, x.text())))
      .key("add", JSON_VALUES, "Values to write where there is none.",
          (b, v) -> v.entries().forEach((k, x) -> jsonValue(x, s -> b.add(k, s), n -> b.add(k, n), f -> b.add(k, f))))
      .key("addJson", NAMES_TO_VALUES, "JSON texts to write where there is none.",
          (b, v) -> v.entries().forEach((k, x) -> b.addJson(k, x.text())))
      .key("maxBodySize", Type.INTEGER, "1048576", "The largest body transformed, in bytes.", (b, v) -> b.maxBodySize(v.longValue()))
      .key("responseFallback", Type.oneWordOf("PASS_THROUGH", "REJECT"), "PASS_THROUGH",
          "What a response that cannot be transformed gets.",
          (b, v) -> b.responseFallback(JsonTransform.ResponseFallback.valueOf(v.text())));

  private static void jsonValue(Value x, java.util.function.Consumer<String> text, java.util.function.LongConsumer number,
      java.util.function.Consumer<Boolean> bool) {
    Node.Scalar s = (Node.Scalar) x.node();
    switch (s.kind()) {
      case INTEGER -> number.accept(x.longValue());
      case BOOLEAN -> bool.accept(x.bool());
      default -> text.accept(x.text());
    }
  }

  /** A parameter rule's keys as plain values: the rule's builder needs the location and name first. */
  static final class ParameterKeys {
    String in = "query";
    String name = "";
    boolean required;
    String schema;
    Boolean explode;
    String variable;
  }

  static final Spec<ParameterKeys> PARAMETER = Spec.<ParameterKeys>of("parameter",
          "A path, query or header parameter: whether it must be present, and a JSON Schema its value must meet"
              + " (the value is read as the schema's type says: integer, number, boolean, array, string).")
      .required("in", Type.oneWordOf("path", "query", "header"), "Where the parameter is.", (p, v) -> p.in = v.text())
      .required("name", Type.STRING, "The parameter's name (a header's in any case).", (p, v) -> p.name = v.text())
      .key("required", Type.BOOLEAN, "false (true for path)", "Whether a request without it is refused.",
          (p, v) -> p.required = v.bool())
      .key("schema", Type.STRING, "A JSON Schema the value must meet, as JSON text ({\"type\": \"integer\"}).",
          (p, v) -> p.schema = v.text())
      .key("explode", Type.BOOLEAN, "true", "An array query parameter as repeated values (true) or one comma-separated value.",
          (p, v) -> p.explode = v.bool())
      .key("variable", Type.STRING, "the name", "The path variable holding a path parameter, when it is named otherwise.",
          (p, v) -> p.variable = v.text());

  private static ParameterRule parameter(Value item) {
    ParameterKeys keys = new ParameterKeys();
    item.bind(PARAMETER, keys);
    try {
      ParameterRule.Builder rule = ParameterRule.builder(ParameterRule.Location.valueOf(keys.in.toUpperCase(Locale.ROOT)),
          keys.name);
      if (keys.required) {
        rule.required();
      }
      if (keys.schema != null) {
        rule.schema(JsonSchema.of(keys.schema));
      }
      if (keys.explode != null) {
        rule.explode(keys.explode);
      }
      if (keys.variable != null) {
        rule.variable(keys.variable);
      }
      return rule.build();
    } catch (IllegalArgumentException e) {
      throw item.fail(e.getMessage());
    }
  }

  static final Spec<RequestValidation.Builder> VALIDATION = Spec.<RequestValidation.Builder>of("validation",
          "What a request must be before it goes upstream (400, 411, 413 or 415 otherwise).")
      .key("requireHeaders", Type.STRINGS, "Headers every request must have.", (b, v) -> b.requireHeaders(v.stringArray()))
      .key("requireQueryParams", Type.STRINGS, "Query parameters every request must have.",
          (b, v) -> b.requireQueryParams(v.stringArray()))
      .key("parameters", Type.list(Type.object(PARAMETER)), "Path, query and header parameters to check (400 otherwise).",
          (b, v) -> v.items().forEach(item -> b.parameter(parameter(item))))
      .key("contentTypes", Type.STRINGS, "Accepted body media types (application/json, text/*).",
          (b, v) -> b.contentTypes(v.stringArray()))
      .key("maxBodySize", Type.INTEGER, "The largest body accepted, in bytes.", (b, v) -> b.maxBodySize(v.longValue()))
      .key("requireBody", Type.BOOLEAN, "false", "Whether a body is required.", (b, v) -> {
        if (v.bool()) {
          b.requireBody();
        }
      })
      .key("jsonSchema", Type.STRING, "A JSON Schema the body must meet, as JSON text (use ${file:schema.json}).",
          (b, v) -> b.jsonSchema(JsonSchema.of(v.text())))
      .key("jsonSchemaResource", Type.STRING, "A JSON Schema on the class path, by resource name.",
          (b, v) -> b.jsonSchema(JsonSchema.resource(v.text())))
      .key("jsonSchemaUri", Type.STRING, "A JSON Schema at a URI (file: or http(s):), read at build.",
          (b, v) -> b.jsonSchema(JsonSchema.at(URI.create(v.text()))));

  static final Spec<Policies.Builder> POLICY_TIMEOUTS = Spec.<Policies.Builder>of("policyTimeouts",
          "Upstream timeouts; each one given replaces the inherited one.")
      .key("connect", Type.DURATION, "Connecting (TCP and TLS) to the upstream.", (b, v) -> b.connectTimeout(v.duration()))
      .key("response", Type.DURATION, "From sending the request to the response headers.", (b, v) -> b.responseTimeout(v.duration()))
      .key("idle", Type.DURATION, "Silence in either direction once under way.", (b, v) -> b.idleTimeout(v.duration()))
      .key("requestBody", Type.DURATION, "Reading the client's request body.", (b, v) -> b.requestBodyTimeout(v.duration()));

  /** The policies a route inherits from {@code routeDefaults}, or a method's block sets over its route's. */
  static final Spec<Policies.Builder> POLICIES = Spec.<Policies.Builder>of("policies",
          "Route policies apart from a route: the gateway's routeDefaults, which every route inherits unless it sets"
              + " its own, and a route's methodPolicies, which apply to one method only. Each policy is inherited whole"
              + " and replaced by a route (or method) that sets it; authorize rules of a method are added to the"
              + " route's. routeDefaults cannot say permitAll or authorize; a method block cannot set cors or ipRules.")
      .key("authenticator", Type.STRING, "The authenticator, by name (authenticators or the host's registry).",
          (b, v) -> b.authenticator(v.reading().authenticator(v)))
      .key("permitAll", Type.BOOLEAN, "false", "Let anyone through without authentication (methods only).", (b, v) -> {
        if (v.bool()) {
          b.permitAll();
        }
      })
      .key("authorize", Type.list(Type.object(AuthModel.ACCESS_RULE)),
          "Access rules added to the route's; all must allow (methods only).", (b, v) -> PolicyModel.rules(v).forEach(b::authorize))
      .key("identityForwarding", Type.object(AuthModel.IDENTITY), "What the upstream learns of the identity.",
          (b, v) -> b.identityForwarding(v.build(AuthModel.IDENTITY, IdentityForwarding.builder(), IdentityForwarding.Builder::build)))
      .key("requestHeaders", Type.object(HEADERS), "Changes to the request's headers.",
          (b, v) -> b.requestHeaders(v.build(HEADERS, HeaderRules.builder(), HeaderRules.Builder::build)))
      .key("responseHeaders", Type.object(HEADERS), "Changes to the response's headers.",
          (b, v) -> b.responseHeaders(v.build(HEADERS, HeaderRules.builder(), HeaderRules.Builder::build)))
      .key("requestQuery", Type.object(QUERY), "Changes to the request's query.",
          (b, v) -> b.requestQuery(v.build(QUERY, QueryRules.builder(), QueryRules.Builder::build)))
      .key("validate", Type.object(VALIDATION), "Request validation.",
          (b, v) -> b.validate(v.build(VALIDATION, RequestValidation.builder(), RequestValidation.Builder::build)))
      .key("noValidation", Type.BOOLEAN, "false", "Drop the inherited validation.", (b, v) -> PolicyModel.when(v, b::noValidation))
      .key("cors", Type.object(AuthModel.CORS), "The CORS policy (routeDefaults only).",
          (b, v) -> b.cors(v.build(AuthModel.CORS, dev.portico.gateway.cors.CorsPolicy.builder(), dev.portico.gateway.cors.CorsPolicy.Builder::build)))
      .key("noCors", Type.BOOLEAN, "false", "Drop the inherited CORS policy.", (b, v) -> PolicyModel.when(v, b::noCors))
      .key("ipRules", Type.object(AuthModel.IP_RULES), "Client address rules (routeDefaults only).",
          (b, v) -> b.ipRules(v.build(AuthModel.IP_RULES, IpRules.builder(), IpRules.Builder::build)))
      .key("rateLimiters", Type.STRINGS, "Rate limiters by name, replacing the inherited ones; all must allow.",
          (b, v) -> v.items().forEach(x -> b.rateLimiter(v.reading().limiter(x))))
      .key("noRateLimit", Type.BOOLEAN, "false", "Drop the inherited rate limiters.", (b, v) -> PolicyModel.when(v, b::noRateLimit))
      .key("concurrencyLimit", Type.object(LimitModel.CONCURRENCY), "How many requests may be in flight at once.", (b, v) -> {
        ConcurrencyLimit[] c = new ConcurrencyLimit[1];
        v.bind(LimitModel.CONCURRENCY, c);
        b.concurrencyLimit(c[0]);
      })
      .key("noConcurrencyLimit", Type.BOOLEAN, "false", "Drop the inherited concurrency limit.",
          (b, v) -> PolicyModel.when(v, b::noConcurrencyLimit))
      .key("maxRequestBodySize", Type.INTEGER, "The largest request body, in bytes (413 otherwise).",
          (b, v) -> b.maxRequestBodySize(v.longValue()))
      .key("noMaxRequestBodySize", Type.BOOLEAN, "false", "Drop the inherited request body limit.",
          (b, v) -> PolicyModel.when(v, b::noMaxRequestBodySize))
      .key("timeouts", Type.object(POLICY_TIMEOUTS), "Upstream timeouts.", (b, v) -> v.bind(POLICY_TIMEOUTS, b))
      .key("cache", Type.object(CacheModel.CACHE), "The response cache.",
          (b, v) -> b.cache(v.build(CacheModel.CACHE, CachePolicy.builder(), CachePolicy.Builder::build)))
      .key("noCache", Type.BOOLEAN, "false", "Drop the inherited response cache.", (b, v) -> PolicyModel.when(v, b::noCache));

  static final Spec<WebSocketSettings[]> WEBSOCKET = Spec.<WebSocketSettings[]>of("websocket",
          "WebSocket upgrades on the route; {} or true for the defaults.")
      .key("idleTimeout", Type.DURATION, "How long a silent connection stays open.",
          (w, v) -> w[0] = w[0].withIdleTimeout(v.duration()))
      .key("maxMessageSize", Type.INTEGER, "The largest message, in bytes.",
          (w, v) -> w[0] = w[0].withMaxMessageSize(v.longValue()));

  static final Spec<Route.Builder> TIMEOUTS = Spec.<Route.Builder>of("timeouts", "The route's upstream timeouts.")
      .key("connect", Type.DURATION, "Connecting (TCP and TLS) to the upstream.", (b, v) -> b.connectTimeout(v.duration()))
      .key("response", Type.DURATION, "From sending the request to the response headers.", (b, v) -> b.responseTimeout(v.duration()))
      .key("idle", Type.DURATION, "Silence in either direction once under way.", (b, v) -> b.idleTimeout(v.duration()))
      .key("requestBody", Type.DURATION, "60s", "Reading the client's request body.", (b, v) -> b.requestBodyTimeout(v.duration()));

  static final Spec<Route.Builder> ROUTE = PolicyModel.optOuts(Spec.<Route.Builder>of("route",
          "A route: which requests it takes (path, methods, hosts, headers, query) and what it does with them."
              + " The first route that matches wins; routes are tried most specific path first.")
      .required("id", Type.STRING, "The route's unique id, in logs, metrics and errors.", (b, v) -> { })
      .key("path", Type.STRING, "The path pattern: /api/orders/{id}, /static/**.", (b, v) -> b.path(v.text()))
      .key("pathRegex", Type.STRING, "A regular expression over the path, instead of path; named groups are variables.",
          (b, v) -> b.pathRegex(v.text()))
      .key("methods", Type.STRINGS, "every method", "The methods taken.", (b, v) -> b.methods(v.stringArray()))
      .key("hosts", Type.STRINGS, "every host", "Host patterns taken (api.example.com, *.example.com).",
          (b, v) -> b.hosts(v.stringArray()))
      .key("headers", Type.map(Type.either(Type.STRING, Type.BOOLEAN)),
          "Header conditions: name to the exact value, or to true for present with any value.",
          (b, v) -> v.entries().forEach((k, x) -> condition(x, () -> b.header(k), s -> b.header(k, s))))
      .key("queryParams", Type.map(Type.either(Type.STRING, Type.BOOLEAN)),
          "Query parameter conditions: name to the exact value, or to true for present.",
          (b, v) -> v.entries().forEach((k, x) -> condition(x, () -> b.queryParam(k), s -> b.queryParam(k, s))))
      .key("upstream", Type.either(Type.STRING, Type.object(UpstreamModel.UPSTREAM)),
          "Where requests go: an http(s) URI, or an object with uri and tls.", (b, v) -> {
            if (v.isScalar()) {
              b.upstream(v.text());
            } else {
              b.upstream(UpstreamModel.upstream(v));
            }
          })
      .key("upstreamGroup", Type.STRING, "The name of an upstream group under upstreamGroups, instead of upstream.",
          (b, v) -> b.upstreamGroup(v.text()))
      .key("split", Type.object(UpstreamModel.SPLIT), "Shares traffic between upstream groups, instead of upstream.",
          (b, v) -> b.split(v.build(UpstreamModel.SPLIT, TrafficSplit.builder(), TrafficSplit.Builder::build)))
      .key("mirror", Type.object(UpstreamModel.MIRROR), "Copies a share of requests to a shadow upstream.",
          (b, v) -> b.mirror(v.build(UpstreamModel.MIRROR, RequestMirror.builder(), RequestMirror.Builder::build)))
      .key("retry", Type.object(UpstreamModel.RETRY), "Retries of failed upstream calls.",
          (b, v) -> b.retry(v.build(UpstreamModel.RETRY, RetryPolicy.builder(), RetryPolicy.Builder::build)))
      .key("websocket", Type.either(Type.BOOLEAN, Type.object(WEBSOCKET)), "false", "Accept WebSocket upgrades.", (b, v) -> {
        if (v.isScalar()) {
          if (v.bool()) {
            b.websocket();
          }
        } else {
          WebSocketSettings[] w = {WebSocketSettings.defaults()};
          v.bind(WEBSOCKET, w);
          b.websocket(w[0]);
        }
      })
      .key("stripPrefix", Type.INTEGER, "Path segments removed before calling the upstream.", (b, v) -> b.stripPrefix(v.integer()))
      .key("rewritePath", Type.STRING, "A path template over the path's variables: /v2/users/{id}.",
          (b, v) -> b.rewritePath(v.text()))
      .key("preserveHost", Type.BOOLEAN, "false", "Send the client's Host upstream.", (b, v) -> {
        if (v.bool()) {
          b.preserveHost();
        }
      })
      .key("timeouts", Type.object(TIMEOUTS), "The upstream timeouts.", (b, v) -> v.bind(TIMEOUTS, b))
      .key("filters", Type.STRINGS, "Filters the host registered, by name, in order.",
          (b, v) -> v.items().forEach(x -> b.filter(v.reading().filter(x))))
      .key("authenticator", Type.STRING, "the gateway's", "The authenticator, by name (authenticators or the host's registry).",
          (b, v) -> b.authenticator(v.reading().authenticator(v)))
      .key("permitAll", Type.BOOLEAN, "false", "Let anyone through without authentication.", (b, v) -> {
        if (v.bool()) {
          b.permitAll();
        }
      })
      .key("authorize", Type.list(Type.object(AuthModel.ACCESS_RULE)), "Access rules; all must allow (403 otherwise).",
          (b, v) -> PolicyModel.rules(v).forEach(b::authorize))
      .key("identityForwarding", Type.object(AuthModel.IDENTITY), "What the upstream learns of the identity.",
          (b, v) -> b.identityForwarding(v.build(AuthModel.IDENTITY, IdentityForwarding.builder(), IdentityForwarding.Builder::build)))
      .key("requestHeaders", Type.object(HEADERS), "Changes to the request's headers.",
          (b, v) -> b.requestHeaders(v.build(HEADERS, HeaderRules.builder(), HeaderRules.Builder::build)))
      .key("responseHeaders", Type.object(HEADERS), "Changes to the response's headers.",
          (b, v) -> b.responseHeaders(v.build(HEADERS, HeaderRules.builder(), HeaderRules.Builder::build)))
      .key("requestQuery", Type.object(QUERY), "Changes to the request's query.",
          (b, v) -> b.requestQuery(v.build(QUERY, QueryRules.builder(), QueryRules.Builder::build)))
      .key("methodOverride", Type.STRING, "The method sent upstream instead of the client's.", (b, v) -> b.methodOverride(v.text()))
      .key("requestJson", Type.object(JSON), "Changes to a JSON request body.",
          (b, v) -> b.requestJson(v.build(JSON, JsonTransform.builder(), JsonTransform.Builder::build)))
      .key("responseJson", Type.object(JSON), "Changes to a JSON response body.",
          (b, v) -> b.responseJson(v.build(JSON, JsonTransform.builder(), JsonTransform.Builder::build)))
      .key("validate", Type.object(VALIDATION), "Request validation.",
          (b, v) -> b.validate(v.build(VALIDATION, RequestValidation.builder(), RequestValidation.Builder::build)))
      .key("cors", Type.object(AuthModel.CORS), "the gateway's", "The route's CORS policy.",
          (b, v) -> b.cors(v.build(AuthModel.CORS, dev.portico.gateway.cors.CorsPolicy.builder(),
              dev.portico.gateway.cors.CorsPolicy.Builder::build)))
      .key("ipRules", Type.object(AuthModel.IP_RULES), "none", "The route's client address rules, after the gateway's.",
          (b, v) -> b.ipRules(v.build(AuthModel.IP_RULES, IpRules.builder(), IpRules.Builder::build)))
      .key("errorMapper", Type.STRING, "the gateway's", "An error mapper the host registered, by name.",
          (b, v) -> b.errorMapper(v.reading().errorMapper(v)))
      .key("upstreamErrors", Type.oneWordOf("PASS_THROUGH", "REPLACE"), "the gateway's",
          "Whether upstream 5xx responses pass or become a 502 problem.", (b, v) -> b.upstreamErrors(UpstreamErrors.valueOf(v.text())))
      .key("rateLimiters", Type.STRINGS, "Rate limiters by name (limiters or the host's registry); all must allow.",
          (b, v) -> v.items().forEach(x -> b.rateLimiter(v.reading().limiter(x))))
      .key("concurrencyLimit", Type.object(LimitModel.CONCURRENCY), "How many requests may be in flight at once.", (b, v) -> {
        ConcurrencyLimit[] c = new ConcurrencyLimit[1];
        v.bind(LimitModel.CONCURRENCY, c);
        b.concurrencyLimit(c[0]);
      })
      .key("maxRequestBodySize", Type.INTEGER, "no limit", "The largest request body, in bytes (413 otherwise).",
          (b, v) -> b.maxRequestBodySize(v.longValue()))
      .key("cache", Type.object(CacheModel.CACHE), "no cache", "The route's response cache.",
          (b, v) -> b.cache(v.build(CacheModel.CACHE, CachePolicy.builder(), CachePolicy.Builder::build))));

  private static void condition(Value x, Runnable present, java.util.function.Consumer<String> equal) {
    Node.Scalar s = (Node.Scalar) x.node();
    if (s.kind() == Node.Scalar.Kind.BOOLEAN) {
      if (!x.bool()) {
        throw new Value.Invalid("only true means something here (present with any value)");
      }
      present.run();
    } else {
      equal.accept(x.text());
    }
  }

}
