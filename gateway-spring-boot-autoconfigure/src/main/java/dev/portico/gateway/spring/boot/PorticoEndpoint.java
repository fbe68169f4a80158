package dev.portico.gateway.spring.boot;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.admin.AdminView;
import dev.portico.gateway.config.ConfigException;
import dev.portico.gateway.config.ConfigWatch;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The actuator endpoint {@code portico}: a read-only view of the running gateway for operators,
 * the same documents as the standalone admin view ({@link AdminView}). Expose it like any endpoint
 * ({@code management.endpoints.web.exposure.include=health,portico}), preferably on a management
 * port only operators reach ({@code management.server.port}): it shows the topology.
 *
 * <table>
 *   <caption>Operations (read-only)</caption>
 *   <tr><td>{@code GET /actuator/portico}</td><td>everything below but {@code explain}, and
 *       {@code ready}</td></tr>
 *   <tr><td>{@code GET /actuator/portico/routes}</td><td>every route: predicates, upstream,
 *       rewrite, timeouts, and the policies it runs, in order</td></tr>
 *   <tr><td>{@code GET /actuator/portico/upstreams}</td><td>upstream groups and inline upstreams
 *       with their endpoints' live health, ejection and circuit state</td></tr>
 *   <tr><td>{@code GET /actuator/portico/limiters}</td><td>rate limiters by route, with their
 *       store</td></tr>
 *   <tr><td>{@code GET /actuator/portico/config}</td><td>the configuration file the gateway runs,
 *       when it was started from one: its SHA-256, when it was applied, reloads, failed reloads and
 *       where the last failure was; 404 without a file</td></tr>
 *   <tr><td>{@code GET /actuator/portico/explain?method=GET&uri=/api/orders/42}</td><td>what the
 *       gateway would do with that request; an optional {@code host} sets the {@code Host}
 *       header. 400 without {@code method} or {@code uri}, or for a request that cannot be
 *       explained</td></tr>
 * </table>
 *
 * <p>It never shows headers, credentials, keys or secrets: an authenticated route says
 * {@code "authenticated": true}, a limiter its name and store. A failed reload is shown by its
 * positions in the file ({@code gateway.yaml:14:7 routes[2].upstream}), not by its message, which
 * may quote a value of the file; the log has the whole message.
 */
@Endpoint(id = "portico")
public final class PorticoEndpoint {
  private final Supplier<RunningGateway> gateway;
  private final Supplier<@Nullable ConfigWatch> watch;

  /**
   * Creates the endpoint over the running gateway and, when the gateway was started from a file,
   * its watch; both are looked up on each call.
   */
  public PorticoEndpoint(Supplier<RunningGateway> gateway, Supplier<@Nullable ConfigWatch> watch) {
    this.gateway = requireNonNull(gateway, "gateway");
    this.watch = requireNonNull(watch, "watch");
  }

  /** Returns the routes, upstreams, limiters, readiness and, with a file, the configuration version. */
  @ReadOperation
  public Map<String, Object> portico() {
    RunningGateway running = gateway.get();
    AdminView view = AdminView.of(running);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ready", running.isReady());
    out.put("routes", view.routes());
    out.put("upstreams", view.upstreams());
    out.put("limiters", view.limiters());
    ConfigWatch file = watch.get();
    if (file != null) {
      out.put("config", config(file));
    }
    return out;
  }

  /**
   * Returns one part: {@code routes}, {@code upstreams}, {@code limiters}, {@code config} or
   * {@code explain} (with {@code method}, {@code uri} and optionally {@code host}); null, which the
   * web endpoint answers 404, for any other part and for {@code config} without a file.
   */
  @ReadOperation
  public @Nullable Object part(@Selector String part, @Nullable String method,
      @Nullable String uri, @Nullable String host) {
    RunningGateway running = gateway.get();
    AdminView view = AdminView.of(running);
    return switch (part) {
      case "routes" -> Map.of("routes", view.routes());
      case "upstreams" -> Map.of("upstreams", view.upstreams());
      case "limiters" -> view.limiters();
      case "config" -> {
        ConfigWatch file = watch.get();
        yield file == null ? null : config(file);
      }
      case "explain" -> explain(view, method, uri, host);
      default -> null;
    };
  }

  private static Map<String, Object> explain(AdminView view, @Nullable String method, @Nullable String uri,
      @Nullable String host) {
    if (method == null || uri == null) {
      throw new InvalidEndpointRequestException("Missing " + (method == null ? "method" : "uri"),
          "Missing " + (method == null ? "method" : "uri") + " (expected: explain?method=GET&uri=/some/path)");
    }
    try {
      return view.explain(method, uri, host);
    } catch (IllegalArgumentException bad) {
      // A bad Host value or absolute URI is the caller's error; its text is not echoed.
      throw new InvalidEndpointRequestException("Cannot explain this request", "Cannot explain this request");
    }
  }

  private static Map<String, Object> config(ConfigWatch watch) {
    ConfigWatch.Version version = watch.version();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("file", watch.file().toString());
    out.put("sha256", version.sha256());
    out.put("appliedAt", version.appliedAt().toString());
    out.put("reloads", watch.reloads());
    out.put("failures", watch.failures());
    out.put("lastError", watch.lastError().map(PorticoEndpoint::where).orElse(null));
    return out;
  }

  /** Where a reload failed, without the message (which may quote a value of the file). */
  private static Map<String, Object> where(RuntimeException error) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("type", error.getClass().getSimpleName());
    if (error instanceof ConfigException config) {
      out.put("problems", config.problems().stream()
          .map(p -> p.source() + ":" + p.line() + ":" + p.column() + " " + p.path())
          .toList());
    }
    return out;
  }
}
