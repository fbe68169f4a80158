package dev.portico.gateway.examples;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** The host application's own servlet in the servlet examples: it has nothing to do with Portico. */
final class HelloServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    response.setContentType("text/plain; charset=utf-8");
    response.getWriter().println("Hello from the host application's own servlet at " + request.getRequestURI()
        + ": the gateway servlet next to it takes only what is mapped to it.");
  }
}
