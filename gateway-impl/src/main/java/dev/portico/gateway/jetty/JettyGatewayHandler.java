package dev.portico.gateway.jetty;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.internal.GatewayEngine;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Mounts a {@link Gateway} on a Jetty 12 core server.
 *
 * <pre>{@code
 * Server server = new Server(8080);
 * server.setHandler(new Handler.Sequence(
 *     JettyGatewayHandler.create(gateway),   // takes the requests a route matches
 *     hostOwnHandler));                      // gets every other request
 * server.start();
 * }</pre>
 *
 * <p>A request that matches no route is handed back ({@link #handle} returns false), so the host's
 * own handlers keep working; a path that cannot be normalized safely is answered 400 right away,
 * and a path that matches a route but not its method 405. The handler never blocks a Jetty thread:
 * bodies stream between the server and the upstream client with demand-driven back-pressure.
 *
 * <p>The upstream HTTP clients start and stop with the handler, which follows its server's
 * life cycle.
 */
public final class JettyGatewayHandler extends Handler.Abstract.NonBlocking {
  private final GatewayEngine engine;

  private JettyGatewayHandler(GatewayEngine engine) {
    this.engine = engine;
  }

  /** Returns a handler that runs {@code gateway}. */
  public static JettyGatewayHandler create(Gateway gateway) {
    return new JettyGatewayHandler(GatewayEngine.create(requireNonNull(gateway, "gateway")));
  }

  @Override
  protected void doStart() throws Exception {
    engine.start();
    super.doStart();
  }

  @Override
  protected void doStop() throws Exception {
    super.doStop();
    engine.stop();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    return engine.handle(new JettyClientExchange(request, response, callback), true);
  }
}
