package dev.portico.gateway.internal;

import dev.portico.gateway.Route;
import dev.portico.gateway.Upstream;
import dev.portico.gateway.UpstreamTls;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * The Jetty {@link HttpClient}s that call upstreams: one per distinct (TLS settings, connect
 * timeout), created when the engine is built and started with it. Each is configured as a proxy
 * needs: no redirects, no cookie store, no content decoding, no {@code User-Agent} of its own.
 * Not public API.
 */
final class UpstreamClients {
  /** Upstream response heads above this many bytes are refused: Jetty's default response header size. */
  static final int MAX_RESPONSE_HEADERS_SIZE = 8 * 1024;

  private record Profile(@Nullable UpstreamTls tls, long connectTimeoutMillis) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Profile p && p.tls == tls && p.connectTimeoutMillis == connectTimeoutMillis;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(tls) * 31 + Long.hashCode(connectTimeoutMillis);
    }
  }

  private final Map<Profile, HttpClient> clients = new LinkedHashMap<>();
  private final Map<Route, HttpClient> byRoute = new IdentityHashMap<>();

  UpstreamClients(List<Route> routes) {
    for (Route route : routes) {
      Upstream upstream = route.upstream();
      Profile profile = new Profile(upstream.tls().orElse(null), route.timeouts().connect().toMillis());
      HttpClient client = clients.computeIfAbsent(profile, UpstreamClients::newClient);
      byRoute.put(route, client);
    }
  }

  HttpClient forRoute(Route route) {
    return Objects.requireNonNull(byRoute.get(route), "no client for route");
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
    SslContextFactory.Client ssl = ClientTls.factory(profile.tls());
    ClientConnector connector = new ClientConnector();
    connector.setSslContextFactory(ssl);
    connector.setConnectTimeout(java.time.Duration.ofMillis(profile.connectTimeoutMillis()));
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("portico-upstream");
    threads.setDaemon(true);
    connector.setExecutor(threads);
    HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
    client.setExecutor(threads);
    client.setFollowRedirects(false);
    client.setHttpCookieStore(new HttpCookieStore.Empty());
    client.getContentDecoderFactories().clear();
    client.setUserAgentField(null);
    client.setConnectTimeout(profile.connectTimeoutMillis());
    client.setMaxConnectionsPerDestination(1024);
    client.setIdleTimeout(30_000);
    // An upstream response head larger than the host can write back (Jetty's default response header
    // size) fails here, as an invalid response (502), not later in the host's generator (a bare 500).
    client.setMaxResponseHeadersSize(MAX_RESPONSE_HEADERS_SIZE);
    return client;
  }
}
