package dev.portico.gateway.servlet;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Explanation;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.internal.GatewayRuntime;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.upstream.EndpointStatus;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Mounts a {@link Gateway} in a Servlet 6 container as a filter in front of the application's own
 * servlets: the gateway takes what its routes match, and passes every other request down the
 * filter chain, untouched (body unread, response unwritten), so the application keeps its own
 * endpoints. Map it to {@code /*} for the {@code REQUEST} and {@code ASYNC} dispatcher types, with
 * asynchronous support on, ahead of the application's filters.
 *
 * <p>Jetty 12 (ee10):
 * <pre>{@code
 * ServletContextHandler context = new ServletContextHandler("/");
 * FilterHolder holder = new FilterHolder(new GatewayFilter(gateway));
 * holder.setAsyncSupported(true);
 * context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
 * context.addServlet(new ServletHolder(appServlet), "/");   // the application's own endpoints
 * }</pre>
 *
 * <p>Tomcat 11:
 * <pre>{@code
 * FilterDef def = new FilterDef();
 * def.setFilterName("gateway");
 * def.setFilter(new GatewayFilter(gateway));
 * def.setAsyncSupported("true");
 * context.addFilterDef(def);
 * FilterMap map = new FilterMap();
 * map.setFilterName("gateway");
 * map.addURLPattern("/*");
 * map.setDispatcher("REQUEST");
 * map.setDispatcher("ASYNC");
 * context.addFilterMapFirst(map);
 * }</pre>
 *
 * <p>Any other container: {@code ServletContext.addFilter("gateway", new GatewayFilter(gateway))}
 * and, on the returned registration, {@code setAsyncSupported(true)} and
 * {@code addMappingForUrlPatterns(EnumSet.of(REQUEST, ASYNC), false, "/*")}.
 *
 * <p>Routes match the request path below the context path, as for {@link GatewayServlet}. What the
 * gateway answers before it looks for a route is answered by the filter whether a route matches or
 * not, exactly as the Jetty core handler does: a target that cannot be normalized safely (400
 * {@code bad-path}), a message it could read as one thing and forward as another (400, see the
 * security page), a CORS preflight for a route; and a path that a route matches with another
 * method gets 405 {@code method-not-allowed}. Only a request that matches no route at all reaches
 * the application. Requests of other dispatches ({@code FORWARD}, {@code INCLUDE}, {@code ERROR},
 * and {@code ASYNC} dispatches the application makes) pass down the chain.
 *
 * <p>A request the gateway takes behaves exactly as under {@link GatewayServlet}: it goes
 * asynchronous without blocking a container thread, bodies stream both ways with back-pressure,
 * refusals are {@code application/problem+json}, and WebSocket upgrades on {@code websocket()}
 * routes are proxied when the container offers Jakarta WebSocket in the context (the switch happens
 * in an {@code ASYNC} dispatch through this filter, hence its {@code ASYNC} mapping). Asynchronous
 * mode needs every filter in front of this one to support it too; in Tomcat the application's
 * servlet need not.
 *
 * <p>The upstream clients start in {@link #init(FilterConfig)} and stop in {@link #destroy()},
 * which first shuts down gracefully: new requests on a route get 503 {@code shutting-down}, those
 * in flight finish up to the {@linkplain Builder#shutdownGrace(Duration) grace period} (5 s by
 * default), then the rest are aborted. It is a {@link RunningGateway}: {@link #reconfigure(Gateway)}
 * swaps the routes while requests flow, {@link #explain} tells how a request would be handled.
 */
public final class GatewayFilter implements Filter, RunningGateway {
  /** How long {@link #destroy()} waits for exchanges in flight by default. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = ServletGateway.DEFAULT_SHUTDOWN_GRACE;

  private final ServletGateway adapter;
  private final GatewayRuntime runtime;

  /** Creates a filter that runs {@code gateway}; the gateway does no I/O before {@link #init(FilterConfig)}. */
  public GatewayFilter(Gateway gateway) {
    this(builder(gateway));
  }

  private GatewayFilter(Builder builder) {
    this.adapter = new ServletGateway(builder.gateway, builder.observer, builder.shutdownGrace, "GatewayFilter");
    this.runtime = adapter.runtime();
  }

  /** Returns a builder for a filter that runs {@code gateway}, with an observer and a shutdown grace period. */
  public static Builder builder(Gateway gateway) {
    return new Builder(requireNonNull(gateway, "gateway"));
  }

  /** Starts the upstream clients; the container calls it before the first request. */
  @Override
  public void init(FilterConfig config) throws ServletException {
    adapter.start();
  }

  /** Shuts down gracefully, up to the grace period, then stops the upstream clients. */
  @Override
  public void destroy() {
    adapter.stop();
  }

  /**
   * Takes the request when a route matches it (or the gateway refuses it before routing), and
   * otherwise passes it down {@code chain} untouched.
   */
  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (request instanceof HttpServletRequest http && response instanceof HttpServletResponse httpResponse) {
      if (ServletGateway.upgradeDispatched(http, httpResponse)) {
        return; // the dispatch of a WebSocket upgrade the upstream accepted: switched now
      }
      if (http.getDispatcherType() == DispatcherType.REQUEST && adapter.handle(http, httpResponse, true)) {
        return;
      }
    }
    chain.doFilter(request, response);
  }

  @Override
  public Gateway gateway() {
    return runtime.gateway();
  }

  @Override
  public void reconfigure(Gateway next) {
    runtime.reconfigure(next);
  }

  @Override
  public Explanation explain(String method, String uri, HttpHeaders headers) {
    return runtime.explain(method, uri, headers);
  }

  @Override
  public List<String> policies(String routeId) {
    return runtime.policies(routeId);
  }

  @Override
  public List<EndpointStatus> upstreamStatus() {
    return runtime.upstreamStatus();
  }

  @Override
  public List<dev.portico.gateway.cache.CacheStatus> cacheStatus() {
    return runtime.cacheStatus();
  }

  @Override
  public boolean isReady() {
    return runtime.isReady();
  }

  @Override
  public void shutdown(Duration grace) throws InterruptedException {
    runtime.shutdown(grace);
  }

  /** Builds a {@link GatewayFilter}. */
  public static final class Builder {
    private final Gateway gateway;
    private GatewayObserver observer = GatewayObserver.none();
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;

    Builder(Gateway gateway) {
      this.gateway = gateway;
    }

    /** Tells {@code observer} about every exchange: metrics, spans, or both with {@link GatewayObserver#of}. */
    public Builder observer(GatewayObserver observer) {
      this.observer = requireNonNull(observer, "observer");
      return this;
    }

    /** Sets how long {@link GatewayFilter#destroy()} waits for exchanges in flight (default 5 s). */
    public Builder shutdownGrace(Duration grace) {
      this.shutdownGrace = ServletGateway.checkGrace(requireNonNull(grace, "grace"));
      return this;
    }

    /**
     * Returns the filter; the gateway does no I/O before {@link GatewayFilter#init(FilterConfig)}.
     *
     * @throws IllegalStateException naming the route, when a policy cannot be compiled
     */
    public GatewayFilter build() {
      return new GatewayFilter(this);
    }
  }
}
