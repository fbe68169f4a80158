package dev.portico.gateway.examples;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.servlet.GatewayServlet;
import java.net.URI;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A servlet application on Jetty 12 (ee10) that mounts {@link GatewayServlet} next to a servlet of
 * its own.
 *
 * <pre>
 *   client ──▶ :8080  ServletContextHandler "/"
 *                      ├─ /hello   HelloServlet      the application's own servlet
 *                      └─ /api/*   GatewayServlet    route /api/orders/** ──▶ echo backend
 * </pre>
 *
 * <p>Run it with
 * {@code mvn -B -q -pl examples -am compile exec:java -Dexec.mainClass=dev.portico.gateway.examples.JettyEe10ServletExample}
 * (port 8080; {@code -Dportico.port=9090} or a first argument changes it). Tests start it on port 0
 * with {@link #start(int)} and stop it with {@link #close()}.
 */
public final class JettyEe10ServletExample implements AutoCloseable {
  private final EchoBackend backend;
  private final Server server;

  private JettyEe10ServletExample(EchoBackend backend, Server server) {
    this.backend = backend;
    this.server = server;
  }

  /**
   * The gateway: its routes match the path below the servlet context, {@code /api} included, because
   * {@link GatewayServlet} routes on the path within the context, not within its servlet mapping.
   */
  // tag::gateway[]
  static Gateway gateway(URI backend) {
    return Gateway.builder()
        .route("orders", r -> r
            .path("/api/orders/**")                  // the servlet is mapped to /api/*, the route
            .stripPrefix(1)                          // still sees /api/orders/7; upstream: /orders/7
            .upstream(backend.toString()))
        .build();
  }
  // end::gateway[]

  /** Starts the echo backend, then the servlet host on 127.0.0.1 and {@code port} (0: a free one). */
  public static JettyEe10ServletExample start(int port) throws Exception {
    EchoBackend backend = EchoBackend.start();
    try {
      Server server = new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      connector.setPort(port);
      server.addConnector(connector);

      // tag::mount[]
      ServletContextHandler context = new ServletContextHandler("/");
      context.addServlet(new ServletHolder("hello", new HelloServlet()), "/hello");  // the app's own

      ServletHolder holder = new ServletHolder("gateway", new GatewayServlet(gateway(backend.uri())));
      holder.setAsyncSupported(true);            // required: the gateway completes responses asynchronously
      holder.setInitOrder(0);                    // start its upstream clients with the server
      context.addServlet(holder, "/api/*");      // only /api/... reaches the gateway

      server.setHandler(context);
      // end::mount[]
      server.start();
      return new JettyEe10ServletExample(backend, server);
    } catch (Exception e) {
      backend.close();
      throw e;
    }
  }

  /** Returns the host's base URI, such as {@code http://127.0.0.1:8080/}. */
  public URI uri() {
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  /** Stops the host, then the backend. */
  @Override
  public void close() {
    Shutdown.inOrder("the Jetty ee10 example", server::stop, backend::close);
  }

  /** Returns what {@link #main} prints: what to try. */
  public String usage() {
    String base = uri().toString().replaceAll("/$", "");
    return """

        Jetty 12 ee10 servlet host on %1$s/
          /hello  the application's own servlet
          /api/*  GatewayServlet; route 'orders' on /api/orders/** (stripPrefix 1) to %2$s

        Try:
          # through the gateway servlet: the echo backend shows it received /orders/7
          curl -i %1$s/api/orders/7
          # the application's own servlet, untouched by the gateway
          curl -i %1$s/hello
          # mapped to the gateway servlet, but no route matches: 404 no-route problem
          curl -i %1$s/api/users/1

        Stop with Ctrl+C.
        """.formatted(base, backend.uri());
  }

  /** Starts the example on port 8080, the first argument, or {@code -Dportico.port}, and waits. */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : Integer.getInteger("portico.port", 8080);
    JettyEe10ServletExample example = start(port);
    Runtime.getRuntime().addShutdownHook(new Thread(example::close, "example-shutdown"));
    System.out.println(example.usage());
    example.server.join();
  }
}
