package dev.portico.gateway.openapi.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.portico.gateway.Route;
import dev.portico.gateway.auth.AccessRule;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.openapi.OpenApiException;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.validation.JsonSchema;
import dev.portico.gateway.validation.ParameterRule;
import dev.portico.gateway.validation.RequestValidation;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.core.util.Json31;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.servers.ServerVariable;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a document with swagger-parser and makes one route per operation (see {@code OpenApiRoutes}
 * for what each becomes). Collects every problem before failing, each with its JSON Pointer. Not
 * public API.
 */
public final class OperationMapper {
  static final String UPSTREAM = "x-portico-upstream";
  static final String AUTHENTICATOR = "x-portico-authenticator";
  static final String RATE_LIMIT = "x-portico-rate-limit";
  static final String SCOPES = "x-portico-scopes";
  /** The extensions there are; any other {@code x-portico-} key is an error. */
  public static final List<String> EXTENSIONS = List.of(UPSTREAM, AUTHENTICATOR, RATE_LIMIT, SCOPES);

  /** Headers OpenAPI says parameters do not describe: the media type, content negotiation and credentials. */
  private static final Set<String> IGNORED_HEADERS = Set.of("accept", "content-type", "authorization");

  private final DocumentSource source;
  private final Settings settings;
  private final List<OpenApiException.Problem> problems = new ArrayList<>();
  private @Nullable Components components;
  private @Nullable SchemaBundle schemas;

  private OperationMapper(DocumentSource source, Settings settings) {
    this.source = source;
    this.settings = settings;
  }

  /**
   * The routes of the document.
   *
   * @throws OpenApiException listing every problem found
   */
  public static List<Route> routes(DocumentSource source, Settings settings) {
    return new OperationMapper(source, settings).map();
  }

  private List<Route> map() {
    OpenAPI api = parse();
    components = api.getComponents();
    @SuppressWarnings("rawtypes")
    Map<String, Schema> componentSchemas = components == null || components.getSchemas() == null
        ? Map.of() : components.getSchemas();
    boolean v31 = api.getSpecVersion() == SpecVersion.V31;
    ObjectMapper mapper = v31 ? Json31.mapper() : Json.mapper();
    schemas = new SchemaBundle(mapper, !v31, componentSchemas);

    Map<String, Object> root = extensions(api.getExtensions(), "#");
    String prefix = settings.pathPrefix() != null ? trimSlash(settings.pathPrefix()) : serverPrefix(api.getServers());
    List<Route> routes = new ArrayList<>();
    Map<String, String> ids = new HashMap<>();
    if (api.getPaths() == null || api.getPaths().isEmpty()) {
      fail("#/paths", "the document has no paths, so no operations");
    } else {
      for (Map.Entry<String, PathItem> path : api.getPaths().entrySet()) {
        String pathPointer = "#/paths/" + SchemaBundle.escape(path.getKey());
        PathItem item = path.getValue();
        if (item == null) {
          continue;
        }
        Map<String, Object> pathExtensions = extensions(item.getExtensions(), pathPointer);
        // Some documents (OpenAI's) key a second set of operations by a path with a query
        // ("/responses?beta=true"): the query becomes conditions on the route's query parameters.
        String key = path.getKey();
        int question = key.indexOf('?');
        Map<String, String> query = question < 0 ? Map.of() : queryConditions(key.substring(question + 1));
        PathTemplate template;
        try {
          template = PathTemplate.of(prefix, question < 0 ? key : key.substring(0, question));
        } catch (IllegalArgumentException e) {
          fail(pathPointer, e.getMessage());
          continue;
        }
        for (Map.Entry<PathItem.HttpMethod, Operation> entry : item.readOperationsMap().entrySet()) {
          String method = entry.getKey().name();
          String pointer = pathPointer + "/" + method.toLowerCase(Locale.ROOT);
          Operation operation = entry.getValue();
          String id = settings.idPrefix() + (operation.getOperationId() != null && !operation.getOperationId().isBlank()
              ? operation.getOperationId() : generatedId(method, path.getKey()));
          String earlier = ids.putIfAbsent(id, pointer);
          if (earlier != null) {
            fail(pointer, "route id '" + id + "' is also the id of " + earlier + " (operationIds must be unique)");
            continue;
          }
          Map<String, Object> merged = new LinkedHashMap<>(root);
          merged.putAll(pathExtensions);
          merged.putAll(extensions(operation.getExtensions(), pointer));
          Route route = route(id, pointer, method, template, query, item, operation, merged);
          if (route != null) {
            routes.add(route);
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new OpenApiException(source.name(), problems);
    }
    // Routes with query conditions first: equally specific paths are tried in order, and the
    // operation without a condition would otherwise take every request of the one with it.
    List<Route> ordered = new ArrayList<>(routes.size());
    routes.stream().filter(r -> !r.queryParams().isEmpty()).forEach(ordered::add);
    routes.stream().filter(r -> r.queryParams().isEmpty()).forEach(ordered::add);
    return ordered;
  }

  private OpenAPI parse() {
    String missing = source.missing();
    if (missing != null) {
      throw new OpenApiException(source.name(), List.of(new OpenApiException.Problem("", missing)));
    }
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setValidateInternalRefs(true);
    options.setValidateExternalRefs(true);
    SwaggerParseResult result;
    try {
      OpenAPIV3Parser parser = new OpenAPIV3Parser();
      result = source.text() != null ? parser.readContents(source.text(), null, options)
          : parser.readLocation(source.location(), null, options);
    } catch (RuntimeException e) {
      throw new OpenApiException(source.name(), List.of(new OpenApiException.Problem("", "cannot be read: " + e)));
    }
    List<String> messages = result == null || result.getMessages() == null ? List.of() : result.getMessages();
    OpenAPI api = result == null ? null : result.getOpenAPI();
    if (api == null || api.getOpenapi() == null || !(api.getOpenapi().startsWith("3.0") || api.getOpenapi().startsWith("3.1"))) {
      List<OpenApiException.Problem> list = new ArrayList<>();
      list.add(new OpenApiException.Problem("", api == null || api.getOpenapi() == null
          ? "not an OpenAPI 3.0 or 3.1 document" : "OpenAPI " + api.getOpenapi() + " (expected: 3.0.x or 3.1.x)"));
      messages.forEach(m -> list.add(new OpenApiException.Problem("", m)));
      throw new OpenApiException(source.name(), list);
    }
    List<OpenApiException.Problem> unresolved = new ArrayList<>();
    for (String message : messages) {
      if (isReferenceProblem(message)) {
        unresolved.add(new OpenApiException.Problem("", readable(message)));
      }
    }
    if (!unresolved.isEmpty()) {
      throw new OpenApiException(source.name(), unresolved);
    }
    return api;
  }

  /**
   * swagger-parser's "attribute paths.'/a'(get).responses.200.content.'application/json'.schema.#/components/schemas/Gone is missing"
   * as "unresolved $ref '#/components/schemas/Gone' at paths.'/a'(get).responses..."; other messages as they are.
   */
  static String readable(String message) {
    Matcher m = MISSING.matcher(message);
    return m.matches() ? "unresolved $ref '" + m.group(2) + "' at " + m.group(1) : message;
  }

  private static final Pattern MISSING = Pattern.compile("attribute (.+?)\\.(#/\\S+) is missing");

  /** The parser's messages about references: the rest (an unexpected key, a missing description) are warnings. */
  private static boolean isReferenceProblem(String message) {
    String m = message.toLowerCase(Locale.ROOT);
    return m.contains("$ref") || m.contains("could not find") || m.contains("unable to load") || m.contains("unresolved")
        || m.contains("unable to read") || m.contains("#/") && m.contains("is missing");
  }

  private @Nullable Route route(String id, String pointer, String method, PathTemplate template,
      Map<String, String> query, PathItem item, Operation operation, Map<String, Object> extensions) {
    int before = problems.size();
    Route.Builder route;
    try {
      route = Route.builder(id);
    } catch (IllegalArgumentException e) {
      fail(pointer, "route id '" + id + "': " + e.getMessage());
      return null;
    }
    if (template.regex()) {
      route.pathRegex(template.pattern());
    } else {
      route.path(template.pattern());
    }
    route.methods(method);
    query.forEach((name, value) -> {
      if (value.isEmpty()) {
        route.queryParam(name);
      } else {
        route.queryParam(name, value);
      }
    });
    upstream(route, pointer, extensions.get(UPSTREAM));
    Object authenticator = extensions.get(AUTHENTICATOR);
    if (authenticator != null) {
      String name = text(authenticator, pointer, AUTHENTICATOR);
      if (name != null) {
        Authenticator a = settings.authenticators().get(name);
        if (a == null) {
          fail(pointer, AUTHENTICATOR + ": no authenticator '" + name + "' is registered"
              + Names.hint(name, settings.authenticators().keySet()));
        } else {
          route.authenticator(a);
        }
      }
    }
    Object limits = extensions.get(RATE_LIMIT);
    if (limits != null) {
      for (String name : texts(limits, pointer, RATE_LIMIT)) {
        RateLimiter limiter = settings.limiters().get(name);
        if (limiter == null) {
          fail(pointer, RATE_LIMIT + ": no rate limiter '" + name + "' is registered" + Names.hint(name, settings.limiters().keySet()));
        } else {
          route.rateLimiter(limiter);
        }
      }
    }
    Object scopes = extensions.get(SCOPES);
    if (scopes != null) {
      List<String> list = texts(scopes, pointer, SCOPES);
      if (!list.isEmpty()) {
        route.authorize(AccessRule.scopes(list.toArray(String[]::new)));
      }
    }
    if (settings.validate()) {
      RequestValidation validation = validation(pointer, template, item, operation);
      if (validation != null) {
        route.validate(validation);
      }
    }
    if (problems.size() > before) {
      return null;
    }
    try {
      settings.eachRoute().accept(route);
      return route.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      fail(pointer, e.getMessage());
      return null;
    }
  }

  private void upstream(Route.Builder route, String pointer, @Nullable Object value) {
    try {
      if (value != null) {
        String text = text(value, pointer, UPSTREAM);
        if (text == null) {
          return;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
          route.upstream(text);
        } else {
          route.upstreamGroup(text);
        }
      } else if (settings.upstream() != null) {
        route.upstream(settings.upstream());
      } else if (settings.upstreamUri() != null) {
        route.upstream(settings.upstreamUri());
      } else if (settings.upstreamGroup() != null) {
        route.upstreamGroup(settings.upstreamGroup());
      } else {
        fail(pointer, "no upstream: set " + UPSTREAM + " in the document or a default upstream on the import");
      }
    } catch (IllegalArgumentException e) {
      fail(pointer, UPSTREAM + ": " + e.getMessage());
    }
  }

  private @Nullable RequestValidation validation(String pointer, PathTemplate template, PathItem item, Operation operation) {
    RequestValidation.Builder v = RequestValidation.builder();
    boolean any = false;
    Map<String, Parameter> parameters = new LinkedHashMap<>();
    List<Parameter> declared = new ArrayList<>();
    if (item.getParameters() != null) {
      declared.addAll(item.getParameters());
    }
    if (operation.getParameters() != null) {
      declared.addAll(operation.getParameters());   // an operation's parameter overrides the path's
    }
    for (int i = 0; i < declared.size(); i++) {
      Parameter p = parameter(declared.get(i), pointer);
      if (p != null && p.getName() != null && p.getIn() != null) {
        parameters.put(p.getIn() + " " + (p.getIn().equals("header") ? p.getName().toLowerCase(Locale.ROOT) : p.getName()), p);
      }
    }
    for (Parameter p : parameters.values()) {
      String at = pointer + "/parameters/" + SchemaBundle.escape(p.getName());
      ParameterRule rule = rule(p, template, at);
      if (rule != null) {
        v.parameter(rule);
        any = true;
      }
    }
    RequestBody body = requestBody(operation.getRequestBody(), pointer);
    if (body != null) {
      if (Boolean.TRUE.equals(body.getRequired())) {
        v.requireBody();
        any = true;
      }
      any |= body(v, body, pointer + "/requestBody");
    }
    if (!any) {
      return null;
    }
    try {
      return v.build();
    } catch (IllegalArgumentException e) {
      fail(pointer, e.getMessage());
      return null;
    }
  }

  private @Nullable ParameterRule rule(Parameter p, PathTemplate template, String at) {
    ParameterRule.Location location;
    switch (p.getIn()) {
      case "path" -> location = ParameterRule.Location.PATH;
      case "query" -> location = ParameterRule.Location.QUERY;
      case "header" -> location = ParameterRule.Location.HEADER;
      default -> {
        return null;                                  // cookie: not checked
      }
    }
    if (location == ParameterRule.Location.HEADER && IGNORED_HEADERS.contains(p.getName().toLowerCase(Locale.ROOT))) {
      return null;
    }
    ParameterRule.Builder rule = ParameterRule.builder(location, p.getName());
    if (location == ParameterRule.Location.PATH) {
      String variable = template.variables().get(p.getName());
      if (variable == null) {
        return null;                                  // not in this path's template: nothing to check
      }
      if (!variable.equals(p.getName())) {
        rule.variable(variable);
      }
    }
    if (Boolean.TRUE.equals(p.getRequired())) {
      rule.required();
    }
    Parameter.StyleEnum style = p.getStyle();
    boolean plainStyle = style == null || style == Parameter.StyleEnum.FORM || style == Parameter.StyleEnum.SIMPLE;
    if (p.getSchema() != null && plainStyle) {
      try {
        rule.schema(JsonSchema.of(schemas.json(p.getSchema())));
      } catch (SchemaBundle.Unresolved e) {
        fail(at + "/schema", e.getMessage());
        return null;
      }
      if (location == ParameterRule.Location.QUERY) {
        rule.explode(p.getExplode() == null || p.getExplode());
      }
    }
    try {
      return rule.build();
    } catch (IllegalArgumentException e) {
      fail(at, e.getMessage());
      return null;
    }
  }

  private boolean body(RequestValidation.Builder v, RequestBody body, String at) {
    Map<String, MediaType> content = body.getContent();
    if (content == null || content.isEmpty()) {
      return false;
    }
    List<String> ranges = new ArrayList<>();
    boolean allJson = true;
    boolean expressible = true;
    Schema<?> jsonSchema = null;
    String jsonKey = null;
    for (Map.Entry<String, MediaType> entry : content.entrySet()) {
      String key = entry.getKey();
      int semicolon = key.indexOf(';');
      String range = (semicolon < 0 ? key : key.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
      if (range.startsWith("*")) {
        expressible = false;                         // */*: any body
      }
      ranges.add(range);
      boolean json = range.equals("application/json") || range.endsWith("+json");
      allJson &= json;
      if (json && jsonSchema == null && entry.getValue() != null && entry.getValue().getSchema() != null) {
        jsonSchema = entry.getValue().getSchema();
        jsonKey = key;
      }
    }
    if (!expressible) {
      return false;
    }
    v.contentTypes(ranges.toArray(String[]::new));
    if (allJson && jsonSchema != null) {
      try {
        v.jsonSchema(JsonSchema.of(schemas.json(jsonSchema)));
      } catch (SchemaBundle.Unresolved e) {
        fail(at + "/content/" + SchemaBundle.escape(jsonKey) + "/schema", e.getMessage());
      }
    }
    return true;
  }

  private @Nullable Parameter parameter(Parameter p, String pointer) {
    String ref = p.get$ref();
    if (ref == null) {
      return p;
    }
    String prefix = "#/components/parameters/";
    Parameter target = ref.startsWith(prefix) && components != null && components.getParameters() != null
        ? components.getParameters().get(ref.substring(prefix.length())) : null;
    if (target == null) {
      fail(pointer, "unresolved $ref '" + ref + "': there is no such component parameter");
    }
    return target;
  }

  private @Nullable RequestBody requestBody(@Nullable RequestBody body, String pointer) {
    if (body == null || body.get$ref() == null) {
      return body;
    }
    String ref = body.get$ref();
    String prefix = "#/components/requestBodies/";
    RequestBody target = ref.startsWith(prefix) && components != null && components.getRequestBodies() != null
        ? components.getRequestBodies().get(ref.substring(prefix.length())) : null;
    if (target == null) {
      fail(pointer + "/requestBody", "unresolved $ref '" + ref + "': there is no such component request body");
    }
    return target;
  }

  /** The {@code x-portico-*} entries of {@code extensions}, reporting unknown ones. */
  private Map<String, Object> extensions(@Nullable Map<String, Object> extensions, String pointer) {
    if (extensions == null || extensions.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> ours = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : extensions.entrySet()) {
      String key = e.getKey();
      if (!key.toLowerCase(Locale.ROOT).startsWith("x-portico-")) {
        continue;
      }
      if (!EXTENSIONS.contains(key)) {
        fail(pointer + "/" + SchemaBundle.escape(key), "unknown extension '" + key + "'" + Names.hint(key, EXTENSIONS));
      } else if (e.getValue() != null) {
        ours.put(key, e.getValue());
      }
    }
    return ours;
  }

  private @Nullable String text(Object value, String pointer, String key) {
    if (value instanceof String s && !s.isBlank()) {
      return s;
    }
    fail(pointer, key + ": expected a non-empty string, found " + describe(value));
    return null;
  }

  private List<String> texts(Object value, String pointer, String key) {
    if (value instanceof String s && !s.isBlank()) {
      return List.of(s);
    }
    if (value instanceof List<?> list) {
      List<String> out = new ArrayList<>();
      for (Object item : list) {
        String s = text(item, pointer, key);
        if (s != null) {
          out.add(s);
        }
      }
      return out;
    }
    if (value instanceof ArrayNode array) {
      List<String> out = new ArrayList<>();
      array.forEach(n -> {
        if (n.isTextual() && !n.asText().isBlank()) {
          out.add(n.asText());
        } else {
          fail(pointer, key + ": expected strings, found " + n);
        }
      });
      return out;
    }
    fail(pointer, key + ": expected a string or a list of strings, found " + describe(value));
    return List.of();
  }

  private static String describe(Object value) {
    return value instanceof String s ? "'" + s + "'" : value.getClass().getSimpleName() + " " + value;
  }

  private void fail(String pointer, String message) {
    problems.add(new OpenApiException.Problem(pointer, message));
  }

  /** The path of {@code servers[0].url}, its variables at their defaults; "" for none or "/". */
  private String serverPrefix(@Nullable List<Server> servers) {
    if (servers == null || servers.isEmpty() || servers.get(0).getUrl() == null) {
      return "";
    }
    Server server = servers.get(0);
    String url = server.getUrl();
    if (server.getVariables() != null) {
      for (Map.Entry<String, ServerVariable> var : server.getVariables().entrySet()) {
        String value = var.getValue() == null || var.getValue().getDefault() == null ? "" : var.getValue().getDefault();
        url = url.replace("{" + var.getKey() + "}", value);
      }
    }
    String path;
    try {
      URI uri = URI.create(url);
      path = uri.getRawPath() == null ? "" : uri.getRawPath();
    } catch (IllegalArgumentException e) {
      fail("#/servers/0/url", "'" + server.getUrl() + "' is not a URL: " + e.getMessage());
      return "";
    }
    return trimSlash(path);
  }

  private static String trimSlash(String path) {
    String p = path;
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  /** {@code beta=true&x} as conditions: {@code beta} equal to {@code true}, {@code x} present (value ""). */
  private static Map<String, String> queryConditions(String query) {
    Map<String, String> conditions = new LinkedHashMap<>();
    for (String part : query.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      conditions.put(name, value);
    }
    return conditions;
  }

  /** {@code GET /pets/{petId}} gives {@code get_pets_petid}. */
  static String generatedId(String method, String path) {
    String raw = (method + "_" + path).toLowerCase(Locale.ROOT);
    StringBuilder sb = new StringBuilder(raw.length());
    boolean underscore = false;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
        sb.append(c);
        underscore = false;
      } else if (!underscore) {
        sb.append('_');
        underscore = true;
      }
    }
    String id = sb.toString();
    return id.endsWith("_") ? id.substring(0, id.length() - 1) : id;
  }
}
