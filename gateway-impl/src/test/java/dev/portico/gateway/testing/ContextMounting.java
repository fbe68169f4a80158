package dev.portico.gateway.testing;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.servlet.GatewayServlet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http2.Http2Protocol;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;

/**
 * The ways a host mounts the gateway, each on an ephemeral loopback port that speaks HTTP/1.1 and
 * cleartext HTTP/2 (prior knowledge), under a context path or at the root: the Jetty core handler
 * (in a {@code ContextHandler} when there is a context path) with Jetty's default URI compliance
 * and with every URI let through, and {@link GatewayServlet} on {@code /*} in Jetty ee10 and in
 * Tomcat 11 with their defaults.
 */
public enum ContextMounting {
  JETTY_HANDLER {
    @Override
    public Mounted start(Gateway gateway, String contextPath) throws Exception {
      return jettyCore(gateway, contextPath, false);
    }
  },

  JETTY_HANDLER_EVERY_URI {
    @Override
    public Mounted start(Gateway gateway, String contextPath) throws Exception {
      return jettyCore(gateway, contextPath, true);
    }
  },

  JETTY_EE10_SERVLET {
    @Override
    public Mounted start(Gateway gateway, String contextPath) throws Exception {
      Server server = new Server();
      ServerConnector connector = connector(server, new HttpConfiguration());
      ServletContextHandler context = new ServletContextHandler(contextPath.isEmpty() ? "/" : contextPath);
      ServletHolder holder = new ServletHolder(new GatewayServlet(gateway));
      holder.setAsyncSupported(true);
      holder.setInitOrder(0);
      context.addServlet(holder, "/*");
      server.setHandler(context);
      server.start();
      return new Mounted(connector.getLocalPort(), server::stop);
    }
  },

  TOMCAT_SERVLET {
    @Override
    public Mounted start(Gateway gateway, String contextPath) throws Exception {
      Path baseDir = Files.createTempDirectory("portico-tomcat");
      Tomcat tomcat = new Tomcat();
      tomcat.setBaseDir(baseDir.toString());
      Connector connector = tomcat.getConnector();
      connector.setPort(0);
      connector.setProperty("address", "127.0.0.1");
      connector.addUpgradeProtocol(new Http2Protocol());
      Context context = tomcat.addContext(contextPath, null);
      Wrapper wrapper = Tomcat.addServlet(context, "gateway", new GatewayServlet(gateway));
      wrapper.setAsyncSupported(true);
      wrapper.setLoadOnStartup(0);
      context.addServletMapping("/*", "gateway");
      tomcat.start();
      return new Mounted(connector.getLocalPort(), () -> {
        tomcat.stop();
        tomcat.destroy();
        try (Stream<Path> files = Files.walk(baseDir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  };

  /** Starts {@code gateway} mounted this way under {@code contextPath} ({@code ""} for the root). */
  public abstract Mounted start(Gateway gateway, String contextPath) throws Exception;

  /** A started host; closing it stops it. */
  public record Mounted(int port, AutoCloseable stop) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      stop.close();
    }
  }

  private static Mounted jettyCore(Gateway gateway, String contextPath, boolean everyUri) throws Exception {
    Server server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    if (everyUri) {
      config.setUriCompliance(UriCompliance.UNSAFE);
    }
    ServerConnector connector = connector(server, config);
    Handler handler = JettyGatewayHandler.create(gateway);
    server.setHandler(contextPath.isEmpty() ? handler : new ContextHandler(handler, contextPath));
    server.start();
    return new Mounted(connector.getLocalPort(), server::stop);
  }

  private static ServerConnector connector(Server server, HttpConfiguration config) {
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config),
        new HTTP2CServerConnectionFactory(config));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    return connector;
  }
}
