package dev.portico.gateway.examples;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.servlet.GatewayServlet;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;

/**
 * A servlet application on embedded Tomcat 11 that mounts {@link GatewayServlet} next to a servlet
 * of its own: the application of {@link JettyEe10ServletExample}, on another container, with a
 * WebSocket route too (Tomcat's Jakarta WebSocket server on).
 *
 * <pre>
 *   client ──▶ :8080  Tomcat context ""
 *                      ├─ /hello   HelloServlet      the application's own servlet
 *                      └─ /api/*   GatewayServlet    route /api/orders/** ──▶ echo backend
 *                                                    route /api/chat/** (WebSocket) ──▶ echo backend
 * </pre>
 *
 * <p>Run it with
 * {@code mvn -B -q -pl examples -am compile exec:java -Dexec.mainClass=dev.portico.gateway.examples.TomcatServletExample}
 * (port 8080; {@code -Dportico.port=9090} or a first argument changes it). Tests start it on port 0
 * with {@link #start(int)} and stop it with {@link #close()}.
 */
public final class TomcatServletExample implements AutoCloseable {
  private final EchoBackend backend;
  private final Tomcat tomcat;
  private final Path baseDir;

  private TomcatServletExample(EchoBackend backend, Tomcat tomcat, Path baseDir) {
    this.backend = backend;
    this.tomcat = tomcat;
    this.baseDir = baseDir;
  }

  /** Starts the echo backend, then Tomcat on 127.0.0.1 and {@code port} (0: a free one). */
  public static TomcatServletExample start(int port) throws Exception {
    EchoBackend backend = EchoBackend.start();
    Path baseDir = Files.createTempDirectory("portico-tomcat-");
    Tomcat tomcat = new Tomcat();
    try {
      Gateway gateway = gateway(backend.uri());
      tomcat.setBaseDir(baseDir.toString());
      tomcat.setPort(port);
      tomcat.getConnector().setProperty("address", "127.0.0.1");

      // tag::mount[]
      Context context = tomcat.addContext("", null);
      Tomcat.addServlet(context, "hello", new HelloServlet());
      context.addServletMapping("/hello", "hello");                  // the app's own

      Wrapper wrapper = Tomcat.addServlet(context, "gateway", new GatewayServlet(gateway));
      wrapper.setAsyncSupported(true);         // required: the gateway completes responses asynchronously
      wrapper.setLoadOnStartup(0);             // start its upstream clients with the server
      context.addServletMapping("/api/*", "gateway");                // only /api/... reaches the gateway
      context.addServletContainerInitializer(new WsSci(), null);     // Jakarta WebSocket, for route 'chat'
      // end::mount[]

      tomcat.start();
      return new TomcatServletExample(backend, tomcat, baseDir);
    } catch (Exception e) {
      Shutdown.inOrder("the Tomcat example", tomcat::stop, tomcat::destroy, () -> Shutdown.deleteTree(baseDir), backend::close);
      throw e;
    }
  }

  /** The routes of {@link JettyEe10ServletExample}, and a WebSocket route to the backend's echo. */
  static Gateway gateway(URI backend) {
    return Gateway.builder()
        .route("orders", r -> r
            .path("/api/orders/**")
            .stripPrefix(1)
            .upstream(backend.toString()))
        .route("chat", r -> r
            .path("/api/chat/**")
            .stripPrefix(1)                    // ws://backend/chat/...
            .upstream(backend.toString())
            .websocket())
        .build();
  }

  /** Returns the host's base URI, such as {@code http://127.0.0.1:8080/}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/");
  }

  /** Stops Tomcat and removes its working directory, then stops the backend. */
  @Override
  public void close() {
    Shutdown.inOrder("the Tomcat example", tomcat::stop, tomcat::destroy, () -> Shutdown.deleteTree(baseDir), backend::close);
  }

  /** Returns what {@link #main} prints: what to try. */
  public String usage() {
    String base = uri().toString().replaceAll("/$", "");
    return """

        Tomcat 11 servlet host on %1$s/
          /hello  the application's own servlet
          /api/*  GatewayServlet; route 'orders' on /api/orders/** (stripPrefix 1) to %2$s,
                  WebSocket route 'chat' on /api/chat/** to the backend's WebSocket echo

        Try:
          # through the gateway servlet: the echo backend shows it received /orders/7
          curl -i %1$s/api/orders/7
          # the application's own servlet, untouched by the gateway
          curl -i %1$s/hello
          # mapped to the gateway servlet, but no route matches: 404 no-route problem
          curl -i %1$s/api/users/1
          # WebSocket through the gateway servlet, with any WebSocket client: every message comes back
          websocat %3$s/api/chat/lobby

        Stop with Ctrl+C.
        """.formatted(base, backend.uri(), base.replaceFirst("^http", "ws"));
  }

  /** Starts the example on port 8080, the first argument, or {@code -Dportico.port}, and waits. */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : Integer.getInteger("portico.port", 8080);
    TomcatServletExample example = start(port);
    Runtime.getRuntime().addShutdownHook(new Thread(example::close, "example-shutdown"));
    System.out.println(example.usage());
    example.tomcat.getServer().await();
  }
}
