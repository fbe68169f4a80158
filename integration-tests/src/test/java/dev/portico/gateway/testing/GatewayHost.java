package dev.portico.gateway.testing;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.test.GatewayServer;
import java.net.URI;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

/**
 * A host application: the kit's {@link GatewayServer} (a Jetty 12 core server on an ephemeral
 * loopback port) whose gateway is followed by the host's own handler (which answers 200
 * {@link #HOST_BODY} to whatever the gateway hands back), called with the server's own client. The
 * front connection is HTTP/1.1 by default, HTTPS (h2 or http/1.1) with {@link #startHttps} and
 * {@link #startHttpsH2}, or HTTP/1.1 and cleartext HTTP/2 with {@link #startH2c} (whose client
 * speaks only HTTP/2). Every URI reaches the gateway unless {@link #start(Gateway, boolean)} says
 * otherwise.
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

  private GatewayHost(GatewayServer.Builder server, boolean http2) throws Exception {
    this.server = server.hostHandler(hostHandler()).start();
    try {
      this.client = http2 ? this.server.http2Client() : this.server.client();
    } catch (Exception e) {
      this.server.close();
      throw e;
    }
  }

  /** Starts a host around {@code handler} (built with an observer, say), letting every URI through. */
  public static GatewayHost start(JettyGatewayHandler handler) throws Exception {
    return new GatewayHost(GatewayServer.builder().handler(handler).permissiveUris(true), false);
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
        .requestHeaderSize(requestHeaderSize), false);
  }

  /** Starts a host; {@code permissiveUris} false keeps Jetty's default URI compliance. */
  public static GatewayHost start(Gateway gateway, boolean permissiveUris) throws Exception {
    return new GatewayHost(GatewayServer.builder().gateway(gateway).permissiveUris(permissiveUris), false);
  }

  /**
   * Starts a host that terminates TLS with the {@code localhost} identity of {@code certificates}
   * and offers h2 and http/1.1 by ALPN, with an HTTP/1.1 client that trusts their CA and addresses
   * the host as {@code https://localhost:port}.
   */
  public static GatewayHost startHttps(Gateway gateway, TestCertificates certificates) throws Exception {
    return new GatewayHost(https(gateway, certificates), false);
  }

  /** Like {@link #startHttps}, with a client that speaks HTTP/2 over TLS. */
  public static GatewayHost startHttpsH2(Gateway gateway, TestCertificates certificates) throws Exception {
    return new GatewayHost(https(gateway, certificates), true);
  }

  private static GatewayServer.Builder https(Gateway gateway, TestCertificates certificates) {
    return GatewayServer.builder().gateway(gateway).permissiveUris(true)
        .tls(certificates.serverIdentity(), new String(TestCertificates.PASSWORD));
  }

  /**
   * Starts a host that speaks HTTP/1.1 and cleartext HTTP/2 (h2c, prior knowledge) on one port,
   * with a client that speaks only HTTP/2.
   */
  public static GatewayHost startH2c(Gateway gateway) throws Exception {
    return new GatewayHost(GatewayServer.builder().gateway(gateway).permissiveUris(true).h2c(true), true);
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

  /** Stops the client and the server. */
  @Override
  public void close() throws Exception {
    server.close();
  }
}
