package dev.portico.gateway.servlet;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.function.Consumer;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.ByteBufferPool;

/** Starts a {@link ServletClientExchange} per request and hands it to a scenario, as {@link GatewayServlet} hands it to the engine. */
final class ExchangeServlet extends HttpServlet {
  private final transient Consumer<ServletClientExchange> scenario;
  private final transient ByteBufferPool.Sized buffers =
      new ByteBufferPool.Sized(new ArrayByteBufferPool(), false, GatewayServlet.CHUNK_SIZE);

  ExchangeServlet(Consumer<ServletClientExchange> scenario) {
    this.scenario = scenario;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) {
    scenario.accept(ServletClientExchange.start(request, response, buffers));
  }
}
