package dev.portico.gateway.servlet;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.internal.GatewayRuntime;
import dev.portico.gateway.observe.GatewayObserver;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.ByteBufferPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link GatewayServlet} and {@link GatewayFilter} share: the runtime, its start with the
 * container and graceful stop, and the handling of one request, taken or (for the filter) handed
 * back untouched.
 */
final class ServletGateway {
  private static final Logger LOG = LoggerFactory.getLogger(ServletGateway.class);
  /** Whether Jetty's server classes are on the class path (the container may still be another). */
  private static final boolean JETTY = ServletClientExchange.isPresent("org.eclipse.jetty.server.handler.ContextHandler");
  /** The most request body bytes one chunk holds. */
  static final int CHUNK_SIZE = 16 * 1024;
  /** How long the adapters wait for exchanges in flight when the container stops them, by default. */
  static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(5);

  private final GatewayRuntime runtime;
  private final Duration shutdownGrace;
  private final String adapter;
  private final ByteBufferPool.Sized buffers =
      new ByteBufferPool.Sized(new ArrayByteBufferPool(), false, CHUNK_SIZE);

  ServletGateway(Gateway gateway, GatewayObserver observer, Duration shutdownGrace, String adapter) {
    this.runtime = GatewayRuntime.create(gateway, observer);
    this.shutdownGrace = shutdownGrace;
    this.adapter = adapter;
  }

  GatewayRuntime runtime() {
    return runtime;
  }

  /** Checks a shutdown grace period for a builder. */
  static Duration checkGrace(Duration grace) {
    if (grace.isNegative()) {
      throw new IllegalArgumentException("shutdownGrace: " + grace + " (expected: >= 0)");
    }
    return grace;
  }

  /** Starts the upstream clients, when the container initializes the adapter. */
  void start() throws ServletException {
    if (JETTY) {
      // Header values exactly as sent: Jetty's per-connection header cache ignores case by default.
      JettyHost.exactHeaderValues();
    }
    try {
      runtime.start();
    } catch (Exception e) {
      throw new ServletException("cannot start the gateway", e);
    }
  }

  /** Shuts down gracefully (up to the grace period), then stops the upstream clients. */
  void stop() {
    try {
      runtime.shutdown(shutdownGrace);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      runtime.stop();
    } catch (Exception e) {
      LOG.warn("cannot stop the gateway", e);
    }
  }

  /**
   * Switches the connection of a WebSocket upgrade the upstream accepted, when {@code request} is
   * the {@code ASYNC} dispatch the exchange made for it; returns false for any other request.
   */
  static boolean upgradeDispatched(HttpServletRequest request, HttpServletResponse response) {
    if (request.getDispatcherType() != DispatcherType.ASYNC) {
      return false;
    }
    Object upgrade = request.getAttribute(ServletWebSocketUpgrade.ATTRIBUTE);
    if (upgrade == null) {
      return false;
    }
    request.removeAttribute(ServletWebSocketUpgrade.ATTRIBUTE);
    ((ServletWebSocketUpgrade) upgrade).upgrade(request, response);
    return true;
  }

  /**
   * Handles one request on the container thread. Returns false, having touched neither the
   * request nor the response, when no route matches and {@code handBack} is true; otherwise the
   * exchange went asynchronous and the engine ends it.
   */
  boolean handle(HttpServletRequest request, HttpServletResponse response, boolean handBack)
      throws ServletException {
    if (!request.isAsyncSupported()) {
      throw new ServletException(adapter + " needs asynchronous support: mount it with"
          + " setAsyncSupported(true) on its registration (and on every filter in front of it)");
    }
    return runtime.handle(ServletClientExchange.of(request, response, buffers), handBack);
  }
}
