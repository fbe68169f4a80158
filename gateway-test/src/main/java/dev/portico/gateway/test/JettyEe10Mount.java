package dev.portico.gateway.test;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.servlet.GatewayFilter;
import dev.portico.gateway.servlet.GatewayServlet;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jspecify.annotations.Nullable;

/** {@link ServletServer} in Jetty 12 ee10; only loaded when asked for. Not public API. */
final class JettyEe10Mount {
  private JettyEe10Mount() {}

  static ServletServer.Started start(Gateway gateway, String contextPath, boolean permissiveUris, boolean h2c,
      boolean webSocket, @Nullable HttpServlet application) throws Exception {
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
    if (application == null) {
      ServletHolder holder = new ServletHolder(new GatewayServlet(gateway));
      holder.setAsyncSupported(true);
      holder.setInitOrder(0);   // initialized with the server, as Getting started advises
      context.addServlet(holder, "/*");
    } else {
      FilterHolder filter = new FilterHolder(new GatewayFilter(gateway));
      filter.setAsyncSupported(true);
      context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
      context.addServlet(new ServletHolder(application), "/");
    }
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
