package dev.portico.gateway.admin;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.ProblemType;
import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.observe.ConfigurationStatus;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * A read-only view of a {@link RunningGateway} for operators, as JSON ({@link AdminView}'s
 * documents): mount it on an internal
 * connector (a port only the operators' network reaches), never on the public one.
 *
 * <pre>{@code
 * JettyGatewayHandler gateway = JettyGatewayHandler.builder(definition).observer(metrics).build();
 * AdminHandler admin = AdminHandler.builder(gateway)
 *     .metrics(prometheusRegistry::scrape)                 // optional: GET /metrics
 *     .configuration(configWatch::status)                  // optional: GET /configuration
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
 *   <tr><td>{@code /configuration}</td><td>the configuration's source, version (SHA-256 and when it
 *       was applied), reloads, refused reloads and the last refusal's message, as given to
 *       {@link Builder#configuration(Supplier)}; 404 without</td></tr>
 * </table>
 *
 * <p>Errors are RFC 9457 problems ({@code application/problem+json}), like the gateway's own
 * refusals: 404 {@code no-route} for an unknown resource (and {@code /metrics} without metrics,
 * {@code /configuration} without a source), 405 {@code method-not-allowed} with
 * {@code Allow: GET, HEAD}, 400 {@code bad-request} for an {@code /explain} query that is missing a parameter or cannot be explained. {@code /ready}'s 503
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
  private static final List<String> RESOURCES = List.of("/routes", "/upstreams", "/limiters", "/ready",
      "/explain?method=GET&uri=/path", "/metrics", "/configuration");

  private final RunningGateway gateway;
  private final AdminView view;
  private final @Nullable Supplier<String> metrics;
  private final String metricsContentType;
  private final @Nullable Supplier<ConfigurationStatus> configuration;

  private AdminHandler(Builder b) {
    this.gateway = b.gateway;
    this.view = AdminView.of(b.gateway);
    this.metrics = b.metrics;
    this.metricsContentType = b.metricsContentType;
    this.configuration = b.configuration;
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
      case "/routes" -> json(response, callback, 200, Map.of("routes", view.routes()));
      case "/upstreams" -> json(response, callback, 200, Map.of("upstreams", view.upstreams()));
      case "/limiters" -> json(response, callback, 200, view.limiters());
      case "/ready" -> {
        boolean ready = gateway.isReady();
        yield json(response, callback, ready ? 200 : 503, Map.of("ready", ready));
      }
      case "/explain" -> explain(request, response, callback);
      case "/metrics" -> metrics(response, callback);
      case "/configuration" -> configuration(response, callback);
      default -> problem(response, callback, ProblemType.NO_ROUTE,
          "No admin resource at " + printable(path) + "; resources: " + String.join(", ", RESOURCES) + ".");
    };
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
    Map<String, Object> out;
    try {
      // A bad Host value (a control character) or absolute URI is the caller's error, not the view's.
      out = view.explain(method, uri, host);
    } catch (IllegalArgumentException bad) {
      return problem(response, callback, ProblemType.BAD_REQUEST, "Cannot explain this request: "
          + printable(String.valueOf(bad.getMessage())));
    }
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

  private boolean configuration(Response response, Callback callback) {
    Supplier<ConfigurationStatus> source = configuration;
    if (source == null) {
      return problem(response, callback, ProblemType.NO_ROUTE,
          "No configuration source was given to the admin view (the gateway was built in code).");
    }
    ConfigurationStatus status = source.get();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("source", status.source());
    out.put("sha256", status.sha256());
    out.put("appliedAt", status.appliedAt().toString());
    out.put("reloads", status.reloads());
    out.put("failures", status.failures());
    out.put("lastError", status.lastError().orElse(null));
    return json(response, callback, 200, Map.of("configuration", out));
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
    private @Nullable Supplier<ConfigurationStatus> configuration;

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

    /**
     * Serves what {@code status} returns at {@code /configuration}: where the configuration comes
     * from, its version and how its reloads went, such as {@code configWatch::status} for a file
     * that gateway-config follows. Called on each request to that resource; must not block.
     */
    public Builder configuration(Supplier<ConfigurationStatus> status) {
      this.configuration = requireNonNull(status, "status");
      return this;
    }

    /** Returns the handler. */
    public AdminHandler build() {
      return new AdminHandler(this);
    }
  }
}
