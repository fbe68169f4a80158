package dev.portico.gateway.config;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.AccessLog;
import dev.portico.gateway.ErrorMapper;
import dev.portico.gateway.Filter;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.config.internal.GatewayModel;
import dev.portico.gateway.config.internal.Node;
import dev.portico.gateway.config.internal.NodeParser;
import dev.portico.gateway.config.internal.Problems;
import dev.portico.gateway.config.internal.References;
import dev.portico.gateway.config.internal.Registry;
import dev.portico.gateway.ratelimit.RateLimiter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a gateway from a YAML or JSON file: the same {@link Gateway} the Java builder makes, since
 * the reader only calls the builder. The keys are listed in the "Configuration files" page of the
 * site, and a JSON Schema for editors is published with it.
 *
 * <pre>{@code
 * Gateway gateway = GatewayConfig.load(Path.of("gateway.yaml"));
 *
 * // With the host's own filters, authenticators or limiters, which the file names:
 * Gateway gateway = GatewayConfig.builder()
 *     .filter("audit", auditFilter)
 *     .build()
 *     .read(Path.of("gateway.yaml"));
 * }</pre>
 *
 * <p>A file that cannot become a gateway throws {@link ConfigException} listing every problem
 * found, each with file, line, column and key path. An instance is immutable and may be shared;
 * each read makes new authenticators and limiters.
 */
public final class GatewayConfig {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final GatewayConfig DEFAULT = builder().build();

  private final Registry registry;
  private final Function<String, @Nullable String> environment;

  private GatewayConfig(Builder builder) {
    this.registry = new Registry(builder.filters, builder.authenticators, builder.limiters, builder.errorMappers,
        builder.accessLogs);
    this.environment = builder.environment;
  }

  /** Reads the gateway in {@code file}, with no registered objects and the process environment. */
  public static Gateway load(Path file) {
    return DEFAULT.read(file);
  }

  /**
   * Applies {@code file} to {@code running} now and again whenever it changes, with no registered
   * objects and the process environment; see {@link ConfigWatch}.
   *
   * @throws ConfigException when the file cannot become a gateway now
   * @throws IllegalStateException when the running gateway refuses it
   * @throws java.io.UncheckedIOException when the file or its directory cannot be watched
   */
  public static ConfigWatch watch(Path file, RunningGateway running) {
    return DEFAULT.follow(file, running);
  }

  /**
   * Applies {@code file} to {@code running} now, and again whenever it changes; see
   * {@link ConfigWatch}. Close the watch to stop.
   *
   * @throws ConfigException when the file cannot become a gateway now
   * @throws IllegalStateException when the running gateway refuses it
   * @throws java.io.UncheckedIOException when the file or its directory cannot be watched
   */
  public ConfigWatch follow(Path file, RunningGateway running) {
    return follow(file, running, GatewayObserver.none());
  }

  /**
   * Like {@link #follow(Path, RunningGateway)}, and tells {@code observer} of each reload, applied or
   * refused: give it the observer the gateway's adapter was given, so that its metrics count reloads
   * ({@code portico.config.reloads} for {@code MicrometerMetrics}).
   *
   * <pre>{@code
   * GatewayObserver metrics = MicrometerMetrics.create(registry);
   * JettyGatewayHandler handler = JettyGatewayHandler.builder(GatewayConfig.load(file)).observer(metrics).build();
   * ConfigWatch watch = GatewayConfig.builder().build().follow(file, handler, metrics);
   * AdminHandler admin = AdminHandler.builder(handler).configuration(watch::status).build();
   * }</pre>
   *
   * @throws ConfigException when the file cannot become a gateway now
   * @throws IllegalStateException when the running gateway refuses it
   * @throws java.io.UncheckedIOException when the file or its directory cannot be watched
   */
  public ConfigWatch follow(Path file, RunningGateway running, GatewayObserver observer) {
    requireNonNull(file, "file");
    requireNonNull(running, "running");
    requireNonNull(observer, "observer");
    try {
      return new ConfigWatch(this, file, running, observer, java.time.Clock.systemUTC());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot watch " + file, e);
    }
  }

  /** Returns a builder for a reader with the host's registered objects or another environment. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the gateway in {@code file}: JSON when its name ends in {@code .json}, YAML otherwise.
   * Relative {@code ${file:...}} paths and key store paths are resolved against the file's directory.
   *
   * @throws ConfigException listing every problem, each with its line, column and key path
   */
  public Gateway read(Path file) {
    requireNonNull(file, "file");
    String source = file.toString();
    String text;
    try {
      byte[] bytes = Files.readAllBytes(file);
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(java.util.List.of(new ConfigException.Problem(source, 0, 0, "",
          "cannot read the file (" + References.describe(e) + ")")));
    }
    Path directory = file.toAbsolutePath().getParent();
    return read(new java.io.StringReader(text), source, directory == null ? Path.of("") : directory);
  }

  /**
   * Reads the gateway from {@code input}, naming it {@code source} in messages (JSON when the name
   * ends in {@code .json}, YAML otherwise); relative file paths are resolved against the working
   * directory. Does not close {@code input}.
   *
   * @throws ConfigException listing every problem
   */
  public Gateway read(Reader input, String source) {
    requireNonNull(input, "input");
    requireNonNull(source, "source");
    return read(input, source, Path.of("").toAbsolutePath());
  }

  /**
   * Reads the gateway in the class path resource {@code name} (found with this class's class loader).
   *
   * @throws ConfigException listing every problem, or saying there is no such resource
   */
  public Gateway readResource(String name) {
    requireNonNull(name, "name");
    InputStream in = GatewayConfig.class.getClassLoader().getResourceAsStream(name.startsWith("/") ? name.substring(1) : name);
    if (in == null) {
      throw new ConfigException(java.util.List.of(new ConfigException.Problem(name, 0, 0, "",
          "no such class path resource")));
    }
    try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      return read(reader, name);
    } catch (IOException e) {
      throw new ConfigException(java.util.List.of(new ConfigException.Problem(name, 0, 0, "",
          "cannot read the resource (" + References.describe(e) + ")")));
    }
  }

  private Gateway read(Reader input, String source, Path directory) {
    Problems problems = new Problems();
    Node root = new NodeParser(source, new References(environment, directory), problems).parse(input);
    if (root == null) {
      problems.throwIfAny();
    }
    return GatewayModel.read(root, problems, registry, directory);
  }

  /**
   * Builds a {@link GatewayConfig}: the objects a file may name, and where {@code ${env:...}}
   * values come from. Names are letters, digits, {@code .}, {@code _} and {@code -}, unique per kind.
   */
  public static final class Builder {
    private final Map<String, Filter> filters = new LinkedHashMap<>();
    private final Map<String, Authenticator> authenticators = new LinkedHashMap<>();
    private final Map<String, RateLimiter> limiters = new LinkedHashMap<>();
    private final Map<String, ErrorMapper> errorMappers = new LinkedHashMap<>();
    private final Map<String, AccessLog> accessLogs = new LinkedHashMap<>();
    private Function<String, @Nullable String> environment = System::getenv;

    private Builder() {}

    /** Registers a filter that {@code filters:} lists may name. */
    public Builder filter(String name, Filter filter) {
      return put(filters, name, requireNonNull(filter, "filter"), "filter");
    }

    /** Registers an authenticator that {@code authenticator:} keys may name. */
    public Builder authenticator(String name, Authenticator authenticator) {
      return put(authenticators, name, requireNonNull(authenticator, "authenticator"), "authenticator");
    }

    /** Registers a rate limiter that {@code rateLimiters:} lists may name. */
    public Builder rateLimiter(String name, RateLimiter limiter) {
      return put(limiters, name, requireNonNull(limiter, "limiter"), "limiter");
    }

    /** Registers an error mapper that {@code errorMapper:} keys may name. */
    public Builder errorMapper(String name, ErrorMapper mapper) {
      return put(errorMappers, name, requireNonNull(mapper, "mapper"), "error mapper");
    }

    /** Registers an access log that {@code accessLog: {registered: name}} may name. */
    public Builder accessLog(String name, AccessLog accessLog) {
      return put(accessLogs, name, requireNonNull(accessLog, "accessLog"), "access log");
    }

    /**
     * Takes {@code ${env:NAME}} values from {@code environment} (null for an unset variable)
     * instead of the process environment; for tests, {@code Map.of(...)::get}.
     */
    public Builder environment(Function<String, @Nullable String> environment) {
      this.environment = requireNonNull(environment, "environment");
      return this;
    }

    private <T> Builder put(Map<String, T> map, String name, T value, String kind) {
      requireNonNull(name, "name");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("name: '" + name + "' (expected: letters, digits, '.', '_' or '-')");
      }
      if (map.putIfAbsent(name, value) != null) {
        throw new IllegalArgumentException("name: " + kind + " '" + name + "' is registered twice");
      }
      return this;
    }

    /** Returns the immutable reader. */
    public GatewayConfig build() {
      return new GatewayConfig(this);
    }
  }
}
