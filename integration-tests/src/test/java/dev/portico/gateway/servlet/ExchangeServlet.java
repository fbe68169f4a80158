package dev.portico.gateway.servlet;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
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
      new ByteBufferPool.Sized(new ArrayByteBufferPool(), false, ServletGateway.CHUNK_SIZE);

  private final transient Runnable onContainerComplete;

  ExchangeServlet(Consumer<ServletClientExchange> scenario) {
    this(scenario, () -> {});
  }

  /** Runs {@code onContainerComplete} each time the container completes an exchange's async context. */
  ExchangeServlet(Consumer<ServletClientExchange> scenario, Runnable onContainerComplete) {
    this.scenario = scenario;
    this.onContainerComplete = onContainerComplete;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) {
    ServletClientExchange exchange = ServletClientExchange.of(request, response, buffers);
    exchange.taken(); // as the engine does when it takes an exchange
    request.getAsyncContext().addListener(new AsyncListener() {
      @Override
      public void onComplete(AsyncEvent event) {
        onContainerComplete.run();
      }

      @Override
      public void onTimeout(AsyncEvent event) {}

      @Override
      public void onError(AsyncEvent event) {}

      @Override
      public void onStartAsync(AsyncEvent event) {}
    });
    scenario.accept(exchange);
  }
}
