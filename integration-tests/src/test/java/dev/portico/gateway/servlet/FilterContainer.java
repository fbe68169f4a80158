package dev.portico.gateway.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.websocket.server.WsSci;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The servlet containers {@link GatewayFilter} is tested in: the filter on {@code /*} for
 * {@code REQUEST} and {@code ASYNC} dispatches with async support, in front of the application's
 * own servlet on {@code /} (without async support, as many are), with the container's Jakarta
 * WebSocket server, on an ephemeral loopback port that speaks HTTP/1.1 and cleartext HTTP/2 (prior knowledge).
 */
enum FilterContainer {
  JETTY {
    @Override
    ServletContainer.Running start(String contextPath, GatewayFilter filter, HttpServlet application,
        boolean applicationAsync) throws Exception {
      Server server = new Server();
      HttpConfiguration config = new HttpConfiguration();
      ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config),
          new HTTP2CServerConnectionFactory(config));
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler(contextPath.isEmpty() ? "/" : contextPath);
      FilterHolder holder = new FilterHolder(filter);
      holder.setAsyncSupported(true);
      context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
      ServletHolder app = new ServletHolder(application);
      app.setAsyncSupported(applicationAsync);
      context.addServlet(app, "/");
      JakartaWebSocketServletContainerInitializer.configure(context, null);
      server.setHandler(context);
      server.start();
      return new ServletContainer.Running(connector.getLocalPort(), contextPath, server::stop);
    }
  },

  TOMCAT {
    @Override
    ServletContainer.Running start(String contextPath, GatewayFilter filter, HttpServlet application,
        boolean applicationAsync) throws Exception {
      Path baseDir = Files.createTempDirectory("tomcat");
      Tomcat tomcat = new Tomcat();
      tomcat.setBaseDir(baseDir.toString());
      Connector connector = tomcat.getConnector();
      connector.setPort(0);
      connector.setProperty("address", "127.0.0.1");
      connector.addUpgradeProtocol(new Http2Protocol());
      Context context = tomcat.addContext(contextPath, null);
      FilterDef def = new FilterDef();
      def.setFilterName("gateway");
      def.setFilter(filter);
      def.setAsyncSupported("true");
      context.addFilterDef(def);
      FilterMap map = new FilterMap();
      map.setFilterName("gateway");
      map.addURLPattern("/*");
      map.setDispatcher("REQUEST");
      map.setDispatcher("ASYNC");
      context.addFilterMapBefore(map);
      Tomcat.addServlet(context, "application", application).setAsyncSupported(applicationAsync);
      context.addServletMappingDecoded("/", "application");
      context.addServletContainerInitializer(new WsSci(), null);
      tomcat.start();
      return new ServletContainer.Running(connector.getLocalPort(), contextPath, () -> {
        tomcat.stop();
        tomcat.destroy();
        try (Stream<Path> files = Files.walk(baseDir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      });
    }
  };

  /** Starts {@code filter} in front of {@code application} under {@code contextPath} ({@code ""} for the root). */
  ServletContainer.Running start(String contextPath, GatewayFilter filter, HttpServlet application) throws Exception {
    return start(contextPath, filter, application, false);
  }

  /** As {@link #start(String, GatewayFilter, HttpServlet)}, the application's servlet with async support or not. */
  abstract ServletContainer.Running start(String contextPath, GatewayFilter filter, HttpServlet application,
      boolean applicationAsync) throws Exception;
}
