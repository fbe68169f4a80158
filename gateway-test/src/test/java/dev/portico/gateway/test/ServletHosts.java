package dev.portico.gateway.test;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.servlet.GatewayServlet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A gateway mounted the way a servlet host mounts it: a {@link GatewayServlet} on {@code /*} with
 * async support, at the root context, in Jetty 12 ee10 or Tomcat 11 with their default settings,
 * on an ephemeral loopback port.
 */
final class ServletHosts {
  private ServletHosts() {}

  /** A started servlet container; closing it stops it. */
  record Running(URI baseUri, AutoCloseable stop) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      stop.close();
    }
  }

  static Running jettyEe10(Gateway gateway) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    ServletHolder holder = new ServletHolder(new GatewayServlet(gateway));
    holder.setAsyncSupported(true);
    holder.setInitOrder(0);   // initialized with the server, as Getting started advises
    context.addServlet(holder, "/*");
    server.setHandler(context);
    server.start();
    return new Running(URI.create("http://127.0.0.1:" + connector.getLocalPort()), server::stop);
  }

  static Running tomcat(Gateway gateway) throws Exception {
    Path baseDir = Files.createTempDirectory("portico-tomcat");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    Connector connector = tomcat.getConnector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    Context context = tomcat.addContext("", null);
    Wrapper wrapper = Tomcat.addServlet(context, "gateway", new GatewayServlet(gateway));
    wrapper.setAsyncSupported(true);
    context.addServletMapping("/*", "gateway");
    tomcat.start();
    return new Running(URI.create("http://127.0.0.1:" + connector.getLocalPort()), () -> {
      tomcat.stop();
      tomcat.destroy();
      try (Stream<Path> files = Files.walk(baseDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
