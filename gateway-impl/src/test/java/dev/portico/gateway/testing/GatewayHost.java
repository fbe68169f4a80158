package dev.portico.gateway.testing;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import java.net.URI;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A host application: a Jetty 12 core server on an ephemeral loopback port whose handler is the
 * gateway followed by the host's own handler (which answers 200 "host" to whatever the gateway
 * hands back), plus a Jetty client to call it.
 */
public final class GatewayHost implements AutoCloseable {
  public static final String HOST_BODY = "answered by the host's own handler";

  private final Server server;
  private final ServerConnector connector;
  private final HttpClient client;

  private GatewayHost(Gateway gateway, boolean permissiveUris, int requestHeaderSize) throws Exception {
    server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    if (requestHeaderSize > 0) {
      config.setRequestHeaderSize(requestHeaderSize);
    }
    if (permissiveUris) {
      // Let ambiguous URIs reach the gateway, so tests see Portico's own refusal rather than Jetty's.
      config.setUriCompliance(UriCompliance.UNSAFE);
    }
    connector = new ServerConnector(server, new HttpConnectionFactory(config));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new Handler.Sequence(JettyGatewayHandler.create(gateway), new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        Content.Sink.write(response, true, HOST_BODY, callback);
        return true;
      }
    }));
    server.start();
    client = new HttpClient();
    if (requestHeaderSize > 0) {
      client.setRequestBufferSize(requestHeaderSize);
    }
    client.setFollowRedirects(false);
    client.start();
  }

  /** Starts a host whose server lets every URI through to the gateway. */
  public static GatewayHost start(Gateway gateway) throws Exception {
    return new GatewayHost(gateway, true, 0);
  }

  /**
   * Starts a host whose server accepts request headers up to {@code requestHeaderSize} bytes (Jetty's
   * default is 8 KiB), so oversized credentials reach the gateway instead of Jetty's 431.
   */
  public static GatewayHost startWithRequestHeaderSize(Gateway gateway, int requestHeaderSize) throws Exception {
    return new GatewayHost(gateway, true, requestHeaderSize);
  }

  /** Starts a host; {@code permissiveUris} false keeps Jetty's default URI compliance. */
  public static GatewayHost start(Gateway gateway, boolean permissiveUris) throws Exception {
    return new GatewayHost(gateway, permissiveUris, 0);
  }

  public HttpClient client() {
    return client;
  }

  public int port() {
    return connector.getLocalPort();
  }

  public String uri(String pathQuery) {
    return "http://127.0.0.1:" + port() + pathQuery;
  }

  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port());
  }

  @Override
  public void close() throws Exception {
    client.stop();
    server.stop();
  }
}
