package dev.portico.gateway.testing;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.test.GatewayServer;
import java.net.URI;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A host application: the kit's {@link GatewayServer} (a Jetty 12 core server on an ephemeral
 * loopback port) whose gateway is followed by the host's own handler (which answers 200
 * {@link #HOST_BODY} to whatever the gateway hands back), plus a Jetty client to call it. The front
 * connection is HTTP/1.1 by default, HTTPS (h2 or http/1.1) with {@link #startHttps} and
 * {@link #startHttpsH2}, or HTTP/1.1 and cleartext HTTP/2 with {@link #startH2c}. Every URI reaches
 * the gateway unless {@link #start(Gateway, boolean)} says otherwise.
 */
public final class GatewayHost implements AutoCloseable {
  public static final String HOST_BODY = "answered by the host's own handler";

  /** The host's own handler; one per server (a Jetty handler belongs to one server). */
  private static Handler hostHandler() {
    return new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        Content.Sink.write(response, true, HOST_BODY, callback);
        return true;
      }
    };
  }

  private final GatewayServer server;
  private final HttpClient client;

  private GatewayHost(GatewayServer.Builder server, HttpClient client, int requestHeaderSize) throws Exception {
    this.server = server.hostHandler(hostHandler()).start();
    this.client = client;
    if (requestHeaderSize > 0) {
      client.setRequestBufferSize(requestHeaderSize);
    }
    client.setFollowRedirects(false);
    try {
      client.start();
    } catch (Exception e) {
      this.server.close();
      throw e;
    }
  }

  /** An HTTP/1.1 client that sees header values exactly as the gateway sent them. */
  private static HttpClient http11() {
    HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP();
    // Jetty's header cache ignores case by default.
    transport.setHeaderCacheCaseSensitive(true);
    return new HttpClient(transport);
  }

  /** Starts a host around {@code handler} (built with an observer, say), letting every URI through. */
  public static GatewayHost start(JettyGatewayHandler handler) throws Exception {
    return new GatewayHost(GatewayServer.builder().handler(handler).permissiveUris(true), http11(), 0);
  }

  /** Starts a host whose server lets every URI through to the gateway. */
  public static GatewayHost start(Gateway gateway) throws Exception {
    return start(gateway, true);
  }

  /**
   * Starts a host whose server accepts request headers up to {@code requestHeaderSize} bytes (Jetty's
   * default is 8 KiB), so oversized credentials reach the gateway instead of Jetty's 431.
   */
  public static GatewayHost startWithRequestHeaderSize(Gateway gateway, int requestHeaderSize) throws Exception {
    return new GatewayHost(GatewayServer.builder().gateway(gateway).permissiveUris(true)
        .requestHeaderSize(requestHeaderSize), http11(), requestHeaderSize);
  }

  /** Starts a host; {@code permissiveUris} false keeps Jetty's default URI compliance. */
  public static GatewayHost start(Gateway gateway, boolean permissiveUris) throws Exception {
    return new GatewayHost(GatewayServer.builder().gateway(gateway).permissiveUris(permissiveUris), http11(), 0);
  }

  /**
   * Starts a host that terminates TLS with the {@code localhost} identity of {@code certificates}
   * and offers h2 and http/1.1 by ALPN, with an HTTP/1.1 client that trusts their CA and addresses
   * the host as {@code https://localhost:port}.
   */
  public static GatewayHost startHttps(Gateway gateway, TestCertificates certificates) throws Exception {
    return new GatewayHost(https(gateway, certificates), new HttpClient(new HttpClientTransportOverHTTP(
        trusting(certificates))), 0);
  }

  /** Like {@link #startHttps}, with a client that speaks HTTP/2 over TLS. */
  public static GatewayHost startHttpsH2(Gateway gateway, TestCertificates certificates) throws Exception {
    return new GatewayHost(https(gateway, certificates), new HttpClient(new HttpClientTransportOverHTTP2(
        new HTTP2Client(trusting(certificates)))), 0);
  }

  private static GatewayServer.Builder https(Gateway gateway, TestCertificates certificates) {
    return GatewayServer.builder().gateway(gateway).permissiveUris(true)
        .tls(certificates.serverIdentity(), new String(TestCertificates.PASSWORD));
  }

  private static ClientConnector trusting(TestCertificates certificates) {
    SslContextFactory.Client tls = new SslContextFactory.Client();
    tls.setTrustStore(certificates.trustStore());
    ClientConnector connector = new ClientConnector();
    connector.setSslContextFactory(tls);
    return connector;
  }

  /**
   * Starts a host that speaks HTTP/1.1 and cleartext HTTP/2 (h2c, prior knowledge) on one port,
   * with a client that speaks only HTTP/2.
   */
  public static GatewayHost startH2c(Gateway gateway) throws Exception {
    return new GatewayHost(GatewayServer.builder().gateway(gateway).permissiveUris(true).h2c(true),
        new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client())), 0);
  }

  public HttpClient client() {
    return client;
  }

  /** Returns the gateway handler the host mounts. */
  public JettyGatewayHandler handler() {
    return server.handler();
  }

  /** Returns the host's server. */
  public Server server() {
    return server.jettyServer();
  }

  public int port() {
    return server.port();
  }

  /** Returns the host's URI for {@code pathQuery}, e.g. {@code http://127.0.0.1:port/api?x=1}. */
  public String uri(String pathQuery) {
    return baseUri() + pathQuery;
  }

  public URI baseUri() {
    return server.baseUri();
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
