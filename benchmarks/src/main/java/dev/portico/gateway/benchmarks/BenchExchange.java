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

/**
 * An {@link Exchange} made by hand, for authenticators, limiters and header rules measured without
 * HTTP. Not public API (the benchmarks module is not published).
 */
public record BenchExchange(Route route, GatewayRequest request, String clientIp, Optional<Identity> identity)
    implements Exchange {

  private static final Route ROUTE = Route.builder("bench").path("/**").upstream("http://127.0.0.1:9").build();

  /** A GET of {@code path} on a catch-all route from 127.0.0.1, with the given header names and values. */
  public static BenchExchange get(String path, String... headerNamesAndValues) {
    GatewayRequest.Builder request = GatewayRequest.builder("GET", path);
    for (int i = 0; i < headerNamesAndValues.length; i += 2) {
      request.addHeader(headerNamesAndValues[i], headerNamesAndValues[i + 1]);
    }
    return new BenchExchange(ROUTE, request.build(), "127.0.0.1", Optional.empty());
  }

  /** The same exchange from client {@code ip}. */
  public BenchExchange from(String ip) {
    return new BenchExchange(route, request, ip, identity);
  }

  /** The same exchange, authenticated as {@code identity}. */
  public BenchExchange as(Identity identity) {
    return new BenchExchange(route, request, clientIp, Optional.of(identity));
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
