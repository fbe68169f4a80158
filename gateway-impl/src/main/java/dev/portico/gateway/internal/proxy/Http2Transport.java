package dev.portico.gateway.internal.proxy;

import dev.portico.gateway.internal.spi.OptionalLibrary;
import org.eclipse.jetty.client.HttpClientTransport;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;

/**
 * The HTTP/2 transport of an upstream group with {@code protocol(HTTP_2)}: h2c with prior
 * knowledge to {@code http} endpoints, h2 negotiated by ALPN with {@code https} ones. Its own
 * class, loaded only for such groups, because Jetty's HTTP/2 client and the JDK's ALPN processor
 * are optional dependencies of gateway-impl. Not public API.
 */
final class Http2Transport {
  private Http2Transport() {}

  /**
   * Returns a new HTTP/2 transport on {@code connector}.
   *
   * @throws IllegalStateException naming the group and the artifact to add, when one is missing
   */
  static HttpClientTransport create(String group, ClientConnector connector) {
    try {
      OptionalLibrary.JETTY_HTTP2_CLIENT.require("protocol HTTP_2");
      OptionalLibrary.JETTY_ALPN_JAVA_CLIENT.require("protocol HTTP_2 (h2 to https endpoints)");
    } catch (IllegalStateException e) {
      throw new IllegalStateException("upstream group '" + group + "': " + e.getMessage(), e);
    }
    return new HttpClientTransportOverHTTP2(new HTTP2Client(connector));
  }
}
