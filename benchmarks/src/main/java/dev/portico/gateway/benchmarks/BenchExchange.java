package dev.portico.gateway.benchmarks;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.Route;
import dev.portico.gateway.auth.Identity;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An {@link Exchange} made by hand, for authenticators and limiters measured without HTTP. */
record BenchExchange(Route route, GatewayRequest request, String clientIp, Optional<Identity> identity)
    implements Exchange {

  private static final Route ROUTE = Route.builder("bench").path("/**").upstream("http://127.0.0.1:9").build();

  static BenchExchange get(String path, String... headerNamesAndValues) {
    GatewayRequest.Builder request = GatewayRequest.builder("GET", path);
    for (int i = 0; i < headerNamesAndValues.length; i += 2) {
      request.addHeader(headerNamesAndValues[i], headerNamesAndValues[i + 1]);
    }
    return new BenchExchange(ROUTE, request.build(), "127.0.0.1", Optional.empty());
  }

  BenchExchange from(String ip) {
    return new BenchExchange(route, request, ip, identity);
  }

  @Override
  public String requestId() {
    return "bench-request";
  }

  @Override
  public Map<String, String> pathVariables() {
    return Map.of();
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return InetSocketAddress.createUnresolved(clientIp, 40000);
  }

  @Override
  public List<X509Certificate> clientCertificates() {
    return List.of();
  }

  @Override
  public Exchange withRequest(GatewayRequest request) {
    return new BenchExchange(route, request, clientIp, identity);
  }
}
