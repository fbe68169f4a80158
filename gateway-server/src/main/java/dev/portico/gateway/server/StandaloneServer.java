package dev.portico.gateway.server;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.admin.AdminHandler;
import dev.portico.gateway.config.ConfigWatch;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.observe.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running server: a Jetty server with the gateway on one connector and the admin view on
 * another, the configuration file followed. {@link #shutdown()} drains and stops it.
 */
final class StandaloneServer {
  private static final Logger LOG = LoggerFactory.getLogger(PorticoServer.class);
  private static final String ADMIN = "admin";

  private final ServerOptions options;
  private final Server server;
  private final JettyGatewayHandler gateway;
  private final ServerConnector gatewayConnector;
  private final @Nullable ServerConnector adminConnector;
  private final ConfigWatch watch;
  private final Object lock = new Object();
  private boolean stopped;

  private StandaloneServer(ServerOptions options, Server server, JettyGatewayHandler gateway,
      ServerConnector gatewayConnector, @Nullable ServerConnector adminConnector, ConfigWatch watch) {
    this.options = options;
    this.server = server;
    this.gateway = gateway;
    this.gatewayConnector = gatewayConnector;
    this.adminConnector = adminConnector;
    this.watch = watch;
  }

  /**
   * Reads the file and the TLS files, starts the server and follows the file.
   *
   * @throws dev.portico.gateway.config.ConfigException when the file cannot become a gateway
   * @throws ServerTls.InvalidTls when a TLS file or password is wrong
   * @throws IllegalStateException when a route's policy cannot be compiled
   * @throws Exception when the server cannot start (a port in use)
   */
  static StandaloneServer start(ServerOptions options) throws Exception {
    SslContextFactory.Server tls = options.tls() == null ? null : ServerTls.load(options.tls());
    Gateway first = GatewayConfig.load(options.file());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    GatewayObserver metrics = MicrometerMetrics.create(registry);
    JettyGatewayHandler gateway = JettyGatewayHandler.builder(first).observer(metrics).build();
    // Followed before the server starts, so the admin view has the file's status from its first request.
    ConfigWatch watch = GatewayConfig.builder().build().follow(options.file(), gateway, metrics);

    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("portico");
    Server server = new Server(threads);
    server.setErrorHandler(new ProblemErrorHandler());
    ServerConnector gatewayConnector = gatewayConnector(server, tls, options.http2());
    gatewayConnector.setHost(options.host());
    gatewayConnector.setPort(options.port());
    server.addConnector(gatewayConnector);
    ServerConnector adminConnector = null;
    Handler handler;
    if (options.adminPort() >= 0) {
      // Plain HTTP/1.1 on loopback: the admin view is for operators on the machine (or a tunnel).
      adminConnector = new ServerConnector(server, new HttpConnectionFactory(httpConfiguration()));
      adminConnector.setName(ADMIN);
      adminConnector.setHost(options.adminHost());
      adminConnector.setPort(options.adminPort());
      server.addConnector(adminConnector);
      // The admin view answers every request on the admin connector, and only there.
      AdminHandler view = AdminHandler.builder(gateway)
          .metrics(registry::scrape)
          .configuration(watch::status)
          .build();
      ContextHandler admin = new ContextHandler(view, "/");
      admin.setVirtualHosts(List.of("@" + ADMIN));
      handler = new Handler.Sequence(admin, gateway, new NoRouteHandler());
    } else {
      handler = new Handler.Sequence(gateway, new NoRouteHandler());
    }
    server.setHandler(handler);
    try {
      server.start();
    } catch (Exception e) {
      watch.close();
      stopQuietly(server);
      throw e;
    }
    StandaloneServer started = new StandaloneServer(options, server, gateway, gatewayConnector, adminConnector, watch);
    LOG.info("gateway on {} ({}), routes {}", started.describe(gatewayConnector, tls != null),
        String.join(", ", gatewayConnector.getProtocols()), gateway.gateway().routes().stream().map(r -> r.id()).toList());
    if (adminConnector != null) {
      LOG.info("admin view on {} (/routes, /upstreams, /limiters, /ready, /explain, /metrics, /configuration)",
          started.describe(adminConnector, false));
    }
    LOG.info("following {} (changes are applied live)", watch.file());
    return started;
  }

  /**
   * The gateway's connector: HTTP/1.1 and h2c (prior knowledge or {@code Upgrade: h2c}) on a plain
   * port; over TLS, ALPN choosing h2 or http/1.1 (http/1.1 for a client that offers neither).
   */
  private static ServerConnector gatewayConnector(Server server, SslContextFactory.@Nullable Server tls, boolean http2) {
    HttpConfiguration config = httpConfiguration();
    if (tls == null) {
      HttpConnectionFactory http11 = new HttpConnectionFactory(config);
      return http2 ? new ServerConnector(server, http11, new HTTP2CServerConnectionFactory(config))
          : new ServerConnector(server, http11);
    }
    // The client certificate and the TLS session reach the gateway's exchange (mutual TLS routes).
    // Jetty's SNI host check stays on: a request whose Host is not a name of the certificate the
    // client asked for by SNI is answered 400 (as a problem, by ProblemErrorHandler).
    config.addCustomizer(new SecureRequestCustomizer());
    HttpConnectionFactory http11 = new HttpConnectionFactory(config);
    if (!http2) {
      return new ServerConnector(server, new SslConnectionFactory(tls, http11.getProtocol()), http11);
    }
    ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
    alpn.setDefaultProtocol(http11.getProtocol());
    return new ServerConnector(server, new SslConnectionFactory(tls, alpn.getProtocol()), alpn,
        new HTTP2ServerConnectionFactory(config), http11);
  }

  /** Jetty's defaults, without the {@code Server: Jetty(version)} header (the upstream's passes through). */
  private static HttpConfiguration httpConfiguration() {
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    return config;
  }

  private String describe(ServerConnector connector, boolean tls) {
    String host = connector.getHost() == null ? "0.0.0.0" : connector.getHost();
    return (tls ? "https://" : "http://") + host + ":" + connector.getLocalPort() + "/";
  }

  /** The gateway's port (the one bound, when 0 was asked). */
  int port() {
    return gatewayConnector.getLocalPort();
  }

  /** The admin view's port, or -1 without an admin view. */
  int adminPort() {
    return adminConnector == null ? -1 : adminConnector.getLocalPort();
  }

  /** The watch of the configuration file. */
  ConfigWatch watch() {
    return watch;
  }

  /** Blocks until the server has stopped. */
  void join() throws InterruptedException {
    server.join();
  }

  /**
   * Shuts down gracefully: stops following the file, answers new requests 503
   * {@code shutting-down}, waits up to the drain timeout for the exchanges in flight, aborts what
   * is left, then stops the server. Idempotent; returns once stopped.
   */
  void shutdown() {
    synchronized (lock) {
      if (stopped) {
        return;
      }
      stopped = true;
      watch.close();
      Duration timeout = options.drainTimeout();
      LOG.info("shutting down: new requests are answered 503, waiting up to {} ms for the requests in flight",
          timeout.toMillis());
      long start = System.nanoTime();
      CompletableFuture<Void> drained = gateway.shutdown();
      try {
        drained.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("drained: every request in flight ended, in {} ms",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      } catch (TimeoutException e) {
        LOG.warn("drain timeout: the requests still in flight after {} ms are aborted", timeout.toMillis());
        abortRest();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        LOG.warn("interrupted while draining: the requests still in flight are aborted");
      } catch (ExecutionException e) {
        LOG.warn("draining failed", e.getCause());
      }
      stopQuietly(server);
      LOG.info("stopped");
    }
  }

  private void abortRest() {
    try {
      gateway.shutdown(Duration.ZERO);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("stopping the server", e);
    }
  }
}
