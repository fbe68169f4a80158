package dev.portico.gateway.servlet;

import dev.portico.gateway.internal.http.ExactHeaderValues;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ContextHandler;

/**
 * What the servlet adapter does when its container is Jetty: loaded only when Jetty's server
 * classes are on the class path (they are optional for the servlet adapter).
 */
final class JettyHost {
  private JettyHost() {}

  /**
   * Makes the Jetty server whose context is initializing the servlet hand over header values
   * exactly as sent (see {@link ExactHeaderValues}); does nothing outside a Jetty context.
   */
  static void exactHeaderValues() {
    ContextHandler context = ContextHandler.getCurrentContextHandler();
    Server server = context == null ? null : context.getServer();
    if (server != null) {
      ExactHeaderValues.on(server);
    }
  }
}
