package dev.portico.gateway.admin;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Explanation;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.Route;
import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.Upstream;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.routing.FieldCondition;
import dev.portico.gateway.routing.HostPattern;
import dev.portico.gateway.upstream.EndpointStatus;
import dev.portico.gateway.upstream.UpstreamGroup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A read-only view of a {@link RunningGateway} for operators, as JSON: mount it on an internal
 * connector (a port only the operators' network reaches), never on the public one.
 *
 * <pre>{@code
 * JettyGatewayHandler gateway = JettyGatewayHandler.builder(definition).observer(metrics).build();
 * AdminHandler admin = AdminHandler.builder(gateway)
 *     .metrics(prometheusRegistry::scrape)                 // optional: GET /metrics
 *     .build();
 * // one server, two connectors: the public one for the gateway, an internal one for the admin view
 * }</pre>
 *
 * <table>
 *   <caption>Resources (GET or HEAD; anything else is 405)</caption>
 *   <tr><td>{@code /routes}</td><td>every route: predicates (path, methods, hosts, header and query
 *       conditions), upstream, rewrite, timeouts, and the policies it runs, in order</td></tr>
 *   <tr><td>{@code /upstreams}</td><td>the upstreams and the routes that use them, with health and
 *       circuit state where the engine tracks them ({@code null} otherwise)</td></tr>
 *   <tr><td>{@code /limiters}</td><td>the rate limiters, gateway-wide and per route: name, store
 *       ({@code memory}, {@code redis} or {@code custom}) and, in memory, the keys tracked</td></tr>
 *   <tr><td>{@code /ready}</td><td>200 when the gateway is ready for traffic, else 503 (for a load
 *       balancer's or an orchestrator's readiness probe)</td></tr>
 *   <tr><td>{@code /explain?method=GET&uri=/api/orders/42}</td><td>what the gateway would do with
 *       that request ({@link RunningGateway#explain}); an optional {@code host} parameter sets the
 *       {@code Host} header</td></tr>
 *   <tr><td>{@code /metrics}</td><td>the metrics text given to {@link Builder#metrics(Supplier)}
 *       (Prometheus exposition format), 404 without</td></tr>
 * </table>
 *
 * <p>Errors are RFC 9457 problems ({@code application/problem+json}), like the gateway's own
 * refusals: 404 {@code no-route} for an unknown resource (and {@code /metrics} without metrics),
 * 405 {@code method-not-allowed} with {@code Allow: GET, HEAD}, 400 {@code bad-request} for an
 * {@code /explain} query that is missing a parameter or cannot be explained. {@code /ready}'s 503
 * is an answer, not an error: {@code {"ready":false}}.
 *
 * <p>Paths are relative to where the handler is mounted (its context path, if in a
 * {@code ContextHandler}). It changes nothing and never shows headers, credentials or secrets; it
 * does show the topology (routes, upstream addresses), which is why it belongs on an internal port.
 */
public final class AdminHandler extends Handler.Abstract.NonBlocking {
  private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
  private static final String JSON_TYPE = "application/json";
  private static final String PROBLEM_TYPE = "application/problem+json";
  private static final List<String> RESOURCES =
      List.of("/routes", "/upstreams", "/limiters", "/ready", "/explain?method=GET&uri=/path", "/metrics");

  private final RunningGateway gateway;
  private final @Nullable Supplier<String> metrics;
  private final String metricsContentType;

  private AdminHandler(Builder b) {
    this.gateway = b.gateway;
    this.metrics = b.metrics;
    this.metricsContentType = b.metricsContentType;
  }

  /** Returns an admin view of {@code gateway}, without metrics. */
  public static AdminHandler create(RunningGateway gateway) {
    return builder(gateway).build();
  }

  /** Returns a builder for an admin view of {@code gateway}. */
  public static Builder builder(RunningGateway gateway) {
    return new Builder(requireNonNull(gateway, "gateway"));
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    if (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      return problem(response, callback, ProblemType.METHOD_NOT_ALLOWED,
          "The admin view is read-only; allowed: GET, HEAD.");
    }
    return switch (path) {
      case "", "/" -> json(response, callback, 200, Map.of("resources", RESOURCES));
      case "/routes" -> json(response, callback, 200, Map.of("routes", routes(gateway.gateway())));
      case "/upstreams" -> json(response, callback, 200,
          Map.of("upstreams", upstreams(gateway.gateway(), gateway.upstreamStatus())));
      case "/limiters" -> json(response, callback, 200, limiters(gateway.gateway()));
      case "/ready" -> {
        boolean ready = gateway.isReady();
        yield json(response, callback, ready ? 200 : 503, Map.of("ready", ready));
      }
      case "/explain" -> explain(request, response, callback);
      case "/metrics" -> metrics(response, callback);
      default -> problem(response, callback, ProblemType.NO_ROUTE,
          "No admin resource at " + printable(path) + "; resources: " + String.join(", ", RESOURCES) + ".");
    };
  }

  private List<Map<String, Object>> routes(Gateway definition) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Route route : definition.routes()) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("id", route.id());
      r.put("path", route.path().pattern());
      r.put("methods", new TreeSet<>(route.methods()));
      r.put("hosts", route.hosts().stream().map(HostPattern::pattern).toList());
      r.put("headers", route.headers().stream().map(AdminHandler::condition).toList());
      r.put("queryParams", route.queryParams().stream().map(AdminHandler::condition).toList());
      r.put("upstream", route.upstream().map(Upstream::toString)
          .orElseGet(() -> "group:" + route.upstreamGroup().orElse("?")));
      r.put("rewrite", route.rewrite().toString());
      Map<String, Object> timeouts = new LinkedHashMap<>();
      timeouts.put("connectMs", route.timeouts().connect().toMillis());
      timeouts.put("responseMs", route.timeouts().response().toMillis());
      timeouts.put("idleMs", route.timeouts().idle().toMillis());
      timeouts.put("requestBodyMs", route.timeouts().requestBody().toMillis());
      r.put("timeouts", timeouts);
      r.put("authenticated", definition.authenticatorFor(route).isPresent());
      r.put("policies", gateway.policies(route.id()));
      if (!route.inheritedPolicies().isEmpty()) {
        r.put("inheritedPolicies", route.inheritedPolicies());
      }
      if (!route.methodPolicies().isEmpty()) {
        Map<String, Object> byMethod = new LinkedHashMap<>();
        route.methodPolicies().forEach((method, policies) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("sets", policies.declared());
          m.put("authenticated", definition.authenticatorFor(route.forMethod(method)).isPresent());
          byMethod.put(method, m);
        });
        r.put("methodPolicies", byMethod);
      }
      out.add(r);
    }
    return out;
  }

  private static String condition(FieldCondition condition) {
    return condition.value().map(v -> condition.name() + "=" + v).orElse(condition.name());
  }

  /**
   * One entry per upstream: each named group with its endpoints, and each route's inline upstream,
   * with the live state the running gateway reports ({@code healthy}, {@code ejected},
   * {@code circuit}).
   */
  private static List<Map<String, Object>> upstreams(Gateway definition,
      List<EndpointStatus> status) {
    Map<String, EndpointStatus> live = new LinkedHashMap<>();
    for (EndpointStatus s : status) {
      live.put(s.group() + " " + s.endpoint(), s);
    }
    Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
    for (UpstreamGroup group : definition.upstreamGroups()) {
      Map<String, Object> g = new LinkedHashMap<>();
      g.put("group", group.name());
      String[] circuit = {group.circuitBreaker().isPresent() ? null : "none"};
      g.put("endpoints", group.endpoints().stream().map(e -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uri", e.uri().toString());
        m.put("weight", e.weight());
        EndpointStatus s = live.get(group.name() + " " + e.address());
        m.put("healthy", s == null ? null : s.healthy());
        m.put("ejected", s == null ? null : s.ejected());
        if (s != null) {
          circuit[0] = s.circuit();
        }
        return m;
      }).toList());
      g.put("tls", group.tls().isPresent());
      g.put("healthCheck", group.healthCheck().isPresent());
      g.put("circuit", circuit[0]);
      g.put("routes", new ArrayList<String>());
      byName.put("group:" + group.name(), g);
    }
    for (Route route : definition.routes()) {
      String key = route.upstreamGroup().map(name -> "group:" + name)
          .orElseGet(() -> route.upstream().map(Upstream::toString).orElse("?"));
      Map<String, Object> u = byName.computeIfAbsent(key, uri -> {
        Upstream upstream = route.upstream().orElseThrow();
        EndpointStatus s = status.stream()
            .filter(e -> e.group().equals("route:" + route.id())).findFirst().orElse(null);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uri", uri);
        m.put("endpoint", upstream.host() + ":" + upstream.port());
        m.put("tls", upstream.tls().isPresent());
        m.put("healthy", s == null ? null : s.healthy());
        m.put("circuit", s == null ? null : s.circuit());
        m.put("routes", new ArrayList<String>());
        return m;
      });
      @SuppressWarnings("unchecked")
      List<String> routes = (List<String>) u.get("routes");
      routes.add(route.id());
    }
    return new ArrayList<>(byName.values());
  }

  private static Map<String, Object> limiters(Gateway definition) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("gateway", definition.rateLimiters().stream().map(AdminHandler::limiter).toList());
    Map<String, Object> byRoute = new LinkedHashMap<>();
    for (Route route : definition.routes()) {
      if (!route.rateLimiters().isEmpty()) {
        byRoute.put(route.id(), route.rateLimiters().stream().map(AdminHandler::limiter).toList());
      }
      // A method whose block sets its own limiters: under "id METHOD".
      route.methodPolicies().forEach((method, policies) -> {
        if (policies.declared().contains("rateLimiter") && !route.forMethod(method).rateLimiters().isEmpty()) {
          byRoute.put(route.id() + " " + method,
              route.forMethod(method).rateLimiters().stream().map(AdminHandler::limiter).toList());
        }
      });
    }
    out.put("routes", byRoute);
    return out;
  }

  private static Map<String, Object> limiter(RateLimiter limiter) {
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("name", limiter.name());
    if (limiter instanceof Bucket4jRateLimiter memory) {
      l.put("store", "memory");
      l.put("keys", memory.size());
    } else if (limiter.getClass().getName().equals("dev.portico.gateway.ratelimit.redis.RedisRateLimiter")) {
      // By name: referring to the class would load Lettuce, an optional dependency.
      l.put("store", "redis");
    } else {
      l.put("store", "custom");
    }
    return l;
  }

  private boolean explain(Request request, Response response, Callback callback) {
    Fields query = Request.extractQueryParameters(request);
    String method = query.getValue("method");
    String uri = query.getValue("uri");
    if (method == null || uri == null) {
      return problem(response, callback, ProblemType.BAD_REQUEST,
          "Missing " + (method == null ? "method" : "uri") + " (expected: /explain?method=GET&uri=/some/path).");
    }
    String host = query.getValue("host");
    Explanation e;
    try {
      // A bad Host value (a control character) or absolute URI is the caller's error, not the view's.
      e = gateway.explain(method, uri, host == null ? HttpHeaders.empty() : HttpHeaders.builder().add("Host", host).build());
    } catch (IllegalArgumentException bad) {
      return problem(response, callback, ProblemType.BAD_REQUEST, "Cannot explain this request: "
          + printable(String.valueOf(bad.getMessage())));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("verdict", e.verdict().name());
    out.put("method", e.method());
    out.put("path", e.path());
    out.put("refusal", e.refusal().orElse(null));
    out.put("route", e.routeId().orElse(null));
    out.put("pathVariables", e.pathVariables());
    out.put("upstreamUri", e.upstreamUri().orElse(null));
    out.put("policies", e.policies());
    out.put("allowedMethods", new TreeSet<>(e.allowedMethods()));
    return json(response, callback, 200, out);
  }

  private boolean metrics(Response response, Callback callback) {
    Supplier<String> scrape = metrics;
    if (scrape == null) {
      return problem(response, callback, ProblemType.NO_ROUTE, "No metrics registry was given to the admin view.");
    }
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, metricsContentType);
    Content.Sink.write(response, true, scrape.get(), callback);
    return true;
  }

  private static boolean json(Response response, Callback callback, int status, Object body) {
    return write(response, callback, status, JSON_TYPE, body);
  }

  /** Answers an RFC 9457 problem, as the gateway answers its own refusals (without a request id: the admin view has none). */
  private static boolean problem(Response response, Callback callback, ProblemType type, String detail) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", type.type().toString());
    body.put("title", type.title());
    body.put("status", type.status());
    body.put("detail", detail);
    return write(response, callback, type.status(), PROBLEM_TYPE, body);
  }

  private static boolean write(Response response, Callback callback, int status, String contentType, Object body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    byte[] bytes = (JSON.writeValueAsString(body) + "\n").getBytes(StandardCharsets.UTF_8);
    response.write(true, java.nio.ByteBuffer.wrap(bytes), callback);
    return true;
  }

  /** A client-sent value for a problem's detail: quoted, cut to 100 characters, controls and non-ASCII as {@code ?}. */
  private static String printable(String value) {
    StringBuilder sb = new StringBuilder(Math.min(value.length(), 100) + 2).append('\'');
    for (int i = 0; i < value.length() && i < 100; i++) {
      char c = value.charAt(i);
      sb.append(c < 0x20 || c > 0x7e ? '?' : c);
    }
    return sb.append('\'').toString();
  }

  /** Builds an {@link AdminHandler}. */
  public static final class Builder {
    private final RunningGateway gateway;
    private @Nullable Supplier<String> metrics;
    private String metricsContentType = "text/plain; version=0.0.4; charset=utf-8";

    Builder(RunningGateway gateway) {
      this.gateway = gateway;
    }

    /**
     * Serves {@code scrape}'s text at {@code /metrics}, such as {@code prometheusRegistry::scrape}
     * (Prometheus text format 0.0.4).
     */
    public Builder metrics(Supplier<String> scrape) {
      this.metrics = requireNonNull(scrape, "scrape");
      return this;
    }

    /** Serves {@code scrape}'s text at {@code /metrics} with {@code contentType}. */
    public Builder metrics(Supplier<String> scrape, String contentType) {
      this.metrics = requireNonNull(scrape, "scrape");
      this.metricsContentType = requireNonNull(contentType, "contentType");
      return this;
    }

    /** Returns the handler. */
    public AdminHandler build() {
      return new AdminHandler(this);
    }
  }
}
