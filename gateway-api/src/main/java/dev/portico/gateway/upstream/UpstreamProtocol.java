package dev.portico.gateway.upstream;

/**
 * The HTTP version the gateway speaks to a group's endpoints, whatever the client used.
 */
public enum UpstreamProtocol {
  /** HTTP/1.1 with keep-alive: a pool of connections per endpoint, one request at a time on each. */
  HTTP_1_1,
  /**
   * HTTP/2: cleartext with prior knowledge (h2c) to {@code http} endpoints, negotiated by ALPN
   * ({@code h2}) with {@code https} ones. Many requests share each connection as streams.
   */
  HTTP_2
}
