package dev.portico.gateway.test;

import static java.util.Objects.requireNonNull;

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
 * An {@link Exchange} made by hand, for calling an authenticator, rate limiter, key resolver, load
 * balancer or filter directly, without a server around it. Immutable: each {@code with}-style
 * method returns a copy.
 *
 * <pre>{@code
 * Exchange exchange = TestExchange.get("/api/orders", "Authorization", "Bearer " + token)
 *     .from("203.0.113.9")
 *     .as("alice");
 * AuthResult result = authenticator.authenticate(exchange).toCompletableFuture().join();
 * }</pre>
 *
 * <p>By default the exchange is on a catch-all route {@code "test"}, comes from {@code 127.0.0.1},
 * carries no identity and no client certificate, and has request id {@code "test-request"}.
 */
public final class TestExchange implements Exchange {
  private static final Route DEFAULT_ROUTE = route("test");

  private final Route route;
  private final GatewayRequest request;
  private final String clientIp;
  private final Optional<Identity> identity;
  private final List<X509Certificate> clientCertificates;

  private TestExchange(Route route, GatewayRequest request, String clientIp, Optional<Identity> identity,
      List<X509Certificate> clientCertificates) {
    this.route = route;
    this.request = request;
    this.clientIp = clientIp;
    this.identity = identity;
    this.clientCertificates = clientCertificates;
  }

  /** Returns an exchange for {@code request} on the default route. */
  public static TestExchange of(GatewayRequest request) {
    return new TestExchange(DEFAULT_ROUTE, requireNonNull(request, "request"), "127.0.0.1", Optional.empty(), List.of());
  }

  /**
   * Returns a GET of {@code path} with the given header names and values, in pairs:
   * {@code get("/x", "Accept", "text/plain", "X-Key", "k1")}.
   *
   * @throws IllegalArgumentException if a name has no value
   */
  public static TestExchange get(String path, String... headerNamesAndValues) {
    requireNonNull(path, "path");
    if (headerNamesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("headerNamesAndValues: " + headerNamesAndValues.length
          + " strings (expected: name, value pairs)");
    }
    GatewayRequest.Builder request = GatewayRequest.builder("GET", path);
    for (int i = 0; i < headerNamesAndValues.length; i += 2) {
      request.addHeader(headerNamesAndValues[i], headerNamesAndValues[i + 1]);
    }
    return of(request.build());
  }

  /** Returns a GET of {@code /} on a catch-all route named {@code routeId}. */
  public static TestExchange on(String routeId) {
    return new TestExchange(route(requireNonNull(routeId, "routeId")), GatewayRequest.builder("GET", "/").build(),
        "127.0.0.1", Optional.empty(), List.of());
  }

  private static Route route(String id) {
    return Route.builder(id).path("/**").upstream("http://127.0.0.1:9").build();
  }

  /** Returns a copy on {@code route}. */
  public TestExchange route(Route route) {
    return new TestExchange(requireNonNull(route, "route"), request, clientIp, identity, clientCertificates);
  }

  /** Returns a copy from client address {@code ip} (an IPv4 or IPv6 literal). */
  public TestExchange from(String ip) {
    return new TestExchange(route, request, requireNonNull(ip, "ip"), identity, clientCertificates);
  }

  /** Returns a copy authenticated as {@code subject}, with no other claims. */
  public TestExchange as(String subject) {
    return as(Identity.builder(requireNonNull(subject, "subject")).build());
  }

  /** Returns a copy authenticated as {@code identity}. */
  public TestExchange as(Identity identity) {
    return new TestExchange(route, request, clientIp, Optional.of(requireNonNull(identity, "identity")),
        clientCertificates);
  }

  /** Returns a copy whose request has header {@code name} set to {@code value} (replacing others of that name). */
  public TestExchange header(String name, String value) {
    return new TestExchange(route, request.toBuilder().header(name, value).build(), clientIp, identity,
        clientCertificates);
  }

  /** Returns a copy whose client presented {@code chain} (leaf first) in the TLS handshake. */
  public TestExchange clientCertificates(List<X509Certificate> chain) {
    return new TestExchange(route, request, clientIp, identity, List.copyOf(chain));
  }

  @Override
  public String requestId() {
    return "test-request";
  }

  @Override
  public Route route() {
    return route;
  }

  @Override
  public GatewayRequest request() {
    return request;
  }

  @Override
  public Map<String, String> pathVariables() {
    return Map.of();
  }

  /** Returns {@link #clientIp()} at port 40000. */
  @Override
  public InetSocketAddress remoteAddress() {
    return new InetSocketAddress(clientIp, 40000);
  }

  @Override
  public String clientIp() {
    return clientIp;
  }

  @Override
  public Optional<Identity> identity() {
    return identity;
  }

  @Override
  public List<X509Certificate> clientCertificates() {
    return clientCertificates;
  }

  @Override
  public TestExchange withRequest(GatewayRequest request) {
    return new TestExchange(route, requireNonNull(request, "request"), clientIp, identity, clientCertificates);
  }

  @Override
  public String toString() {
    return "TestExchange{" + request.method() + " " + request.path() + " on " + route.id() + " from " + clientIp
        + identity.map(i -> " as " + i.subject()).orElse("") + "}";
  }
}
