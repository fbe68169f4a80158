package dev.portico.gateway;

import dev.portico.gateway.auth.Identity;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One request's passage through the gateway, as filters see it: the matched route, the request,
 * the route's path variables, the client and the request id.
 *
 * <p>Immutable: a filter that changes the request passes {@link #withRequest(GatewayRequest)} on
 * to the chain. Implementations are supplied by the engine.
 */
public interface Exchange {

  /** Returns the request id: the client's well-formed {@code X-Request-Id}, or a generated one. */
  String requestId();

  /** Returns the route that matched. */
  Route route();

  /** Returns the request as it will be sent upstream. */
  GatewayRequest request();

  /**
   * Returns the variables the route's path pattern captured ({@code /users/{id}} captures
   * {@code id}), still percent-encoded as in the normalized path.
   */
  Map<String, String> pathVariables();

  /** Returns the address of the peer that connected to the host server (a proxy, or the client). */
  InetSocketAddress remoteAddress();

  /**
   * Returns the client's IP address: the peer's, or, when the peer is a trusted proxy, the
   * right-most address in {@code X-Forwarded-For} that is not itself a trusted proxy.
   */
  String clientIp();

  /**
   * Returns the authenticated identity once the route's authenticator accepted the request; empty
   * before authentication, on {@code permitAll()} routes, and in global filters.
   */
  Optional<Identity> identity();

  /**
   * Returns the client certificate chain the host's TLS connector verified, leaf first; empty for
   * plain connections or when the host did not ask for a client certificate.
   */
  List<X509Certificate> clientCertificates();

  /** Returns a copy of this exchange with {@code request}. */
  Exchange withRequest(GatewayRequest request);
}
