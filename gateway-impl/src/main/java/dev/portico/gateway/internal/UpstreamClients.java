package dev.portico.gateway.internal;

import dev.portico.gateway.UpstreamTls;
import dev.portico.gateway.upstream.UpstreamGroup;
import dev.portico.gateway.upstream.UpstreamProtocol;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpClientTransport;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * The Jetty {@link HttpClient}s that call upstreams: one per distinct (TLS settings, connect
 * timeout, protocol, pool limits), created when the engine is built and started with it. Each is
 * configured as a proxy needs: no redirects, no cookie store, no content decoding, no
 * {@code User-Agent} of its own. The pool settings come from the upstream group (connections per
 * endpoint, idle timeout; HTTP/1.1 keeps connections alive), the connect timeout from the route.
 * Not public API.
 */
final class UpstreamClients {
  private record Profile(@Nullable UpstreamTls tls, long connectTimeoutMillis, UpstreamProtocol protocol,
      int maxConnections, long idleTimeoutMillis) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Profile p && p.tls == tls && p.connectTimeoutMillis == connectTimeoutMillis
          && p.protocol == protocol && p.maxConnections == maxConnections && p.idleTimeoutMillis == idleTimeoutMillis;
    }

    @Override
    public int hashCode() {
      return ((System.identityHashCode(tls) * 31 + Long.hashCode(connectTimeoutMillis)) * 31 + protocol.hashCode()) * 31
          + maxConnections;
    }
  }

  private final Map<Profile, HttpClient> clients = new LinkedHashMap<>();

  /** Returns the client for {@code group}'s endpoints with {@code connectTimeoutMillis}; only while the engine is built. */
  HttpClient client(UpstreamGroup group, long connectTimeoutMillis) {
    Profile profile = new Profile(group.tls().orElse(null), connectTimeoutMillis, group.protocol(),
        group.maxConnectionsPerEndpoint(), group.connectionIdleTimeout().toMillis());
    return clients.computeIfAbsent(profile, UpstreamClients::newClient);
  }

  void start() throws Exception {
    for (HttpClient client : clients.values()) {
      client.start();
    }
  }

  void stop() throws Exception {
    Exception first = null;
    for (HttpClient client : new ArrayList<>(clients.values())) {
      try {
        client.stop();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static HttpClient newClient(Profile profile) {
    SslContextFactory.Client ssl = new SslContextFactory.Client();
    UpstreamTls tls = profile.tls();
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
    ClientConnector connector = new ClientConnector();
    connector.setSslContextFactory(ssl);
    connector.setConnectTimeout(java.time.Duration.ofMillis(profile.connectTimeoutMillis()));
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("portico-upstream");
    threads.setDaemon(true);
    connector.setExecutor(threads);
    // HTTP/2: h2c with prior knowledge to http endpoints, ALPN h2 to https ones (jetty-alpn-java-client).
    HttpClientTransport transport = profile.protocol() == UpstreamProtocol.HTTP_2
        ? new HttpClientTransportOverHTTP2(new HTTP2Client(connector))
        : new HttpClientTransportOverHTTP(connector);
    HttpClient client = new HttpClient(transport);
    client.setExecutor(threads);
    client.setFollowRedirects(false);
    client.setHttpCookieStore(new HttpCookieStore.Empty());
    client.getContentDecoderFactories().clear();
    client.setUserAgentField(null);
    client.setConnectTimeout(profile.connectTimeoutMillis());
    client.setMaxConnectionsPerDestination(profile.maxConnections());
    client.setIdleTimeout(profile.idleTimeoutMillis());
    return client;
  }
}
