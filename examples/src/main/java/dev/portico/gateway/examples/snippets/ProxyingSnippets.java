package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Timeouts;
import dev.portico.gateway.Upstream;
import dev.portico.gateway.UpstreamTls;
import java.io.File;
import java.security.KeyStore;
import java.time.Duration;

/** The proxying page: forwarding, Host, timeouts, TLS upstreams and streaming. */
final class ProxyingSnippets {
  private ProxyingSnippets() {}

  static Gateway trustedProxies() {
    // tag::trusted-proxies[]
    Gateway gateway = Gateway.builder()
        // The load balancer in front of the host connects from 10.1.0.0/16: keep the
        // client address and scheme it reports, and append to them.
        .trustedProxies("10.1.0.0/16", "127.0.0.1")
        .route("orders", r -> r.path("/api/orders/**").upstream("http://orders:8080"))
        .build();
    // end::trusted-proxies[]
    return gateway;
  }

  static Gateway preserveHost() {
    // tag::preserve-host[]
    Gateway gateway = Gateway.builder()
        // The upstream serves several sites and picks one by the Host the client asked for.
        .route("sites", r -> r
            .path("/**")
            .hosts("*.sites.example.com")
            .preserveHost()
            .upstream("http://sites-backend:8080"))
        .build();
    // end::preserve-host[]
    return gateway;
  }

  static Gateway timeouts() {
    // tag::timeouts[]
    Gateway gateway = Gateway.builder()
        .route("reports", r -> r
            .path("/api/reports/**")
            .upstream("http://reports:8080")
            .connectTimeout(Duration.ofSeconds(2))     // TCP connect and TLS handshake
            .responseTimeout(Duration.ofMinutes(2))    // request sent -> response headers
            .idleTimeout(Duration.ofMinutes(5)))       // silence in either direction
        .route("uploads", r -> r
            .path("/api/uploads/**")
            .upstream("http://files:8080")
            .requestBodyTimeout(Duration.ofMinutes(10))) // first read of the body -> its last byte
        .route("search", r -> r
            .path("/api/search/**")
            .upstream("http://search:8080")
            .timeouts(Timeouts.DEFAULT.withResponse(Duration.ofSeconds(3))))
        .build();
    // end::timeouts[]
    return gateway;
  }

  static Gateway tls(char[] password) throws Exception {
    // tag::tls[]
    KeyStore internalCa = KeyStore.getInstance(new File("internal-ca.p12"), password);
    KeyStore gatewayIdentity = KeyStore.getInstance(new File("gateway.p12"), password);

    Upstream billing = Upstream.builder("https://billing.internal:8443")
        .tls(UpstreamTls.builder()
            .trustStore(internalCa)                 // trust the internal CA, not the JVM's
            .keyStore(gatewayIdentity, password)    // present a client certificate (mTLS)
            .build())
        .build();

    Gateway gateway = Gateway.builder()
        .route("billing", r -> r.path("/api/billing/**").upstream(billing))
        // no UpstreamTls: verified against the JVM's default trust store
        .route("partner", r -> r.path("/partner/**").upstream("https://api.partner.example"))
        .build();
    // end::tls[]
    return gateway;
  }

  static Gateway serverSentEvents() {
    // tag::sse[]
    Gateway gateway = Gateway.builder()
        .route("events", r -> r
            .path("/events/**")
            .methods("GET")
            .upstream("http://notifications:8080")
            // A stream that stays silent longer than the idle timeout is aborted:
            // allow for the longest quiet spell between two events.
            .idleTimeout(Duration.ofMinutes(10)))
        .build();
    // end::sse[]
    return gateway;
  }
}
