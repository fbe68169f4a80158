package dev.portico.gateway.internal.proxy;

import dev.portico.gateway.UpstreamTls;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.jspecify.annotations.Nullable;

/**
 * Turns {@link UpstreamTls} settings into a Jetty client {@link SslContextFactory}: for upstream
 * calls and for the endpoints authenticators talk to (introspection, JWKS). Not public API.
 */
public final class ClientTls {
  private ClientTls() {}

  /**
   * Returns a client TLS factory: the JVM's trust store and host name verification when
   * {@code tls} is null, else its trust store, client key and verification choice.
   */
  public static SslContextFactory.Client factory(@Nullable UpstreamTls tls) {
    SslContextFactory.Client ssl = new SslContextFactory.Client();
    if (tls != null) {
      tls.trustStore().ifPresent(ssl::setTrustStore);
      tls.keyStore().ifPresent(ks -> {
        ssl.setKeyStore(ks);
        String password = new String(tls.keyPassword().orElse(new char[0]));
        ssl.setKeyStorePassword(password);
        ssl.setKeyManagerPassword(password);
      });
      if (!tls.verifyHostname()) {
        ssl.setEndpointIdentificationAlgorithm(null);
      }
    }
    return ssl;
  }
}
