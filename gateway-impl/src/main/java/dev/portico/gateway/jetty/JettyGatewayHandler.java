package dev.portico.gateway.jetty;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Explanation;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.internal.GatewayRuntime;
import dev.portico.gateway.internal.http.ExactHeaderValues;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.upstream.EndpointStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.Graceful;

/**
 * Mounts a {@link Gateway} on a Jetty 12 core server.
 *
 * <pre>{@code
 * Server server = new Server(8080);
 * server.setHandler(new Handler.Sequence(
 *     JettyGatewayHandler.create(gateway),   // takes the requests a route matches
 *     hostOwnHandler));                      // gets every other request
 * server.setStopTimeout(30_000);             // server.stop() lets exchanges in flight finish
 * server.start();
 * }</pre>
 *
 * <p>A request that matches no route is handed back ({@link #handle} returns false), so the host's
 * own handlers keep working; a path that cannot be normalized safely is answered 400 right away,
 * and a path that matches a route but not its method 405. The handler never blocks a Jetty thread:
 * bodies stream between the server and the upstream client with demand-driven back-pressure.
 *
 * <p>Even so it keeps {@code Handler.Abstract}'s invocation type,
 * {@link org.eclipse.jetty.util.thread.Invocable.InvocationType#BLOCKING BLOCKING}: Jetty then
 * starts each exchange on a pool thread rather than on the selector thread that read the request,
 * so the selector goes on serving other connections while the engine routes, runs the filters and
 * sends upstream. Declared non-blocking, it had Jetty run all that on the selector: on 2 cores at
 * 64 connections that cost 15-40% of the throughput and 3 ms of p99 (see the Benchmarks page). It
 * also keeps a filter or authenticator that does block from stalling a selector.
 *
 * <p>It is a {@link RunningGateway}: {@link #reconfigure(Gateway)} swaps the routes while requests
 * flow, {@link #explain} tells how a request would be handled. It is {@link Graceful}: a server
 * stopped with a stop timeout first stops taking exchanges and waits for those in flight, up to
 * the timeout, then stops the handler, which aborts what is left. The upstream HTTP clients start
 * and stop with the handler, which follows its server's life cycle.
 */
public final class JettyGatewayHandler extends Handler.Abstract implements RunningGateway, Graceful {
  private final GatewayRuntime runtime;

  private JettyGatewayHandler(GatewayRuntime runtime) {
    this.runtime = runtime;
  }

  /**
   * Returns a handler that runs {@code gateway}.
   *
   * @throws IllegalStateException naming the route, when a policy cannot be compiled
   */
  public static JettyGatewayHandler create(Gateway gateway) {
    return builder(gateway).build();
  }

  /** Returns a builder for a handler that runs {@code gateway}, with an observer (metrics, tracing). */
  public static Builder builder(Gateway gateway) {
    return new Builder(requireNonNull(gateway, "gateway"));
  }

  @Override
  protected void doStart() throws Exception {
    Server server = getServer();
    if (server != null) {
      // One pool for both legs of an exchange: fewer threads and hand-offs than a pool per client.
      runtime.useHostThreads(server.getThreadPool(), server.getScheduler());
      // Header values exactly as sent: Jetty's per-connection header cache ignores case by default.
      ExactHeaderValues.on(server);
    }
    runtime.start();
    super.doStart();
  }

  @Override
  protected void doStop() throws Exception {
    super.doStop();
    runtime.stop();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    return runtime.handle(new JettyClientExchange(request, response, callback), true);
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
    return isStarted() && runtime.isReady();
  }

  @Override
  public void shutdown(Duration grace) throws InterruptedException {
    runtime.shutdown(grace);
  }

  /**
   * Stops taking exchanges (new ones are answered 503 {@code shutting-down}); completes when those
   * in flight have ended. Jetty calls it when a server with a stop timeout stops.
   */
  @Override
  public CompletableFuture<Void> shutdown() {
    return runtime.drain();
  }

  @Override
  public boolean isShutdown() {
    return runtime.isDraining();
  }

  /** Builds a {@link JettyGatewayHandler}. */
  public static final class Builder {
    private final Gateway gateway;
    private GatewayObserver observer = GatewayObserver.none();

    Builder(Gateway gateway) {
      this.gateway = gateway;
    }

    /**
     * Tells {@code observer} about every exchange: metrics ({@code MicrometerMetrics}), spans
     * ({@code OpenTelemetryTracing}), or both with {@link GatewayObserver#of}.
     */
    public Builder observer(GatewayObserver observer) {
      this.observer = requireNonNull(observer, "observer");
      return this;
    }

    /**
     * Returns the handler.
     *
     * @throws IllegalStateException naming the route, when a policy cannot be compiled
     */
    public JettyGatewayHandler build() {
      return new JettyGatewayHandler(GatewayRuntime.create(gateway, observer));
    }
  }
}
