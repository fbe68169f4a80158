package dev.portico.gateway.testing;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.servlet.GatewayServlet;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.ServletServer;
import java.net.URI;
import java.util.stream.Stream;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;

/**
 * The ways a host mounts a gateway, for tests of one behaviour on every adapter: the Jetty 12
 * core handler ({@code JettyGatewayHandler}), and {@link GatewayServlet} on {@code /*} in Jetty
 * ee10 and in Tomcat 11, each with a started Jetty client that speaks HTTP/1.1 or (the
 * {@code _H2} constants) cleartext HTTP/2 by prior knowledge. The host listens on an ephemeral
 * loopback port that speaks both, whichever client the constant names, so raw HTTP/1.1 and raw
 * HTTP/2 frames reach every mounting.
 *
 * <p>{@link Options} set what a test varies about the host: the context path, Jetty's URI
 * compliance, the container's WebSocket server. Every adapter: {@code @EnumSource(Mounting.class)};
 * one client protocol: {@code @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER",
 * "JETTY_SERVLET", "TOMCAT_SERVLET"})}.
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

  /** Returns each adapter once: the mountings whose client speaks HTTP/1.1. */
  public static Stream<Mounting> eachAdapter() {
    return Stream.of(values()).filter(m -> !m.h2);
  }

  /**
   * How the host around the gateway is set up.
   *
   * @param contextPath where the gateway is mounted ({@code "/ctx"}), {@code ""} for the root; the
   *     Jetty core handler is then wrapped in a {@code ContextHandler}
   * @param permissiveUris whether Jetty lets every URI through to the gateway
   *     ({@link UriCompliance#UNSAFE}) rather than refusing ambiguous ones itself; Tomcat ignores it
   * @param webSocket whether the servlet containers run their Jakarta WebSocket server (the core
   *     handler needs none)
   */
  public record Options(String contextPath, boolean permissiveUris, boolean webSocket) {
    /** At the root, with Jetty's default URI compliance and the containers' WebSocket server. */
    public static final Options DEFAULTS = new Options("", false, true);

    /** Returns these options with the gateway under {@code contextPath} ({@code ""} for the root). */
    public Options withContextPath(String contextPath) {
      return new Options(contextPath, permissiveUris, webSocket);
    }

    /** Returns these options with Jetty letting every URI through, or not. */
    public Options withPermissiveUris(boolean permissiveUris) {
      return new Options(contextPath, permissiveUris, webSocket);
    }

    /** Returns these options with the containers' WebSocket server, or without. */
    public Options withWebSocket(boolean webSocket) {
      return new Options(contextPath, permissiveUris, webSocket);
    }
  }

  /** A started host and a started client for it; closing stops both. */
  public record Running(int port, String contextPath, HttpClient client, AutoCloseable server)
      implements AutoCloseable {
    /** Returns {@code http://127.0.0.1:port}, the context path and {@code pathQuery}. */
    public URI uri(String pathQuery) {
      return URI.create("http://127.0.0.1:" + port + contextPath + pathQuery);
    }

    /** Returns the {@code ws://} URI of {@code path} below the context path. */
    public String ws(String path) {
      return "ws://127.0.0.1:" + port + contextPath + path;
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

  /** Starts {@code gateway} mounted this way with {@link Options#DEFAULTS}. */
  public Running start(Gateway gateway) throws Exception {
    return start(gateway, Options.DEFAULTS);
  }

  /**
   * Starts {@code gateway} mounted this way in a host set up as {@code options} say: the kit's
   * {@link GatewayServer} or {@link ServletServer}, speaking HTTP/1.1 and h2c on one port.
   */
  public Running start(Gateway gateway, Options options) throws Exception {
    String contextPath = options.contextPath();
    int port;
    AutoCloseable stop;
    switch (this) {
      case JETTY_HANDLER, JETTY_HANDLER_H2 -> {
        GatewayServer server = GatewayServer.builder().gateway(gateway).contextPath(contextPath)
            .permissiveUris(options.permissiveUris()).h2c(true).start();
        port = server.port();
        stop = server;
      }
      default -> {
        ServletServer server = ServletServer.builder(
                this == TOMCAT_SERVLET || this == TOMCAT_SERVLET_H2 ? ServletServer.Container.TOMCAT : ServletServer.Container.JETTY_EE10)
            .gateway(gateway).contextPath(contextPath).permissiveUris(options.permissiveUris()).h2c(true)
            .webSocket(options.webSocket()).start();
        port = server.port();
        stop = server;
      }
    }
    HttpClient client;
    if (h2) {
      client = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
    } else {
      HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP();
      // Sees header values exactly as the gateway sent them (Jetty's header cache ignores case by default).
      transport.setHeaderCacheCaseSensitive(true);
      client = new HttpClient(transport);
    }
    client.setFollowRedirects(false);
    client.start();
    return new Running(port, contextPath, client, stop);
  }
}
