package dev.portico.gateway.testing;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.servlet.GatewayServlet;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.websocket.server.WsSci;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The ways a host mounts a gateway, each on an ephemeral loopback port that speaks HTTP/1.1 and
 * cleartext HTTP/2 (prior knowledge), with a client that speaks one of them: the Jetty core
 * handler, {@code GatewayServlet} in Jetty ee10 and in Tomcat 11 (with the container's WebSocket
 * support), each over HTTP/1.1 and HTTP/2.
 * For tests of one behaviour on every adapter: {@code @EnumSource(Mounting.class)}.
 */
public enum Mounting {
  JETTY_HANDLER(false), JETTY_HANDLER_H2(true),
  JETTY_SERVLET(false), JETTY_SERVLET_H2(true),
  TOMCAT_SERVLET(false), TOMCAT_SERVLET_H2(true);

  private final boolean h2;

  Mounting(boolean h2) {
    this.h2 = h2;
  }

  /** Returns whether the client speaks HTTP/2 (no raw HTTP/1.1 requests then). */
  public boolean h2() {
    return h2;
  }

  /** A started host and a started client for it; closing stops both. */
  public record Running(int port, HttpClient client, AutoCloseable server) implements AutoCloseable {
    /** Returns {@code http://127.0.0.1:port} and {@code pathQuery}. */
    public URI uri(String pathQuery) {
      return URI.create("http://127.0.0.1:" + port + pathQuery);
    }

    @Override
    public void close() throws Exception {
      try {
        client.stop();
      } finally {
        server.close();
      }
    }
  }

  /** Starts {@code gateway} mounted this way, at the root. */
  public Running start(Gateway gateway) throws Exception {
    int port;
    AutoCloseable stop;
    switch (this) {
      case JETTY_HANDLER, JETTY_HANDLER_H2 -> {
        Server server = jetty();
        server.setHandler(JettyGatewayHandler.create(gateway));
        server.start();
        port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        stop = server::stop;
      }
      case JETTY_SERVLET, JETTY_SERVLET_H2 -> {
        Server server = jetty();
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder(new GatewayServlet(gateway));
        holder.setAsyncSupported(true);
        holder.setInitOrder(0);
        context.addServlet(holder, "/*");
        JakartaWebSocketServletContainerInitializer.configure(context, null);
        server.setHandler(context);
        server.start();
        port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        stop = server::stop;
      }
      default -> {
        Path baseDir = Files.createTempDirectory("tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = tomcat.getConnector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.addUpgradeProtocol(new Http2Protocol());
        Context context = tomcat.addContext("", null);
        Wrapper wrapper = Tomcat.addServlet(context, "gateway", new GatewayServlet(gateway));
        wrapper.setAsyncSupported(true);
        context.addServletMapping("/*", "gateway");
        context.addServletContainerInitializer(new WsSci(), null);
        tomcat.start();
        port = connector.getLocalPort();
        stop = () -> {
          tomcat.stop();
          tomcat.destroy();
          try (Stream<Path> files = Files.walk(baseDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
          }
        };
      }
    }
    HttpClient client;
    if (h2) {
      client = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
    } else {
      HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP();
      transport.setHeaderCacheCaseSensitive(true);
      client = new HttpClient(transport);
    }
    client.setFollowRedirects(false);
    client.start();
    return new Running(port, client, stop);
  }

  private static Server jetty() {
    Server server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config),
        new HTTP2CServerConnectionFactory(config));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    return server;
  }
}
