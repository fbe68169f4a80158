package dev.portico.gateway.servlet;

import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aborts the client connection (or HTTP/2 stream) under a servlet response, so that a client never
 * takes a broken response for a complete one: a chunked body loses its terminating chunk, a
 * {@code Content-Length} body comes up short and the connection closes. For that to show, a body
 * of unknown length must be chunked, never delimited by closing the connection; see
 * {@link #frameUnknownLength}.
 *
 * <p>The Servlet API has no abort, so each container gets its own strategy, picked by the class
 * of its response object without a compile-time dependency on it:
 * <ul>
 *   <li>Jetty (ee10, and the other Jetty servlet environments): {@code sendError(-1)}, the Jetty-specific
 *       abort that Jetty's own {@code AbstractProxyServlet} uses (followed, as there, by
 *       {@code AsyncContext.complete()}); it fails the servlet channel. Jetty delimits a body of
 *       unknown length by closing the connection when the client sent {@code Connection: close},
 *       so such bodies get an explicit {@code Transfer-Encoding: chunked}.
 *   <li>Tomcat: {@code ActionCode.CLOSE_NOW} on the Coyote response, the action Tomcat's own
 *       {@code ErrorReportValve} takes when an error follows a committed response; it stops all
 *       further output (the terminating chunk included) and closes the connection once the
 *       exchange completes. The Coyote response is reached through the facade's field by
 *       reflection, so the Tomcat classes must be open to reflection (they are when Tomcat is on the
 *       class path, embedded or standalone).
 *   <li>Any other container: no abort; {@link #abort} returns false.
 * </ul>
 */
abstract class ConnectionAbort {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionAbort.class);

  private static final ConnectionAbort NONE = new ConnectionAbort() {
    @Override
    boolean abort(HttpServletResponse response, Throwable failure) {
      return false;
    }

    @Override
    public String toString() {
      return "none";
    }
  };

  private static final ClassValue<ConnectionAbort> BY_CLASS = new ClassValue<>() {
    @Override
    protected ConnectionAbort computeValue(Class<?> type) {
      return forClass(type);
    }
  };

  /**
   * Aborts the connection under {@code response}, which is the container's own response object.
   * Returns false when this strategy cannot abort it. The caller still completes the
   * {@code AsyncContext}.
   */
  abstract boolean abort(HttpServletResponse response, Throwable failure) throws Exception;

  /**
   * Makes sure an HTTP/1.1 {@code response} without {@code Content-Length} gets chunked framing.
   * Does nothing by default: Tomcat chunks such bodies by itself, and passes an application's
   * {@code Transfer-Encoding} header through even when it then sends a {@code Content-Length}.
   */
  void frameUnknownLength(HttpServletResponse response) {}

  /** Returns the container's own response under any wrappers the application added. */
  static ServletResponse unwrap(ServletResponse response) {
    ServletResponse unwrapped = response;
    while (unwrapped instanceof ServletResponseWrapper wrapper) {
      unwrapped = wrapper.getResponse();
    }
    return unwrapped;
  }

  /** Returns the strategy for the container that created {@code response} (not a wrapper). */
  static ConnectionAbort of(ServletResponse response) {
    return BY_CLASS.get(response.getClass());
  }

  private static ConnectionAbort forClass(Class<?> type) {
    String name = type.getName();
    if (name.startsWith("org.eclipse.jetty.")) {
      return new Jetty();
    }
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      if (c.getName().equals("org.apache.catalina.connector.ResponseFacade")) {
        try {
          return new Tomcat(c);
        } catch (ReflectiveOperationException | RuntimeException e) {
          LOG.warn("cannot abort Tomcat responses ({}): a failed response that is already committed"
              + " will end as if complete", e.toString());
          return NONE;
        }
      }
    }
    LOG.warn("no way known to abort {} responses: a failed response that is already committed will"
        + " end as if complete", name);
    return NONE;
  }

  private static final class Jetty extends ConnectionAbort {
    @Override
    boolean abort(HttpServletResponse response, Throwable failure) throws Exception {
      response.sendError(-1, "aborted by the gateway");
      return true;
    }

    @Override
    void frameUnknownLength(HttpServletResponse response) {
      response.setHeader("Transfer-Encoding", "chunked");
    }

    @Override
    public String toString() {
      return "jetty";
    }
  }

  private static final class Tomcat extends ConnectionAbort {
    private final Field connectorResponse;
    private final Method coyoteResponse;
    private final Method action;
    private final Object closeNow;

    Tomcat(Class<?> facade) throws ReflectiveOperationException {
      connectorResponse = facade.getDeclaredField("response");
      connectorResponse.setAccessible(true);
      coyoteResponse = connectorResponse.getType().getMethod("getCoyoteResponse");
      Class<?> actionCode = Class.forName(
          "org.apache.coyote.ActionCode", false, coyoteResponse.getReturnType().getClassLoader());
      action = coyoteResponse.getReturnType().getMethod("action", actionCode, Object.class);
      closeNow = actionCode.getField("CLOSE_NOW").get(null);
    }

    @Override
    boolean abort(HttpServletResponse response, Throwable failure) throws Exception {
      Object connector = connectorResponse.get(response);
      if (connector == null) {
        return false; // the facade was recycled: the exchange is over
      }
      Object coyote = coyoteResponse.invoke(connector);
      if (coyote == null) {
        return false;
      }
      action.invoke(coyote, closeNow, failure);
      return true;
    }

    @Override
    public String toString() {
      return "tomcat";
    }
  }
}
