package dev.portico.gateway.test;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import java.net.URI;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jspecify.annotations.Nullable;

/**
 * A gateway mounted on an embedded Jetty 12 server at an ephemeral port on {@code 127.0.0.1}, the
 * way a Jetty host mounts it: a {@link JettyGatewayHandler}, followed by the host's own handler if
 * there is one (it gets what no route takes; without one Jetty answers 404).
 *
 * <pre>{@code
 * try (GatewayServer server = GatewayServer.start(gateway)) {
 *   HttpResponse<String> response = client.send(
 *       HttpRequest.newBuilder(server.uri("/api/orders/7")).build(), BodyHandlers.ofString());
 * }
 * }</pre>
 *
 * <p>Jetty's defaults apply (URI compliance, 8 KiB request heads) unless the builder changes them.
 */
public final class GatewayServer implements AutoCloseable {
  private final Server server;
  private final ServerConnector connector;
  private final JettyGatewayHandler handler;

  private GatewayServer(Builder b, JettyGatewayHandler handler) throws Exception {
    this.handler = handler;
    server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    if (b.requestHeaderSize > 0) {
      config.setRequestHeaderSize(b.requestHeaderSize);
    }
    if (b.permissiveUris) {
      config.setUriCompliance(UriCompliance.UNSAFE);
    }
    connector = new ServerConnector(server, new HttpConnectionFactory(config));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    Handler hostHandler = b.hostHandler;
    server.setHandler(hostHandler == null ? handler : new Handler.Sequence(handler, hostHandler));
    try {
      server.start();
    } catch (Exception e) {
      server.stop();
      throw e;
    }
  }

  /** Starts {@code gateway} with Jetty's defaults and no host handler after it. */
  public static GatewayServer start(Gateway gateway) throws Exception {
    return builder().gateway(gateway).start();
  }

  /** Returns a builder for a handler built elsewhere, a host handler, or other Jetty settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the base URI, {@code http://127.0.0.1:port}, without a trailing slash. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port());
  }

  /** Returns the URI of {@code pathAndQuery} (which starts with {@code /}) on this server. */
  public URI uri(String pathAndQuery) {
    requireNonNull(pathAndQuery, "pathAndQuery");
    if (!pathAndQuery.startsWith("/")) {
      throw new IllegalArgumentException("pathAndQuery: " + pathAndQuery + " (expected: starts with /)");
    }
    return URI.create(baseUri() + pathAndQuery);
  }

  /** Returns the port the server listens on. */
  public int port() {
    return connector.getLocalPort();
  }

  /** Returns the mounted gateway handler, for {@code reconfigure(..)}, {@code explain(..)} and the like. */
  public JettyGatewayHandler handler() {
    return handler;
  }

  /** Stops the server; requests in flight are cut off. */
  @Override
  public void close() throws Exception {
    server.stop();
  }

  @Override
  public String toString() {
    return "GatewayServer{" + baseUri() + "}";
  }

  /** Configures and starts a {@link GatewayServer}. */
  public static final class Builder {
    private @Nullable Gateway gateway;
    private @Nullable JettyGatewayHandler handler;
    private @Nullable Handler hostHandler;
    private boolean permissiveUris;
    private int requestHeaderSize;

    private Builder() {}

    /** Mounts {@code gateway} with {@link JettyGatewayHandler#create}. */
    public Builder gateway(Gateway gateway) {
      this.gateway = requireNonNull(gateway, "gateway");
      return this;
    }

    /** Mounts {@code handler} as it is (built with an observer, say), instead of a {@link #gateway}. */
    public Builder handler(JettyGatewayHandler handler) {
      this.handler = requireNonNull(handler, "handler");
      return this;
    }

    /** Puts the host's own {@code handler} after the gateway: it gets what no route takes. */
    public Builder hostHandler(Handler handler) {
      this.hostHandler = requireNonNull(handler, "hostHandler");
      return this;
    }

    /**
     * Lets every request target through Jetty's parser ({@code UriCompliance.UNSAFE}), so a test
     * sees the gateway's own refusal of an ambiguous path rather than Jetty's. Off by default.
     */
    public Builder permissiveUris(boolean permissive) {
      this.permissiveUris = permissive;
      return this;
    }

    /** Sets the largest request head Jetty reads, in bytes (Jetty's default: 8 KiB). */
    public Builder requestHeaderSize(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("requestHeaderSize: " + bytes + " (expected: > 0)");
      }
      this.requestHeaderSize = bytes;
      return this;
    }

    /**
     * Starts the server.
     *
     * @throws IllegalStateException if neither or both of a gateway and a handler were given
     * @throws Exception if Jetty cannot start
     */
    public GatewayServer start() throws Exception {
      if ((gateway == null) == (handler == null)) {
        throw new IllegalStateException("GatewayServer: set exactly one of gateway(..) and handler(..)");
      }
      JettyGatewayHandler mounted = handler != null ? handler : JettyGatewayHandler.create(requireNonNull(gateway));
      return new GatewayServer(this, mounted);
    }
  }
}
