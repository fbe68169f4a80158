package dev.portico.gateway.testing;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import java.net.URI;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
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
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A host application: a Jetty 12 core server on an ephemeral loopback port whose handler is the
 * gateway followed by the host's own handler (which answers 200 "host" to whatever the gateway
 * hands back), plus a Jetty client to call it. The front connection is HTTP/1.1 by default,
 * HTTPS (h2 or http/1.1) with {@link #startHttps} and {@link #startHttpsH2}, or HTTP/1.1 and
 * cleartext HTTP/2 with {@link #startH2c}.
 */
public final class GatewayHost implements AutoCloseable {
  public static final String HOST_BODY = "answered by the host's own handler";

  private final Server server;
  private final JettyGatewayHandler handler;
  private final ServerConnector connector;
  private final HttpClient client;
  private final String scheme;
  private final String hostName;

  private GatewayHost(Gateway gateway, boolean permissiveUris, Front front) throws Exception {
    this(JettyGatewayHandler.create(gateway), permissiveUris, front, 0);
  }

  private GatewayHost(Gateway gateway, boolean permissiveUris, Front front, int requestHeaderSize) throws Exception {
    this(JettyGatewayHandler.create(gateway), permissiveUris, front, requestHeaderSize);
  }

  private GatewayHost(JettyGatewayHandler handler, boolean permissiveUris, Front front, int requestHeaderSize)
      throws Exception {
    this.handler = handler;
    server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    if (requestHeaderSize > 0) {
      config.setRequestHeaderSize(requestHeaderSize);
    }
    if (permissiveUris) {
      // Let ambiguous URIs reach the gateway, so tests see Portico's own refusal rather than Jetty's.
      config.setUriCompliance(UriCompliance.UNSAFE);
    }
    connector = front.connector(server, config);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new Handler.Sequence(handler, new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        Content.Sink.write(response, true, HOST_BODY, callback);
        return true;
      }
    }));
    server.start();
    client = front.client();
    if (requestHeaderSize > 0) {
      client.setRequestBufferSize(requestHeaderSize);
    }
    client.setFollowRedirects(false);
    client.start();
    scheme = front.scheme();
    hostName = front.hostName();
  }

  /** How clients reach the host: the server's connector and a client that speaks to it. */
  private interface Front {
    ServerConnector connector(Server server, HttpConfiguration config);

    HttpClient client();

    default String scheme() {
      return "http";
    }

    default String hostName() {
      return "127.0.0.1";
    }
  }

  private static final Front HTTP_1_1 = new Front() {
    @Override
    public ServerConnector connector(Server server, HttpConfiguration config) {
      return new ServerConnector(server, new HttpConnectionFactory(config));
    }

    @Override
    public HttpClient client() {
      HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP();
      // Sees header values exactly as the gateway sent them (Jetty's header cache ignores case by default).
      transport.setHeaderCacheCaseSensitive(true);
      return new HttpClient(transport);
    }
  };

  /** Starts a host around {@code handler} (built with an observer, say), letting every URI through. */
  public static GatewayHost start(JettyGatewayHandler handler) throws Exception {
    return new GatewayHost(handler, true, HTTP_1_1, 0);
  }

  /** Starts a host whose server lets every URI through to the gateway. */
  public static GatewayHost start(Gateway gateway) throws Exception {
    return new GatewayHost(gateway, true, HTTP_1_1);
  }

  /**
   * Starts a host whose server accepts request headers up to {@code requestHeaderSize} bytes (Jetty's
   * default is 8 KiB), so oversized credentials reach the gateway instead of Jetty's 431.
   */
  public static GatewayHost startWithRequestHeaderSize(Gateway gateway, int requestHeaderSize) throws Exception {
    return new GatewayHost(gateway, true, HTTP_1_1, requestHeaderSize);
  }

  /** Starts a host; {@code permissiveUris} false keeps Jetty's default URI compliance. */
  public static GatewayHost start(Gateway gateway, boolean permissiveUris) throws Exception {
    return new GatewayHost(gateway, permissiveUris, HTTP_1_1);
  }

  /**
   * Starts a host that terminates TLS with the {@code localhost} identity of {@code certificates}
   * and offers h2 and http/1.1 by ALPN (a connector as Jetty's documentation sets one up,
   * {@link SecureRequestCustomizer} included), with an HTTP/1.1 client that trusts their CA and
   * addresses the host as {@code https://localhost:port}.
   */
  public static GatewayHost startHttps(Gateway gateway, TestCertificates certificates) throws Exception {
    return new GatewayHost(gateway, true, new TlsFront(certificates, false));
  }

  /** Like {@link #startHttps}, with a client that speaks HTTP/2 over TLS. */
  public static GatewayHost startHttpsH2(Gateway gateway, TestCertificates certificates) throws Exception {
    return new GatewayHost(gateway, true, new TlsFront(certificates, true));
  }

  private record TlsFront(TestCertificates certificates, boolean http2Client) implements Front {
    @Override
    public ServerConnector connector(Server server, HttpConfiguration config) {
      config.addCustomizer(new SecureRequestCustomizer());
      HttpConnectionFactory http11 = new HttpConnectionFactory(config);
      HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(config);
      ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
      alpn.setDefaultProtocol(http11.getProtocol());
      SslContextFactory.Server tls = TestUpstream.serverTls(certificates.serverIdentity(), null);
      return new ServerConnector(server, new SslConnectionFactory(tls, alpn.getProtocol()), alpn, h2, http11);
    }

    @Override
    public HttpClient client() {
      SslContextFactory.Client tls = new SslContextFactory.Client();
      tls.setTrustStore(certificates.trustStore());
      ClientConnector connector = new ClientConnector();
      connector.setSslContextFactory(tls);
      return new HttpClient(http2Client
          ? new HttpClientTransportOverHTTP2(new HTTP2Client(connector))
          : new HttpClientTransportOverHTTP(connector));
    }

    @Override
    public String scheme() {
      return "https";
    }

    @Override
    public String hostName() {
      return "localhost";
    }
  }

  /**
   * Starts a host that speaks HTTP/1.1 and cleartext HTTP/2 (h2c, prior knowledge) on one port,
   * with a client that speaks only HTTP/2.
   */
  public static GatewayHost startH2c(Gateway gateway) throws Exception {
    return new GatewayHost(gateway, true, new Front() {
      @Override
      public ServerConnector connector(Server server, HttpConfiguration config) {
        return new ServerConnector(server, new HttpConnectionFactory(config), new HTTP2CServerConnectionFactory(config));
      }

      @Override
      public HttpClient client() {
        return new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
      }
    });
  }

  public HttpClient client() {
    return client;
  }

  /** Returns the gateway handler the host mounts. */
  public JettyGatewayHandler handler() {
    return handler;
  }

  /** Returns the host's server. */
  public Server server() {
    return server;
  }

  public int port() {
    return connector.getLocalPort();
  }

  /** Returns the host's URI for {@code pathQuery}, e.g. {@code http://127.0.0.1:port/api?x=1}. */
  public String uri(String pathQuery) {
    return baseUri() + pathQuery;
  }

  public URI baseUri() {
    return URI.create(scheme + "://" + hostName + ":" + port());
  }

  @Override
  public void close() throws Exception {
    client.stop();
    server.stop();
  }
}
