package dev.portico.gateway.test;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.servlet.GatewayServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** {@link ServletServer} in Jetty 12 ee10; only loaded when asked for. Not public API. */
final class JettyEe10Mount {
  private JettyEe10Mount() {}

  static ServletServer.Started start(Gateway gateway, String contextPath, boolean permissiveUris, boolean h2c,
      boolean webSocket) throws Exception {
    Server server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    if (permissiveUris) {
      config.setUriCompliance(UriCompliance.UNSAFE);
    }
    ServerConnector connector = h2c
        ? new ServerConnector(server, new HttpConnectionFactory(config), new HTTP2CServerConnectionFactory(config))
        : new ServerConnector(server, new HttpConnectionFactory(config));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler(contextPath.isEmpty() ? "/" : contextPath);
    ServletHolder holder = new ServletHolder(new GatewayServlet(gateway));
    holder.setAsyncSupported(true);
    holder.setInitOrder(0);   // initialized with the server, as Getting started advises
    context.addServlet(holder, "/*");
    if (webSocket) {
      JakartaWebSocketServletContainerInitializer.configure(context, null);
    }
    server.setHandler(context);
    try {
      server.start();
    } catch (Exception e) {
      server.stop();
      throw e;
    }
    return new ServletServer.Started(connector.getLocalPort(), server::stop);
  }
}
