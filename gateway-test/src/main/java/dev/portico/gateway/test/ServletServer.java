package dev.portico.gateway.test;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Gateway;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * A gateway mounted the way a servlet host mounts it: a
 * {@link dev.portico.gateway.servlet.GatewayServlet} on {@code /*} with async support, initialized
 * with the container (or a {@code GatewayFilter} in front of the host's own servlet:
 * {@link Builder#filterBefore}), in Jetty 12 ee10 or Tomcat 11, on an ephemeral port on {@code 127.0.0.1}.
 * For a host that runs the servlet adapter, to test (or run the conformance suite against) the
 * gateway the way it is deployed.
 *
 * <pre>{@code
 * try (ServletServer server = ServletServer.start(ServletServer.Container.TOMCAT, gateway)) {
 *   HttpResponse<String> response = client.send(
 *       HttpRequest.newBuilder(server.uri("/api/orders/7")).build(), BodyHandlers.ofString());
 * }
 * }</pre>
 *
 * <p>The container is the host's to add, with test scope: {@code org.eclipse.jetty.ee10:jetty-ee10-servlet}
 * or {@code org.apache.tomcat.embed:tomcat-embed-core}; for {@link Builder#webSocket} also
 * {@code org.eclipse.jetty.ee10.websocket:jetty-ee10-websocket-jakarta-server} or
 * {@code org.apache.tomcat.embed:tomcat-embed-websocket}. Starting without them fails with a
 * message that names them.
 */
public final class ServletServer implements AutoCloseable {

  /** The servlet containers the kit starts. */
  public enum Container {
    /** Jetty 12 with its ee10 (Servlet 6.0) environment. */
    JETTY_EE10,
    /** Tomcat 11, embedded. */
    TOMCAT
  }

  /** A started container: its port and how to stop it. Not public API. */
  record Started(int port, AutoCloseable stop) {}

  private final Container container;
  private final String contextPath;
  private final Started started;

  private ServletServer(Container container, String contextPath, Started started) {
    this.container = container;
    this.contextPath = contextPath;
    this.started = started;
  }

  /** Starts {@code gateway} in {@code container} at the root context, with the container's defaults. */
  public static ServletServer start(Container container, Gateway gateway) throws Exception {
    return builder(container).gateway(gateway).start();
  }

  /** Returns a builder for a gateway in {@code container} with other settings. */
  public static Builder builder(Container container) {
    return new Builder(requireNonNull(container, "container"));
  }

  /** Returns {@code http://127.0.0.1:port} and the context path, without a trailing slash. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port() + contextPath);
  }

  /** Returns the URI of {@code pathAndQuery} (which starts with {@code /}) below the context path. */
  public URI uri(String pathAndQuery) {
    return MountPaths.below(baseUri(), pathAndQuery);
  }

  /** Returns the port the container listens on. */
  public int port() {
    return started.port();
  }

  /** Returns the context path the gateway is mounted under: {@code ""} for the root, or {@code "/ctx"}. */
  public String contextPath() {
    return contextPath;
  }

  /** Stops the container; requests in flight are cut off. */
  @Override
  public void close() throws Exception {
    started.stop().close();
  }

  @Override
  public String toString() {
    return "ServletServer{" + container + " " + baseUri() + "}";
  }

  /** Configures and starts a {@link ServletServer}. */
  public static final class Builder {
    private final Container container;
    private @Nullable Gateway gateway;
    private String contextPath = "";
    private boolean permissiveUris;
    private boolean h2c;
    private boolean webSocket;
    private @Nullable HttpServlet application;

    private Builder(Container container) {
      this.container = container;
    }

    /** Mounts {@code gateway}. */
    public Builder gateway(Gateway gateway) {
      this.gateway = requireNonNull(gateway, "gateway");
      return this;
    }

    /** Mounts the servlet's context at {@code contextPath} ({@code "/ctx"}), or at the root ({@code ""}, the default). */
    public Builder contextPath(String contextPath) {
      this.contextPath = MountPaths.contextPath(contextPath);
      return this;
    }

    /**
     * Lets every request target through Jetty's parser ({@code UriCompliance.UNSAFE}); Tomcat
     * has no such setting and ignores it. Off by default.
     */
    public Builder permissiveUris(boolean permissive) {
      this.permissiveUris = permissive;
      return this;
    }

    /** Speaks cleartext HTTP/2 (prior knowledge) next to HTTP/1.1 on the same port, or not (the default). */
    public Builder h2c(boolean h2c) {
      this.h2c = h2c;
      return this;
    }

    /** Runs the container's Jakarta WebSocket server, which WebSocket routes on the servlet need; off by default. */
    public Builder webSocket(boolean webSocket) {
      this.webSocket = webSocket;
      return this;
    }

    /**
     * Mounts the gateway as a {@link dev.portico.gateway.servlet.GatewayFilter} on {@code /*} (for
     * {@code REQUEST} and {@code ASYNC} dispatches) in front of {@code application}, the host's own
     * servlet mapped to {@code /}, which gets every request no route matches. Without it (the
     * default) the gateway is a {@code GatewayServlet} on {@code /*}.
     */
    public Builder filterBefore(HttpServlet application) {
      this.application = requireNonNull(application, "application");
      return this;
    }

    /**
     * Starts the container.
     *
     * @throws IllegalStateException if no gateway was given, or the container's jars are missing
     * @throws Exception if the container cannot start
     */
    public ServletServer start() throws Exception {
      Gateway mounted = gateway;
      if (mounted == null) {
        throw new IllegalStateException("ServletServer: no gateway(..)");
      }
      Started started;
      try {
        started = container == Container.TOMCAT
            ? TomcatMount.start(mounted, contextPath, h2c, webSocket, application)
            : JettyEe10Mount.start(mounted, contextPath, permissiveUris, h2c, webSocket, application);
      } catch (NoClassDefFoundError e) {
        throw new IllegalStateException("ServletServer: " + container + " needs "
            + (container == Container.TOMCAT
                ? "org.apache.tomcat.embed:tomcat-embed-core" + (webSocket ? " and tomcat-embed-websocket" : "")
                : "org.eclipse.jetty.ee10:jetty-ee10-servlet"
                    + (webSocket ? " and org.eclipse.jetty.ee10.websocket:jetty-ee10-websocket-jakarta-server" : ""))
            + " on the test class path (missing: " + e.getMessage() + ")", e);
      }
      return new ServletServer(container, contextPath, started);
    }
  }
}
