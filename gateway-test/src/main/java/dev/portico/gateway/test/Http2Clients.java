package dev.portico.gateway.test;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.io.ClientConnector;

/**
 * Builds the HTTP/2 clients of {@link GatewayServer}, apart so that the optional HTTP/2 client
 * transport is loaded only when a test asks for one.
 */
final class Http2Clients {
  private static final String TRANSPORT = "org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2";

  private Http2Clients() {}

  static HttpClient create(ClientConnector connector) {
    try {
      Class.forName(TRANSPORT, false, Http2Clients.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("GatewayServer.http2Client() needs org.eclipse.jetty.http2:"
          + "jetty-http2-client-transport on the class path: add it with <scope>test</scope>", e);
    }
    return Transport.create(connector);
  }

  /** Touches the HTTP/2 client classes; loaded only once they are known to be there. */
  private static final class Transport {
    static HttpClient create(ClientConnector connector) {
      return new HttpClient(new org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2(
          new org.eclipse.jetty.http2.client.HTTP2Client(connector)));
    }
  }
}
