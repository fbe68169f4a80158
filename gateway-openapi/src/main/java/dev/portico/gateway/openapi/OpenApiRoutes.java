package dev.portico.gateway.openapi;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Route;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.openapi.internal.DocumentSource;
import dev.portico.gateway.openapi.internal.OperationMapper;
import dev.portico.gateway.openapi.internal.Settings;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.Upstream;
import java.net.URL;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The routes of an OpenAPI 3.0 or 3.1 document: one {@link Route} per operation, with the
 * operation's path and method as predicates, its {@code operationId} as route id, and a
 * {@link dev.portico.gateway.validation.RequestValidation} made from its parameters and request
 * body. The document is read once, by {@link Builder#build()}; the result is immutable and adds
 * the same routes to any number of gateways.
 *
 * <pre>{@code
 * OpenApiRoutes petstore = OpenApiRoutes.from(Path.of("petstore.yaml"))
 *     .upstream("http://pets.internal:8080")
 *     .authenticator("jwt", jwt)                 // named by x-portico-authenticator: jwt
 *     .build();
 *
 * Gateway.Builder builder = Gateway.builder()
 *     .route("health", r -> r.path("/health").upstream("http://health.internal"));
 * petstore.addTo(builder);                       // or petstore.routes(), or petstore.customizer()
 * Gateway gateway = builder.build();
 * }</pre>
 *
 * <p>What the document decides, per operation:
 * <ul>
 *   <li>the path: the path of {@code servers[0].url} (its variables at their defaults), unless
 *       {@link Builder#pathPrefix(String)} says otherwise, then the path template:
 *       {@code /pets/{petId}} matches one segment for {@code petId};
 *   <li>the route id: the {@code operationId}, or else the method and path in lower case with
 *       every run of other characters as {@code _} ({@code get_pets_petid}), after
 *       {@link Builder#idPrefix(String)};
 *   <li>validation, unless {@link Builder#validateRequests(boolean)} turns it off: path, query
 *       and header parameters (presence, and their schema: type, format, enum, pattern, bounds,
 *       lengths, arrays); a required body; the body's media types; a JSON body's schema, when every
 *       media type of the body is JSON. Cookie parameters, {@code content} parameters and styles
 *       other than {@code form}/{@code simple} are only checked for presence;
 *   <li>the {@code x-portico-*} extensions, on the document, a path or an operation (the most
 *       specific wins): {@code x-portico-upstream} (an {@code http(s)} URI, or else the name of an
 *       upstream group the gateway defines), {@code x-portico-authenticator} (the name of an
 *       authenticator given to {@link Builder#authenticator}), {@code x-portico-rate-limit} (a
 *       name or list of names of limiters given to {@link Builder#rateLimiter}) and
 *       {@code x-portico-scopes} (scopes the identity must all have). Any other
 *       {@code x-portico-} key is an error. OpenAPI's {@code security} is documentation only:
 *       authentication comes from {@code x-portico-authenticator} or the gateway's default.
 * </ul>
 */
public final class OpenApiRoutes {
  private final String document;
  private final List<Route> routes;

  private OpenApiRoutes(String document, List<Route> routes) {
    this.document = document;
    this.routes = List.copyOf(routes);
  }

  /** Returns a builder for the document in {@code file} (YAML or JSON; relative {@code $ref}s resolve against it). */
  public static Builder from(Path file) {
    requireNonNull(file, "file");
    return new Builder(DocumentSource.file(file));
  }

  /** Returns a builder for the document at {@code url}; read once, by {@link Builder#build()}. */
  public static Builder from(URL url) {
    requireNonNull(url, "url");
    return new Builder(DocumentSource.url(url));
  }

  /**
   * Returns a builder for the document whose YAML or JSON text is {@code text}, named {@code name}
   * in messages; it may only {@code $ref} itself.
   */
  public static Builder parse(String text, String name) {
    requireNonNull(text, "text");
    requireNonNull(name, "name");
    return new Builder(DocumentSource.text(text, name));
  }

  /** Returns the document's name in messages: its path, URL or given name. */
  public String document() {
    return document;
  }

  /** Returns the routes, one per operation, in document order. */
  public List<Route> routes() {
    return routes;
  }

  /** Returns the route with id {@code id}. */
  public Optional<Route> route(String id) {
    return routes.stream().filter(r -> r.id().equals(id)).findFirst();
  }

  /** Adds every route to {@code gateway}. */
  public void addTo(Gateway.Builder gateway) {
    requireNonNull(gateway, "gateway");
    routes.forEach(gateway::route);
  }

  /** Returns {@link #addTo} as a customizer of a gateway builder. */
  public Consumer<Gateway.Builder> customizer() {
    return this::addTo;
  }

  @Override
  public String toString() {
    return "OpenApiRoutes{" + document + ", routes=" + routes.stream().map(Route::id).toList() + "}";
  }

  /** Builds {@link OpenApiRoutes}; {@link #build()} reads the document. */
  public static final class Builder {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final DocumentSource source;
    private @Nullable Upstream upstream;
    private @Nullable String upstreamUri;
    private @Nullable String upstreamGroup;
    private @Nullable String pathPrefix;
    private String idPrefix = "";
    private boolean validate = true;
    private final Map<String, Authenticator> authenticators = new LinkedHashMap<>();
    private final Map<String, RateLimiter> limiters = new LinkedHashMap<>();
    private Consumer<Route.Builder> eachRoute = r -> { };

    private Builder(DocumentSource source) {
      this.source = source;
    }

    /** Sends operations without {@code x-portico-upstream} to {@code uri}, an {@code http(s)} URI. */
    public Builder upstream(String uri) {
      this.upstreamUri = requireNonNull(uri, "uri");
      this.upstream = null;
      this.upstreamGroup = null;
      return this;
    }

    /** Sends operations without {@code x-portico-upstream} to {@code upstream}. */
    public Builder upstream(Upstream upstream) {
      this.upstream = requireNonNull(upstream, "upstream");
      this.upstreamUri = null;
      this.upstreamGroup = null;
      return this;
    }

    /** Sends operations without {@code x-portico-upstream} to the gateway's upstream group {@code name}. */
    public Builder upstreamGroup(String name) {
      this.upstreamGroup = requireNonNull(name, "name");
      this.upstream = null;
      this.upstreamUri = null;
      return this;
    }

    /**
     * Puts {@code prefix} before every path template instead of the path of {@code servers[0].url}:
     * {@code ""} for none, else a path starting with {@code /}.
     */
    public Builder pathPrefix(String prefix) {
      this.pathPrefix = requireNonNull(prefix, "prefix");
      return this;
    }

    /** Puts {@code prefix} before every route id ({@code "petstore."}); none by default. */
    public Builder idPrefix(String prefix) {
      this.idPrefix = requireNonNull(prefix, "prefix");
      return this;
    }

    /** Whether routes validate requests against the document (true by default). */
    public Builder validateRequests(boolean validate) {
      this.validate = validate;
      return this;
    }

    /** Registers an authenticator that {@code x-portico-authenticator} may name. */
    public Builder authenticator(String name, Authenticator authenticator) {
      put(authenticators, name, requireNonNull(authenticator, "authenticator"), "authenticator");
      return this;
    }

    /** Registers a rate limiter that {@code x-portico-rate-limit} may name. */
    public Builder rateLimiter(String name, RateLimiter limiter) {
      put(limiters, name, requireNonNull(limiter, "limiter"), "rate limiter");
      return this;
    }

    /**
     * Applies {@code spec} to every route's builder after the document's settings, to add what the
     * document does not say (timeouts, header rules, a rewrite).
     */
    public Builder eachRoute(Consumer<Route.Builder> spec) {
      this.eachRoute = requireNonNull(spec, "spec");
      return this;
    }

    private static <T> void put(Map<String, T> map, String name, T value, String kind) {
      requireNonNull(name, "name");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("name: '" + name + "' (expected: letters, digits, '.', '_' or '-')");
      }
      if (map.putIfAbsent(name, value) != null) {
        throw new IllegalArgumentException("name: " + kind + " '" + name + "' is registered twice");
      }
    }

    /**
     * Reads the document and makes its routes.
     *
     * @throws OpenApiException listing what in the document cannot become routes
     * @throws IllegalArgumentException when the path prefix does not start with {@code /}
     */
    public OpenApiRoutes build() {
      if (pathPrefix != null && !pathPrefix.isEmpty() && !pathPrefix.startsWith("/")) {
        throw new IllegalArgumentException("pathPrefix: '" + pathPrefix + "' (expected: empty, or starting with '/')");
      }
      Settings settings = new Settings(upstream, upstreamUri, upstreamGroup, pathPrefix, idPrefix, validate,
          Map.copyOf(authenticators), Map.copyOf(limiters), eachRoute);
      return new OpenApiRoutes(source.name(), OperationMapper.routes(source, settings));
    }
  }
}
