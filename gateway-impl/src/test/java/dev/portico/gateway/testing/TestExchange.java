package dev.portico.gateway.testing;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.Route;
import dev.portico.gateway.auth.Identity;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An {@link Exchange} without a server, for calling authenticators and rules directly. */
public record TestExchange(GatewayRequest request, List<X509Certificate> clientCertificates) implements Exchange {
  private static final Route ROUTE = Route.builder("test").path("/**").upstream("http://127.0.0.1:9").build();

  public static TestExchange get(String path, String... headerNamesAndValues) {
    GatewayRequest.Builder request = GatewayRequest.builder("GET", path);
    for (int i = 0; i < headerNamesAndValues.length; i += 2) {
      request.addHeader(headerNamesAndValues[i], headerNamesAndValues[i + 1]);
    }
    return new TestExchange(request.build(), List.of());
  }

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
  public Exchange withRequest(GatewayRequest request) {
    return new TestExchange(request, clientCertificates);
  }
}
