package dev.portico.gateway.test;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.Certificate;
import java.util.Collections;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;
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
 *
 * <p>{@link #client()} and {@link #http2Client()} are Jetty clients set up to call this server,
 * started when first asked for and stopped with it.
 *
 * <p>To show that what no route takes reaches the host's application, put a stand-in for it
 * after the gateway with {@link Builder#hostAnswer()} and look for {@link #HOST_ANSWER}:
 *
 * <pre>{@code
 * try (GatewayServer server = GatewayServer.builder().gateway(gateway).hostAnswer().start()) {
 *   ContentResponse response = server.client().GET(server.uri("/about"));
 *   assertThat(response.getContentAsString()).isEqualTo(GatewayServer.HOST_ANSWER);
 * }
 * }</pre>
 */
public final class GatewayServer implements AutoCloseable {
  /**
   * The body ({@code text/plain}, status 200) with which the stand-in of {@link Builder#hostAnswer()}
   * answers every request the gateway hands back to the host.
   */
  public static final String HOST_ANSWER = "answered by the host's own handler";

  private final Server server;
  private final ServerConnector connector;
  private final JettyGatewayHandler handler;
  private final String origin;
  private final String contextPath;
  private final int requestHeaderSize;
  private final boolean h2c;
  private final @Nullable KeyStore tlsIdentity;
  private final Object clients = new Object();
  private @Nullable HttpClient client;
  private @Nullable HttpClient http2Client;

  private GatewayServer(Builder b, JettyGatewayHandler handler) throws Exception {
    this.handler = handler;
    requestHeaderSize = b.requestHeaderSize;
    h2c = b.h2c;
    tlsIdentity = b.tlsIdentity;
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
    Handler hostHandler = b.hostAnswer ? hostAnswer() : b.hostHandler;
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

  /** Returns a stand-in for the host's application; one per server (a Jetty handler belongs to one). */
  private static Handler hostAnswer() {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        Content.Sink.write(response, true, HOST_ANSWER, callback);
        return true;
      }
    };
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
    return MountPaths.below(baseUri(), pathAndQuery);
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

  /**
   * Returns a Jetty client that calls this server over HTTP/1.1 (over TLS, trusting the
   * certificates of the server's identity), started on the first call and stopped by
   * {@link #close()}. It keeps header names in the case they came in, follows no redirect, and
   * sends request heads as large as the server's {@link Builder#requestHeaderSize}.
   *
   * @throws Exception if the client cannot start
   */
  public HttpClient client() throws Exception {
    synchronized (clients) {
      if (client == null) {
        HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP(clientConnector());
        // Jetty's header cache ignores case by default.
        transport.setHeaderCacheCaseSensitive(true);
        client = started(new HttpClient(transport));
      }
      return client;
    }
  }

  /**
   * Returns a Jetty client that calls this server over HTTP/2 only: with prior knowledge on an
   * {@link Builder#h2c} server, by ALPN over {@link Builder#tls}. Started on the first call and
   * stopped by {@link #close()}; it follows no redirect. Needs
   * {@code org.eclipse.jetty.http2:jetty-http2-client-transport} on the test class path.
   *
   * @throws IllegalStateException if the server speaks only HTTP/1.1, or the HTTP/2 client
   *     transport is missing (the message names the dependency)
   * @throws Exception if the client cannot start
   */
  public HttpClient http2Client() throws Exception {
    if (!h2c && tlsIdentity == null) {
      throw new IllegalStateException("GatewayServer: speaks only HTTP/1.1; set h2c(true) or tls(..) to call it over HTTP/2");
    }
    synchronized (clients) {
      if (http2Client == null) {
        http2Client = started(Http2Clients.create(clientConnector()));
      }
      return http2Client;
    }
  }

  private ClientConnector clientConnector() throws KeyStoreException {
    ClientConnector connector = new ClientConnector();
    KeyStore identity = tlsIdentity;
    if (identity != null) {
      SslContextFactory.Client tls = new SslContextFactory.Client();
      tls.setTrustStore(trusting(identity));
      connector.setSslContextFactory(tls);
    }
    return connector;
  }

  /** Returns a trust store of every certificate in the chains of {@code identity}. */
  private static KeyStore trusting(KeyStore identity) throws KeyStoreException {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    try {
      trust.load(null, null);
    } catch (IOException | GeneralSecurityException e) {
      throw new KeyStoreException("cannot create an empty trust store", e);
    }
    int n = 0;
    for (String alias : Collections.list(identity.aliases())) {
      Certificate[] chain = identity.getCertificateChain(alias);
      for (Certificate certificate : chain == null ? new Certificate[0] : chain) {
        trust.setCertificateEntry("trusted-" + n++, certificate);
      }
    }
    return trust;
  }

  private HttpClient started(HttpClient jetty) throws Exception {
    jetty.setFollowRedirects(false);
    if (requestHeaderSize > 0) {
      jetty.setRequestBufferSize(requestHeaderSize);
    }
    jetty.start();
    return jetty;
  }

  /** Stops the clients handed out and the server; requests in flight are cut off. */
  @Override
  public void close() throws Exception {
    HttpClient one;
    HttpClient two;
    synchronized (clients) {
      one = client;
      two = http2Client;
    }
    try {
      if (one != null) {
        one.stop();
      }
      if (two != null) {
        two.stop();
      }
    } finally {
      server.stop();
    }
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
    private boolean hostAnswer;
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
     * Puts a stand-in for the host's own application after the gateway, instead of a
     * {@link #hostHandler}: it answers 200 {@code text/plain} {@link GatewayServer#HOST_ANSWER} to
     * every request no route takes, so a test tells the host's answer from the gateway's and from
     * Jetty's 404.
     */
    public Builder hostAnswer() {
      this.hostAnswer = true;
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
      this.contextPath = MountPaths.contextPath(contextPath);
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
     * @throws IllegalStateException if neither or both of a gateway and a handler were given, both
     *     a {@link #hostHandler} and the {@link #hostAnswer} stand-in, or both {@link #tls} and
     *     {@link #h2c} (over TLS, h2 is offered by ALPN)
     * @throws Exception if Jetty cannot start
     */
    public GatewayServer start() throws Exception {
      if ((gateway == null) == (handler == null)) {
        throw new IllegalStateException("GatewayServer: set exactly one of gateway(..) and handler(..)");
      }
      if (hostAnswer && hostHandler != null) {
        throw new IllegalStateException("GatewayServer: set at most one of hostHandler(..) and hostAnswer()");
      }
      if (h2c && tlsIdentity != null) {
        throw new IllegalStateException("GatewayServer: h2c(true) is cleartext HTTP/2; with tls(..), h2 is offered by ALPN");
      }
      JettyGatewayHandler mounted = handler != null ? handler : JettyGatewayHandler.create(requireNonNull(gateway));
      return new GatewayServer(this, mounted);
    }
  }
}
