package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The host's own servlet behind {@code GatewayFilter} in the filter conformance tests: it answers
 * every request 404 in plain text, and records the path the container dispatched to it, so that a
 * test can check that nothing the protected route takes (or refuses) ever reached it.
 */
final class ApplicationBehindFilter extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private final transient List<String> received = new CopyOnWriteArrayList<>();

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
    received.add(request.getMethod() + " " + path);
    response.setStatus(HttpServletResponse.SC_NOT_FOUND);
    response.setContentType("text/plain;charset=utf-8");
    response.getWriter().write("application: no such page");
  }

  /** Fails if a request under {@code protectedPrefix} (as the container decoded it) reached the application. */
  void assertNothingUnder(String protectedPrefix) {
    assertThat(received)
        .as("requests the application got (the protected route must have taken or refused them)")
        .noneMatch(line -> {
          String path = line.substring(line.indexOf(' ') + 1);
          return path.equals(protectedPrefix) || path.startsWith(protectedPrefix + "/");
        });
  }

  /** Returns how many requests reached the application. */
  int received() {
    return received.size();
  }
}
