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

/** An {@link Exchange} made by hand, for limiters and key resolvers tested without HTTP. */
public record TestExchange(Route route, GatewayRequest request, String clientIp, Optional<Identity> identity)
    implements Exchange {

  /** A GET on route {@code routeId} from 127.0.0.1, without identity. */
  public static TestExchange on(String routeId) {
    Route route = Route.builder(routeId).path("/**").upstream("http://upstream:8080").build();
    return new TestExchange(route, GatewayRequest.builder("GET", "/").build(), "127.0.0.1", Optional.empty());
  }

  public TestExchange from(String ip) {
    return new TestExchange(route, request, ip, identity);
  }

  public TestExchange as(String subject) {
    return as(Identity.builder(subject).build());
  }

  public TestExchange as(Identity identity) {
    return new TestExchange(route, request, clientIp, Optional.of(identity));
  }

  public TestExchange header(String name, String value) {
    return new TestExchange(route, request.toBuilder().header(name, value).build(), clientIp, identity);
  }

  @Override
  public String requestId() {
    return "test";
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
  public List<X509Certificate> clientCertificates() {
    return List.of();
  }

  @Override
  public Exchange withRequest(GatewayRequest request) {
    return new TestExchange(route, request, clientIp, identity);
  }
}
