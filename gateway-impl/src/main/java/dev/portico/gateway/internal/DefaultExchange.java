package dev.portico.gateway.internal;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.Route;
import dev.portico.gateway.auth.Identity;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The engine's {@link Exchange}. Not public API. */
final class DefaultExchange implements Exchange {
  private final ExchangeRun run;
  private final GatewayRequest request;

  DefaultExchange(ExchangeRun run, GatewayRequest request) {
    this.run = run;
    this.request = request;
  }

  @Override
  public String requestId() {
    return run.requestId();
  }

  @Override
  public Route route() {
    return run.route().route();
  }

  @Override
  public GatewayRequest request() {
    return request;
  }

  @Override
  public Map<String, String> pathVariables() {
    return run.pathVariables();
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return run.client().remoteAddress();
  }

  @Override
  public String clientIp() {
    return run.clientIp();
  }

  @Override
  public Optional<Identity> identity() {
    return Optional.ofNullable(run.identity());
  }

  @Override
  public List<X509Certificate> clientCertificates() {
    return run.client().clientCertificates();
  }

  @Override
  public Exchange withRequest(GatewayRequest request) {
    return new DefaultExchange(run, java.util.Objects.requireNonNull(request, "request"));
  }

  @Override
  public String toString() {
    return "Exchange{" + run.requestId() + " " + request + "}";
  }
}
