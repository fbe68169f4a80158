package dev.portico.gateway.test;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import java.net.URI;
import java.security.KeyStore;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
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
 * The connection is HTTP/1.1 by default; the builder adds cleartext HTTP/2 ({@link Builder#h2c})
 * or serves HTTPS with h2 and http/1.1 offered by ALPN ({@link Builder#tls}).
 */
public final class GatewayServer implements AutoCloseable {
  private final Server server;
  private final ServerConnector connector;
  private final JettyGatewayHandler handler;
  private final String origin;
  private final String contextPath;

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
    KeyStore tls = b.tlsIdentity;
    if (tls != null) {
      // As Jetty's documentation sets up an HTTPS connector: TLS, then ALPN choosing h2 or http/1.1.
      config.addCustomizer(new SecureRequestCustomizer());
      HttpConnectionFactory http11 = new HttpConnectionFactory(config);
      ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
      alpn.setDefaultProtocol(http11.getProtocol());
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setKeyStore(tls);
      ssl.setKeyStorePassword(b.tlsPassword);
      connector = new ServerConnector(server, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn,
          new HTTP2ServerConnectionFactory(config), http11);
      origin = "https://localhost:";
    } else if (b.h2c) {
      connector = new ServerConnector(server, new HttpConnectionFactory(config), new HTTP2CServerConnectionFactory(config));
      origin = "http://127.0.0.1:";
    } else {
      connector = new ServerConnector(server, new HttpConnectionFactory(config));
      origin = "http://127.0.0.1:";
    }
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    Handler hostHandler = b.hostHandler;
    Handler mounted = hostHandler == null ? handler : new Handler.Sequence(handler, hostHandler);
    contextPath = b.contextPath;
    server.setHandler(contextPath.isEmpty() ? mounted : new ContextHandler(mounted, contextPath));
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

  /**
   * Returns the base URI without a trailing slash: {@code http://127.0.0.1:port}, or
   * {@code https://localhost:port} over TLS (the name a test certificate is issued for), followed
   * by the {@linkplain Builder#contextPath context path}.
   */
  public URI baseUri() {
    return URI.create(origin + port() + contextPath);
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

  /** Returns the Jetty server, for what the builder does not set (its stop timeout, its connectors). */
  public Server jettyServer() {
    return server;
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
    private boolean h2c;
    private @Nullable KeyStore tlsIdentity;
    private String tlsPassword = "";
    private String contextPath = "";

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
     * Mounts the gateway in a Jetty {@code ContextHandler} at {@code contextPath} ({@code "/ctx"}),
     * or at the root ({@code ""}, the default), as a host that serves several applications does.
     */
    public Builder contextPath(String contextPath) {
      requireNonNull(contextPath, "contextPath");
      if (!contextPath.isEmpty() && (!contextPath.startsWith("/") || contextPath.endsWith("/"))) {
        throw new IllegalArgumentException("contextPath: " + contextPath + " (expected: \"\" or /name, no trailing /)");
      }
      this.contextPath = contextPath;
      return this;
    }

    /**
     * Speaks cleartext HTTP/2 with prior knowledge (h2c) next to HTTP/1.1 on the same port, or not
     * (the default).
     */
    public Builder h2c(boolean h2c) {
      this.h2c = h2c;
      return this;
    }

    /**
     * Serves HTTPS with the key and certificate chain in {@code identity} (its key protected by
     * {@code password}), offering h2 and http/1.1 by ALPN. Clients must trust the certificate and
     * reach the server as {@code localhost} ({@link GatewayServer#baseUri()} says so).
     */
    public Builder tls(KeyStore identity, String password) {
      this.tlsIdentity = requireNonNull(identity, "identity");
      this.tlsPassword = requireNonNull(password, "password");
      return this;
    }

    /**
     * Starts the server.
     *
     * @throws IllegalStateException if neither or both of a gateway and a handler were given, or
     *     both {@link #tls} and {@link #h2c} (over TLS, h2 is offered by ALPN)
     * @throws Exception if Jetty cannot start
     */
    public GatewayServer start() throws Exception {
      if ((gateway == null) == (handler == null)) {
        throw new IllegalStateException("GatewayServer: set exactly one of gateway(..) and handler(..)");
      }
      if (h2c && tlsIdentity != null) {
        throw new IllegalStateException("GatewayServer: h2c(true) is cleartext HTTP/2; with tls(..), h2 is offered by ALPN");
      }
      JettyGatewayHandler mounted = handler != null ? handler : JettyGatewayHandler.create(requireNonNull(gateway));
      return new GatewayServer(this, mounted);
    }
  }
}
