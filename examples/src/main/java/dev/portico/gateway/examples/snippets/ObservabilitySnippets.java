package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.Explanation;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.admin.AdminHandler;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.observe.ExchangeObserver;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.observe.file.LogFile;
import dev.portico.gateway.observe.json.JsonAccessLog;
import dev.portico.gateway.observe.json.JsonAccessLog.Field;
import dev.portico.gateway.observe.micrometer.MicrometerMetrics;
import dev.portico.gateway.observe.micrometer.MicrometerObservation;
import dev.portico.gateway.observe.otel.OpenTelemetryTracing;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.servlet.GatewayServlet;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;

/** The observability and operations pages: metrics, tracing, logs, admin view, reconfiguration, shutdown. */
final class ObservabilitySnippets {
  private ObservabilitySnippets() {}

  static JettyGatewayHandler metrics(Gateway gateway) {
    // tag::metrics[]
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    JettyGatewayHandler handler = JettyGatewayHandler.builder(gateway)
        .observer(MicrometerMetrics.create(registry))   // Micrometer: an optional dependency
        .build();
    // end::metrics[]
    return handler;
  }

  static JettyGatewayHandler tracing(Gateway gateway, PrometheusMeterRegistry registry, OpenTelemetry openTelemetry) {
    // tag::tracing[]
    // openTelemetry: the host's SDK (or GlobalOpenTelemetry.get()); the gateway only needs the API.
    JettyGatewayHandler handler = JettyGatewayHandler.builder(gateway)
        .observer(GatewayObserver.of(
            MicrometerMetrics.create(registry),
            OpenTelemetryTracing.create(openTelemetry)))  // a SERVER span per exchange, a CLIENT span per upstream call
        .build();
    // end::tracing[]
    return handler;
  }

  static JettyGatewayHandler observation(Gateway gateway, ObservationRegistry observationRegistry) {
    // tag::observation[]
    // observationRegistry: the host's, with its handlers (Micrometer Tracing, meters, ...).
    JettyGatewayHandler handler = JettyGatewayHandler.builder(gateway)
        .observer(MicrometerObservation.create(observationRegistry))  // portico.exchange, portico.upstream
        .build();
    // end::observation[]
    return handler;
  }

  static GatewayServlet servlet(Gateway gateway, PrometheusMeterRegistry registry) {
    // tag::servlet[]
    GatewayServlet servlet = GatewayServlet.builder(gateway)
        .observer(MicrometerMetrics.create(registry))
        .shutdownGrace(Duration.ofSeconds(20))             // destroy() waits this long for exchanges in flight
        .build();
    // end::servlet[]
    return servlet;
  }

  static Gateway jsonAccessLog() {
    // tag::json-access-log[]
    Gateway gateway = Gateway.builder()
        .accessLog(JsonAccessLog.builder()                 // one JSON object per line, logger dev.portico.gateway.access
            .fields(Field.TIME, Field.TRACE_ID, Field.REQUEST_ID, Field.ROUTE, Field.METHOD, Field.STATUS,
                Field.DURATION_MS, Field.OUTCOME)
            .build())
        .route("orders", r -> r.path("/api/orders/**").upstream("http://orders:8080"))
        .build();
    // end::json-access-log[]
    return gateway;
  }

  static Gateway accessLogFile() throws IOException {
    // tag::access-log-file[]
    LogFile accessLogFile = LogFile.builder(Path.of("logs/access.log"))
        .capacity(65_536)                                  // lines waiting at most; beyond, dropped and counted
        .flushInterval(Duration.ofSeconds(1))              // written at least this often
        .open();                                           // close() it after the server stops
    Gateway gateway = Gateway.builder()
        .accessLog(JsonAccessLog.builder().sink(accessLogFile).build())
        .route("orders", r -> r.path("/api/orders/**").upstream("http://orders:8080"))
        .build();
    // end::access-log-file[]
    return gateway;
  }

  static GatewayObserver customObserver() {
    // tag::observer[]
    Map<String, LongAdder> slowByRoute = new ConcurrentHashMap<>();
    GatewayObserver slowExchanges = start -> new ExchangeObserver() {   // one per exchange
      @Override
      public void finished(AccessLogEntry entry) {                     // quick, never blocks
        if (entry.duration().compareTo(Duration.ofSeconds(1)) > 0) {
          slowByRoute.computeIfAbsent(entry.routeId().orElse("none"), k -> new LongAdder()).increment();
        }
      }
    };
    // end::observer[]
    return slowExchanges;
  }

  static Server admin(Gateway gateway) throws Exception {
    // tag::admin[]
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    JettyGatewayHandler gatewayHandler = JettyGatewayHandler.builder(gateway)
        .observer(MicrometerMetrics.create(registry))
        .build();

    Server server = new Server();
    ServerConnector publicConnector = new ServerConnector(server);
    publicConnector.setPort(8080);
    ServerConnector adminConnector = new ServerConnector(server);
    adminConnector.setName("admin");
    adminConnector.setHost("10.0.0.5");                     // an internal interface only operators reach
    adminConnector.setPort(9090);
    server.addConnector(publicConnector);
    server.addConnector(adminConnector);

    ContextHandler admin = new ContextHandler(AdminHandler.builder(gatewayHandler)
        .metrics(registry::scrape)                          // GET /metrics in Prometheus text
        .build(), "/");
    admin.setVirtualHosts(List.of("@admin"));               // served on the "admin" connector only
    server.setHandler(new Handler.Sequence(admin, gatewayHandler));
    server.start();
    // end::admin[]
    return server;
  }

  static void reconfigure(JettyGatewayHandler handler) {
    // tag::reconfigure[]
    Bucket4jRateLimiter perClient = Bucket4jRateLimiter.perKey(100, Duration.ofMinutes(1), KeyResolver.clientIp());
    Gateway v1 = Gateway.builder()
        .route("orders", r -> r.path("/api/orders/**").rateLimiter(perClient).upstream("http://orders:8080"))
        .build();
    // ... the handler runs v1; later, while requests flow:
    Gateway v2 = v1.toBuilder()
        .route("invoices", r -> r.path("/api/invoices/**").upstream("http://billing:8080"))
        .build();                                            // same 'orders' route, same limiter instance
    handler.reconfigure(v2);   // compiles v2 first; throws and changes nothing if it cannot be compiled
    // end::reconfigure[]
  }

  static Explanation explain(JettyGatewayHandler handler) {
    // tag::explain[]
    Explanation e = handler.explain("GET", "/api/orders/42?expand=lines", HttpHeaders.empty());
    e.verdict();       // ROUTED (or BAD_PATH, METHOD_NOT_ALLOWED, NO_ROUTE, PREFLIGHT ...)
    e.routeId();       // Optional[orders]
    e.path();          // the normalized path: /api/orders/42
    e.upstreamUri();   // Optional[http://orders:8080/api/orders/42?expand=lines]
    e.policies();      // [rate-limit, proxy]: the chain, in the order it runs
    // end::explain[]
    return e;
  }

  static void shutdown(Server server, JettyGatewayHandler handler) throws Exception {
    // tag::shutdown[]
    // Either: let Jetty drain the gateway when the server stops (the handler is Graceful) ...
    server.setStopTimeout(30_000);
    // ... or shut the gateway down explicitly first, then stop the server.
    handler.shutdown(Duration.ofSeconds(30));   // 503 for new exchanges; waits; then aborts the rest
    server.stop();                              // stops upstream clients, timers, closeable limiters
    // end::shutdown[]
  }
}
