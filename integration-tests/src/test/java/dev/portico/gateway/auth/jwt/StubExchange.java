package dev.portico.gateway.auth.jwt;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.Route;
import dev.portico.gateway.auth.Identity;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An exchange for calling an authenticator directly, without a gateway around it. */
record StubExchange(GatewayRequest request) implements Exchange {
  private static final Route ROUTE = Route.builder("api").path("/api/**").upstream("http://127.0.0.1:9").build();

  @Override
  public String requestId() {
    return "test-request";
  }

  @Override
  public Route route() {
    return ROUTE;
  }

  @Override
  public Map<String, String> pathVariables() {
    return Map.of();
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return new InetSocketAddress("127.0.0.1", 40000);
  }

  @Override
  public String clientIp() {
    return "127.0.0.1";
  }

  @Override
  public Optional<Identity> identity() {
    return Optional.empty();
  }

  @Override
  public List<X509Certificate> clientCertificates() {
    return List.of();
  }

  @Override
  public Exchange withRequest(GatewayRequest request) {
    return new StubExchange(request);
  }
}
