package dev.portico.gateway.upstream;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Where an {@link UpstreamGroup}'s endpoints come from at run time: the seam for a host's own
 * service discovery. The engine subscribes when it starts and closes the subscription when it
 * stops; each list it is handed replaces the group's endpoints. Endpoints whose
 * {@link Endpoint#address()} stays keep their state (in-flight count, health, ejection); requests
 * already sent to a removed endpoint finish normally.
 *
 * <pre>{@code
 * // Push: the host calls update(...) whenever its discovery says so.
 * EndpointRegistry registry = EndpointRegistry.of(Endpoint.of("http://orders-1:8080"));
 * registry.update(List.of(Endpoint.of("http://orders-1:8080"), Endpoint.of("http://orders-2:8080")));
 *
 * // Pull: the gateway asks every 5 s.
 * EndpointSource polled = EndpointSource.polling(discovery::ordersEndpoints, Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>A list may be empty (the group then answers 503 until endpoints arrive); it must not name one
 * address twice.
 */
@FunctionalInterface
public interface EndpointSource {

  /**
   * Starts delivering endpoint lists to {@code listener}: the current one at once if there is one,
   * then each change. {@code scheduler} is the engine's, for sources that poll; a task on it must
   * not block. Returns what the engine closes when it stops.
   *
   * <p>The listener may be called from any thread, but not concurrently; it returns quickly.
   */
  AutoCloseable subscribe(Consumer<List<Endpoint>> listener, ScheduledExecutorService scheduler);

  /**
   * Polls {@code supplier} every {@code interval} on the engine's scheduler, first when the engine
   * starts. The supplier must answer quickly from what the host already knows (a local cache of
   * its discovery client): it runs on a thread shared with health checks. A supplier that throws is
   * logged and the group keeps its endpoints.
   */
  static EndpointSource polling(Supplier<List<Endpoint>> supplier, Duration interval) {
    requireNonNull(supplier, "supplier");
    requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
    }
    return (listener, scheduler) -> {
      Runnable poll = () -> {
        try {
          listener.accept(List.copyOf(supplier.get()));
        } catch (RuntimeException e) {
          System.getLogger(EndpointSource.class.getName())
              .log(System.Logger.Level.WARNING, "endpoint supplier failed: " + e);
        }
      };
      ScheduledFuture<?> task = scheduler.scheduleWithFixedDelay(poll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
      return () -> task.cancel(false);
    };
  }
}
