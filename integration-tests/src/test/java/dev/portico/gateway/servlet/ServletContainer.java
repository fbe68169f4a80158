package dev.portico.gateway.servlet;

import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.websocket.server.WsSci;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The servlet containers the adapter is tested in, each started on an ephemeral loopback port
 * that speaks HTTP/1.1 and cleartext HTTP/2 (prior knowledge).
 */
enum ServletContainer {
  JETTY {
    @Override
    Running start(String contextPath, HttpServlet servlet, boolean webSocket) throws Exception {
      Server server = new Server();
      HttpConfiguration config = new HttpConfiguration();
      ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config),
          new HTTP2CServerConnectionFactory(config));
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler(contextPath.isEmpty() ? "/" : contextPath);
      ServletHolder holder = new ServletHolder(servlet);
      holder.setAsyncSupported(true);
      holder.setInitOrder(0);   // initialized as the server starts, as Getting started advises
      context.addServlet(holder, "/*");
      if (webSocket) {
        JakartaWebSocketServletContainerInitializer.configure(context, null);
      }
      server.setHandler(context);
      server.start();
      return new Running(connector.getLocalPort(), contextPath, server::stop);
    }
  },

  TOMCAT {
    @Override
    Running start(String contextPath, HttpServlet servlet, boolean webSocket) throws Exception {
      Path baseDir = Files.createTempDirectory("tomcat");
      Tomcat tomcat = new Tomcat();
      tomcat.setBaseDir(baseDir.toString());
      Connector connector = tomcat.getConnector();
      connector.setPort(0);
      connector.setProperty("address", "127.0.0.1");
      connector.addUpgradeProtocol(new Http2Protocol());
      Context context = tomcat.addContext(contextPath, null);
      Wrapper wrapper = Tomcat.addServlet(context, "under-test", servlet);
      wrapper.setAsyncSupported(true);
      context.addServletMapping("/*", "under-test");
      if (webSocket) {
        context.addServletContainerInitializer(new WsSci(), null);
      }
      tomcat.start();
      return new Running(connector.getLocalPort(), contextPath, () -> {
        tomcat.stop();
        tomcat.destroy();
        deleteTree(baseDir);
      });
    }
  };

  /** Starts {@code servlet} mapped to {@code /*} with async support under {@code contextPath}. */
  Running start(String contextPath, HttpServlet servlet) throws Exception {
    return start(contextPath, servlet, false);
  }

  /**
   * Starts {@code servlet} mapped to {@code /*} with async support under {@code contextPath}, with
   * the container's Jakarta WebSocket support when {@code webSocket}.
   */
  abstract Running start(String contextPath, HttpServlet servlet, boolean webSocket) throws Exception;

  /** A started container; {@link #close()} stops it. */
  record Running(int port, String contextPath, Stop stop) {
    URI uri(String pathAndQuery) {
      return URI.create("http://127.0.0.1:" + port + contextPath + pathAndQuery);
    }

    void close() throws Exception {
      stop.stop();
    }
  }

  interface Stop {
    void stop() throws Exception;
  }

  private static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
