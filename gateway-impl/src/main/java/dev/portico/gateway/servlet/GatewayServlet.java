package dev.portico.gateway.servlet;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Explanation;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.internal.GatewayRuntime;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.upstream.EndpointStatus;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.List;

/**
 * Mounts a {@link Gateway} in a Servlet 6 container. Map it to {@code /*} and mount it with
 * asynchronous support on, or every request fails with 500.
 *
 * <p>Jetty 12 (ee10):
 * <pre>{@code
 * ServletContextHandler context = new ServletContextHandler("/");
 * ServletHolder holder = new ServletHolder(new GatewayServlet(gateway));
 * holder.setAsyncSupported(true);
 * holder.setInitOrder(0);                       // start the upstream clients with the server
 * context.addServlet(holder, "/*");
 * server.setHandler(context);
 * }</pre>
 *
 * <p>Tomcat 11:
 * <pre>{@code
 * Context context = tomcat.addContext("", null);
 * Wrapper wrapper = Tomcat.addServlet(context, "gateway", new GatewayServlet(gateway));
 * wrapper.setAsyncSupported(true);
 * wrapper.setLoadOnStartup(0);
 * context.addServletMapping("/*", "gateway");
 * }</pre>
 *
 * <p>Any other container: {@code ServletContext.addServlet("gateway", new GatewayServlet(gateway))}
 * and, on the returned registration, {@code setAsyncSupported(true)} and
 * {@code addMapping("/*")}.
 *
 * <p>Routes match the request path below the context path: the part of the target that the
 * container dispatched as {@code getServletPath() + getPathInfo()}, however the client spelled the
 * context path ({@code //ctx}, {@code /%63tx}), still percent-encoded as the client sent it; a
 * target that cannot be read that way is refused with 400 {@code bad-path}. A servlet cannot hand
 * a request back to its container, so a request that matches no route is answered {@code 404}
 * with an {@code application/problem+json} body. Mapped to {@code /*}, the servlet therefore
 * swallows what the container's default servlet would serve (static and welcome files) and, a
 * path mapping winning over extension mappings, {@code *.jsp}: serve those from another context,
 * or map the gateway to a prefix of its own ({@code /api/*}), or mount {@link GatewayFilter}, which
 * passes unmatched requests down the host's filter chain.
 *
 * <p>The servlet never blocks a container thread: each request goes asynchronous (without a
 * container timeout: the gateway applies its own), and bodies stream between the client and the
 * upstream through {@code ReadListener} and {@code WriteListener} with back-pressure. When an
 * exchange breaks after the response was committed, the client connection is aborted, so that the
 * client never takes a truncated body for a complete one; this uses a container-specific hook,
 * known for Jetty and Tomcat.
 *
 * <p>WebSocket upgrades on {@code websocket()} routes are proxied through the container's own
 * Jakarta WebSocket server ({@code ServerContainer.upgradeHttpToWebSocket}, WebSocket 2.1 and
 * later), which the host turns on for the servlet's context: in Jetty ee10
 * {@code JakartaWebSocketServletContainerInitializer.configure(context, null)}, in Tomcat
 * {@code context.addServletContainerInitializer(new WsSci(), null)}. Without it, such an upgrade
 * is answered {@code 501 websocket-unsupported}. The switch happens in an {@code ASYNC} dispatch
 * of the request back to this servlet, once the upstream accepted.
 *
 * <p>The upstream clients start in {@link #init()} and stop in {@link #destroy()}, which first
 * shuts down gracefully: it takes no new exchange and waits for those in flight up to the
 * {@linkplain Builder#shutdownGrace(Duration) grace period} (5 s by default), then aborts the rest.
 * It is a {@link RunningGateway}: {@link #reconfigure(Gateway)} swaps the routes while requests
 * flow, {@link #explain} tells how a request would be handled.
 */
public final class GatewayServlet extends HttpServlet implements RunningGateway {
  /** How long {@link #destroy()} waits for exchanges in flight by default. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = ServletGateway.DEFAULT_SHUTDOWN_GRACE;

  private final transient ServletGateway adapter;
  private final transient GatewayRuntime runtime;

  /** Creates a servlet that runs {@code gateway}; the gateway does no I/O before {@link #init()}. */
  public GatewayServlet(Gateway gateway) {
    this(builder(gateway));
  }

  private GatewayServlet(Builder builder) {
    this.adapter = new ServletGateway(builder.gateway, builder.observer, builder.shutdownGrace, "GatewayServlet");
    this.runtime = adapter.runtime();
  }

  /** Returns a builder for a servlet that runs {@code gateway}, with an observer and a shutdown grace period. */
  public static Builder builder(Gateway gateway) {
    return new Builder(requireNonNull(gateway, "gateway"));
  }

  @Override
  public void init() throws ServletException {
    adapter.start();
  }

  @Override
  public void destroy() {
    adapter.stop();
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

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws ServletException {
    if (ServletGateway.upgradeDispatched(request, response)) {
      return; // the dispatch of a WebSocket upgrade the upstream accepted: switched now
    }
    if (!adapter.handle(request, response, false)) {
      // Not expected: the engine answers no-route itself when it may not hand the request back.
      response.setStatus(HttpServletResponse.SC_NOT_FOUND);
    }
  }

  /** Builds a {@link GatewayServlet}. */
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

    /** Sets how long {@link GatewayServlet#destroy()} waits for exchanges in flight (default 5 s). */
    public Builder shutdownGrace(Duration grace) {
      this.shutdownGrace = ServletGateway.checkGrace(requireNonNull(grace, "grace"));
      return this;
    }

    /**
     * Returns the servlet; the gateway does no I/O before {@link GatewayServlet#init()}.
     *
     * @throws IllegalStateException naming the route, when a policy cannot be compiled
     */
    public GatewayServlet build() {
      return new GatewayServlet(this);
    }
  }
}
