package dev.portico.gateway.examples;

import dev.portico.gateway.Filter;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.admin.AdminHandler;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.observe.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;

/**
 * A runnable tour of Portico: a host application on Jetty 12 that mounts a gateway in front of two
 * small backends it starts itself.
 *
 * <pre>
 *   client ──▶ :8080  Handler.Sequence
 *                      ├─ JettyGatewayHandler   /api/orders/**, /events/**  ──▶ backends
 *                      └─ HostPage              everything else (the host's own pages)
 *   operator ─▶ :8081  AdminHandler             /routes, /ready, /metrics (Prometheus) ...
 * </pre>
 *
 * <p>Run it with {@code mvn -B -q -pl examples -am compile exec:java} from the repository root (port
 * 8080; pass {@code -Dportico.port=9090}, or a port as the first program argument, to change it; the
 * admin view listens on the next port, or {@code -Dportico.adminPort}), then try the curl commands it
 * prints. Tests start it on ephemeral ports with {@link #start(int)} and stop it with {@link #close()}.
 */
public final class DemoGateway implements AutoCloseable {
  private static final String LOOPBACK = "127.0.0.1";

  private final Server orders;
  private final Server events;
  private final Server host;
  private final URI gatewayUri;
  private final URI adminUri;

  private DemoGateway(Server orders, Server events, Server host) {
    this.orders = orders;
    this.events = events;
    this.host = host;
    this.gatewayUri = uriOf(host);
    this.adminUri = URI.create("http://" + LOOPBACK + ":" + ((ServerConnector) host.getConnectors()[1]).getLocalPort() + "/");
  }

  /**
   * Defines the demo's gateway: three routes in front of the two backends, and one global filter.
   * Building it does no I/O; the {@link JettyGatewayHandler} runs it.
   */
  // tag::gateway[]
  static Gateway gateway(URI ordersBackend, URI eventsBackend) {
    return Gateway.builder()
        // A global filter runs for every matched route, before the route's own filters. This one
        // tells the backend which route took the request, so you can see specificity at work.
        .filter(Filter.named("route-header", (exchange, chain) -> chain.proceed(exchange.withRequest(
            exchange.request().toBuilder().header("X-Demo-Route", exchange.route().id()).build()))))
        // GET /api/orders, /api/orders/7/items ...: drop the first segment, /api/orders -> /orders.
        .route("orders", r -> r
            .path("/api/orders/**")
            .methods("GET")
            .stripPrefix(1)
            .upstream(ordersBackend.toString()))
        // GET /api/orders/7: more specific than /api/orders/** (a variable beats a catch-all), so
        // this route wins wherever both match, whatever the declaration order.
        .route("order", r -> r
            .path("/api/orders/{id}")
            .methods("GET")
            .rewritePath("/orders/{id}")
            .upstream(ordersBackend.toString())
            .responseTimeout(Duration.ofSeconds(5)))
        // Server-sent events: the gateway flushes each event as the backend sends it.
        .route("events", r -> r
            .path("/events/**")
            .methods("GET")
            .upstream(eventsBackend.toString()))
        .build();
  }
  // end::gateway[]

  /**
   * Starts both backends on ephemeral loopback ports, then the host server with the gateway on
   * {@code port} (0 picks a free one), bound to 127.0.0.1.
   */
  public static DemoGateway start(int port) throws Exception {
    return start(port, port == 0 ? 0 : port + 1);
  }

  /**
   * Starts the demo with the gateway on {@code port} and the admin view (Prometheus metrics,
   * routes, readiness) on {@code adminPort}, both bound to 127.0.0.1; 0 picks a free port.
   */
  public static DemoGateway start(int port, int adminPort) throws Exception {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
    }
    if (adminPort < 0 || adminPort > 65535) {
      throw new IllegalArgumentException("adminPort: " + adminPort + " (expected: 0-65535)");
    }
    List<Server> started = new ArrayList<>();
    try {
      Server orders = startServer(0, new OrdersBackend(), started);
      Server events = startServer(0, new EventsBackend(), started);
      Gateway gateway = gateway(uriOf(orders), uriOf(events));
      // tag::mount[]
      // Metrics in a Prometheus registry, through the gateway's observer.
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      JettyGatewayHandler gatewayHandler = JettyGatewayHandler.builder(gateway)
          .observer(MicrometerMetrics.create(registry))
          .build();
      // The admin view answers only on the connector named "admin" (an internal port).
      ContextHandler admin = new ContextHandler(
          AdminHandler.builder(gatewayHandler).metrics(registry::scrape).build(), "/");
      admin.setVirtualHosts(List.of("@admin"));
      // The gateway takes the requests a route matches and hands every other one back, so the
      // host's own handlers after it in the sequence keep working.
      Handler handler = new Handler.Sequence(admin, gatewayHandler, new HostPage());
      // end::mount[]
      Server host = startHost(port, adminPort, handler, started);
      return new DemoGateway(orders, events, host);
    } catch (Exception e) {
      stopAll(started, e);
      throw e;
    }
  }

  /** Returns the gateway's base URI, such as {@code http://127.0.0.1:8080/}. */
  public URI gatewayUri() {
    return gatewayUri;
  }

  /** Returns the admin view's base URI, such as {@code http://127.0.0.1:8081/}. */
  public URI adminUri() {
    return adminUri;
  }

  /** Returns the orders backend's base URI (reachable directly too, for comparison). */
  public URI ordersBackendUri() {
    return uriOf(orders);
  }

  /** Returns the events backend's base URI. */
  public URI eventsBackendUri() {
    return uriOf(events);
  }

  /** Stops the host server first, so nothing is proxied to a stopped backend, then the backends. */
  @Override
  public void close() {
    IllegalStateException failure = new IllegalStateException("the demo did not stop cleanly");
    stopAll(List.of(host, events, orders), failure);
    if (failure.getSuppressed().length > 0) {
      throw failure;
    }
  }

  /** Blocks until the host server stops. */
  public void join() throws InterruptedException {
    host.join();
  }

  /** Returns what {@link #main} prints: where things are and what to try. */
  public String usage() {
    String g = gatewayUri.toString().replaceAll("/$", "");
    return """

        Portico demo gateway on %1$s/
        (orders backend on %2$s, events backend on %3$s)

        Try:
          # route 'order' (rewritePath /orders/{id}); the JSON shows what the backend received
          curl -i %1$s/api/orders/42
          # route 'orders' (stripPrefix 1): the catch-all takes what 'order' does not
          curl -i %1$s/api/orders/42/items
          # server-sent events, flushed one by one as the backend sends them every 500 ms
          curl -N %1$s/events
          # 405 problem with Allow: GET (the routes take GET only)
          curl -i -X POST %1$s/api/orders
          # 400 bad-path problem: path parameters (';') are ambiguous, so they are refused
          curl -i '%1$s/api/orders/42;v=1'
          # no route matches: the gateway hands the request back and the host's page answers
          curl -i %1$s/

        Admin view, on an internal port: routes, readiness, explain, Prometheus metrics
          curl %4$s/routes
          curl '%4$s/explain?method=GET&uri=/api/orders/42'
          curl %4$s/metrics

        The access log (logger dev.portico.gateway.access) prints one line per exchange below.
        Stop with Ctrl+C.
        """.formatted(g, uriOf(orders), uriOf(events), adminUri.toString().replaceAll("/$", ""));
  }

  /** Starts the demo on port 8080, the first argument, or {@code -Dportico.port}, and waits. */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : Integer.getInteger("portico.port", 8080);
    DemoGateway demo = start(port, Integer.getInteger("portico.adminPort", port + 1));
    Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "demo-shutdown"));
    System.out.println(demo.usage());
    demo.join();
  }

  private static Server startServer(int port, Handler handler, List<Server> started) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(LOOPBACK);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(handler);
    started.add(server);
    server.start();
    return server;
  }

  /** Starts the host: the public connector on {@code port}, the internal one, named "admin", on {@code adminPort}. */
  private static Server startHost(int port, int adminPort, Handler handler, List<Server> started) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(LOOPBACK);
    connector.setPort(port);
    ServerConnector adminConnector = new ServerConnector(server);
    adminConnector.setName("admin");
    adminConnector.setHost(LOOPBACK);
    adminConnector.setPort(adminPort);
    server.addConnector(connector);
    server.addConnector(adminConnector);
    server.setHandler(handler);
    // server.stop() lets exchanges in flight finish, for up to 10 s (the gateway handler is Graceful).
    server.setStopTimeout(10_000);
    started.add(server);
    server.start();
    return server;
  }

  private static URI uriOf(Server server) {
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    return URI.create("http://" + LOOPBACK + ":" + port + "/");
  }

  private static void stopAll(List<Server> servers, Exception failure) {
    for (Server server : servers) {
      try {
        server.stop();
      } catch (Exception e) {
        failure.addSuppressed(e);
      }
    }
  }

  /**
   * The orders backend: {@code GET /orders}, {@code /orders/{id}} and {@code /orders/{id}/items}
   * answer JSON that includes what the backend received, so you can see what the gateway sent.
   */
  static final class OrdersBackend extends Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = Request.getPathInContext(request);
      String[] segments = path.substring(1).split("/", -1);
      Map<String, Object> body = new LinkedHashMap<>();
      int status = 200;
      if (!"orders".equals(segments[0])) {
        status = 404;
        body.put("error", "no such resource");
      } else if (segments.length == 1 || segments.length == 2 && segments[1].isEmpty()) {
        body.put("orders", List.of("1", "2", "42"));
      } else if (segments.length == 2) {
        body.put("id", segments[1]);
        body.put("status", "shipped");
      } else if (segments.length == 3 && "items".equals(segments[2])) {
        body.put("id", segments[1]);
        body.put("items", List.of("tea", "biscuits"));
      } else {
        status = 404;
        body.put("error", "no such resource");
      }
      body.put("received", received(request, path));
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      Content.Sink.write(response, true, Json.write(body) + "\n", callback);
      return true;
    }

    /** What reached the backend: the path after rewriting, and the headers the gateway set. */
    private static Map<String, Object> received(Request request, String path) {
      Map<String, Object> seen = new LinkedHashMap<>();
      seen.put("path", path);
      seen.put("host", request.getHeaders().get(HttpHeader.HOST));
      for (String name : List.of("X-Request-Id", "X-Forwarded-For", "X-Forwarded-Proto",
          "X-Forwarded-Host", "X-Forwarded-Port", "Forwarded", "X-Demo-Route")) {
        seen.put(name, request.getHeaders().get(name));
      }
      return seen;
    }
  }

  /** The events backend: any GET streams five server-sent events, one every 500 ms, without blocking. */
  static final class EventsBackend extends Handler.Abstract.NonBlocking {
    static final int EVENTS = 5;

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      response.setStatus(200);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
      send(request, response, callback, 1);
      return true;
    }

    private static void send(Request request, Response response, Callback callback, int n) {
      boolean last = n == EVENTS;
      String event = "id: " + n + "\nevent: tick\ndata: {\"tick\":" + n + ",\"of\":" + EVENTS
          + ",\"time\":\"" + Instant.now() + "\"}\n\n";
      // Write, and only when the write has completed schedule the next event: no thread waits.
      Content.Sink.write(response, last, event, Callback.from(() -> {
        if (last) {
          callback.succeeded();
        } else {
          request.getComponents().getScheduler().schedule(
              () -> send(request, response, callback, n + 1), 500, TimeUnit.MILLISECONDS);
        }
      }, callback::failed));
    }
  }

  /** The host application's own handler: it sees only what the gateway handed back. */
  static final class HostPage extends Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = Request.getPathInContext(request);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
      if (path.equals("/")) {
        response.setStatus(200);
        Content.Sink.write(response, true, """
            This page comes from the host application, not from Portico.
            No route matched /, so the gateway handed the request back to the next handler.
            Routes: GET /api/orders/**, GET /api/orders/{id}, GET /events/**
            """, callback);
      } else {
        response.setStatus(404);
        Content.Sink.write(response, true, "The host has no page at " + path + "\n", callback);
      }
      return true;
    }
  }
}
