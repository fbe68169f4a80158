package dev.portico.gateway.internal.proxy;

import dev.portico.gateway.UpstreamTls;
import dev.portico.gateway.upstream.UpstreamGroup;
import dev.portico.gateway.upstream.UpstreamProtocol;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpClientTransport;
import org.eclipse.jetty.client.ProxyAuthenticationProtocolHandler;
import org.eclipse.jetty.client.WWWAuthenticationProtocolHandler;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jetty {@link HttpClient}s that call upstreams: one per distinct (TLS settings, connect
 * timeout, protocol, pool limits), created when a configuration is compiled and shared by the
 * configurations a runtime swaps in, so equal settings never restart a client. Each is configured
 * as a proxy needs: no redirects, no cookie store, no content decoding, no {@code User-Agent} of
 * its own; its threads are named {@code portico-upstream*}. The pool settings come from the
 * upstream group (connections per endpoint, idle timeout; HTTP/1.1 keeps connections alive, HTTP/2
 * multiplexes), the connect timeout from the route. Not public API.
 */
public final class UpstreamClients {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamClients.class);

  /** Upstream response heads above this many bytes are refused: Jetty's default response header size. */
  static final int MAX_RESPONSE_HEADERS_SIZE = 8 * 1024;

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
  /** The host server's threads and scheduler, when the adapter can share them; else each client has its own. */
  private @Nullable Executor hostExecutor;
  private @Nullable Scheduler hostScheduler;
  // Shared by every configuration a runtime has run (reconfiguration): a client is made the first
  // time a profile is asked for, started at once if the pool runs, and stopped when no
  // configuration still in use needs it (retain). Guarded by this.
  private boolean started;

  /**
   * Returns the client for {@code group}'s endpoints with {@code connectTimeoutMillis}: an existing
   * one with the same settings (the same {@code UpstreamTls} instance), or a new one, started if the
   * pool runs.
   *
   * @throws IllegalStateException when a new client cannot be started
   */
  public synchronized HttpClient client(UpstreamGroup group, long connectTimeoutMillis) {
    Profile profile = new Profile(group.tls().orElse(null), connectTimeoutMillis, group.protocol(),
        group.maxConnectionsPerEndpoint(), group.connectionIdleTimeout().toMillis());
    HttpClient client = clients.get(profile);
    if (client == null) {
      client = newClient(profile, group.name());
      if (started) {
        try {
          start(client);
        } catch (Exception e) {
          throw new IllegalStateException("upstream group '" + group.name() + "': cannot start an upstream client: " + e, e);
        }
      }
      clients.put(profile, client);
    }
    return client;
  }

  /**
   * Runs the clients on the host server's {@code executor} and {@code scheduler} instead of their
   * own threads: one pool for both legs of an exchange means fewer threads and hand-offs. Takes
   * effect for clients started from now on; called before {@link #start()}.
   */
  public synchronized void useHostThreads(Executor executor, Scheduler scheduler) {
    this.hostExecutor = executor;
    this.hostScheduler = scheduler;
  }

  public synchronized void start() throws Exception {
    started = true;
    for (HttpClient client : clients.values()) {
      start(client);
    }
  }

  private void start(HttpClient client) throws Exception {
    if (!client.isStarted()) {
      if (hostExecutor != null && hostScheduler != null) {
        client.setExecutor(hostExecutor);
        client.setScheduler(hostScheduler);
      } else {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("portico-upstream");
        threads.setDaemon(true);
        client.setExecutor(threads);
        // Named, so a host (and the shutdown test) can tell the gateway's threads from its own.
        client.setScheduler(new ScheduledExecutorScheduler("portico-upstream-scheduler", true));
      }
    }
    // Content codings pass through untouched (and jetty-compression is not needed).
    UndecodedContent.start(client);
    // An upstream's 401 or 407 is the client's to answer: Jetty's authentication handlers would
    // hold its body (and fail past 16 KiB) looking for credentials the gateway never has.
    client.getProtocolHandlers().remove(WWWAuthenticationProtocolHandler.NAME);
    client.getProtocolHandlers().remove(ProxyAuthenticationProtocolHandler.NAME);
  }

  /** Stops and forgets the clients not in {@code inUse}: no configuration that still runs needs them. */
  public synchronized void retain(Set<HttpClient> inUse) {
    for (Iterator<HttpClient> it = clients.values().iterator(); it.hasNext(); ) {
      HttpClient client = it.next();
      if (!inUse.contains(client)) {
        it.remove();
        try {
          client.stop();
        } catch (Exception e) {
          LOG.warn("cannot stop an upstream client: {}", e.toString());
        }
      }
    }
  }

  public synchronized void stop() throws Exception {
    started = false;
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

  private static HttpClient newClient(Profile profile, String group) {
    ClientConnector connector = new ClientConnector();
    connector.setSslContextFactory(ClientTls.factory(profile.tls()));
    connector.setConnectTimeout(java.time.Duration.ofMillis(profile.connectTimeoutMillis()));
    // HTTP/2: h2c with prior knowledge to http endpoints, ALPN h2 to https ones (jetty-alpn-java-client).
    HttpClientTransport transport;
    if (profile.protocol() == UpstreamProtocol.HTTP_2) {
      transport = Http2Transport.create(group, connector);   // its jars are optional
    } else {
      HttpClientTransportOverHTTP http11 = new HttpClientTransportOverHTTP(connector);
      // Response header values exactly as the upstream sent them: Jetty's per-connection cache of
      // fields seen before matches them ignoring case by default, and is slow for long mixed-case
      // values (cookies) when it matches case. So no cache (see ExactHeaderValues).
      http11.setHeaderCacheSize(0);
      http11.setHeaderCacheCaseSensitive(true);
      transport = http11;
    }
    HttpClient client = new HttpClient(transport);
    client.setFollowRedirects(false);
    client.setHttpCookieStore(new HttpCookieStore.Empty());
    client.setUserAgentField(null);
    // A body the client sent without Content-Type goes without one (Jetty would add application/octet-stream).
    client.setDefaultRequestContentType(null);
    client.setConnectTimeout(profile.connectTimeoutMillis());
    client.setMaxConnectionsPerDestination(profile.maxConnections());
    client.setIdleTimeout(profile.idleTimeoutMillis());
    // An upstream response head larger than the host can write back (Jetty's default response header
    // size) fails here, as an invalid response (502), not later in the host's generator (a bare 500).
    client.setMaxResponseHeadersSize(MAX_RESPONSE_HEADERS_SIZE);
    return client;
  }
}
