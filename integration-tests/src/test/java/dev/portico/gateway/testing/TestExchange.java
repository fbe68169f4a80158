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

/**
 * An {@link Exchange} made by hand, for authenticators, limiters and key resolvers tested without
 * HTTP.
 */
public record TestExchange(Route route, GatewayRequest request, String clientIp, Optional<Identity> identity,
    List<X509Certificate> clientCertificates) implements Exchange {

  private static final Route ROUTE = Route.builder("test").path("/**").upstream("http://127.0.0.1:9").build();

  /** A request on a catch-all route from 127.0.0.1, presenting {@code clientCertificates}. */
  public TestExchange(GatewayRequest request, List<X509Certificate> clientCertificates) {
    this(ROUTE, request, "127.0.0.1", Optional.empty(), clientCertificates);
  }

  /** A GET of {@code path} with the given header names and values. */
  public static TestExchange get(String path, String... headerNamesAndValues) {
    GatewayRequest.Builder request = GatewayRequest.builder("GET", path);
    for (int i = 0; i < headerNamesAndValues.length; i += 2) {
      request.addHeader(headerNamesAndValues[i], headerNamesAndValues[i + 1]);
    }
    return new TestExchange(request.build(), List.of());
  }

  /** A GET on route {@code routeId} from 127.0.0.1, without identity. */
  public static TestExchange on(String routeId) {
    Route route = Route.builder(routeId).path("/**").upstream("http://upstream:8080").build();
    return new TestExchange(route, GatewayRequest.builder("GET", "/").build(), "127.0.0.1", Optional.empty(), List.of());
  }

  public TestExchange from(String ip) {
    return new TestExchange(route, request, ip, identity, clientCertificates);
  }

  public TestExchange as(String subject) {
    return as(Identity.builder(subject).build());
  }

  public TestExchange as(Identity identity) {
    return new TestExchange(route, request, clientIp, Optional.of(identity), clientCertificates);
  }

  public TestExchange header(String name, String value) {
    return new TestExchange(route, request.toBuilder().header(name, value).build(), clientIp, identity,
        clientCertificates);
  }

  @Override
  public String requestId() {
    return "test-request";
  }

  @Override
  public Map<String, String> pathVariables() {
    return Map.of();
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return new InetSocketAddress(clientIp, 40000);
  }

  @Override
  public Exchange withRequest(GatewayRequest request) {
    return new TestExchange(route, request, clientIp, identity, clientCertificates);
  }
}
