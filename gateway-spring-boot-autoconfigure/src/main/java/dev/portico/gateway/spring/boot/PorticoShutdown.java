package dev.portico.gateway.spring.boot;

import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.config.ConfigWatch;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Shuts the gateway down gracefully when the application context closes, in the phase just before
 * Boot's own graceful shutdown of the web server ({@link WebServerApplicationContext#GRACEFUL_SHUTDOWN_PHASE}):
 * the configuration file stops being watched, new requests on the gateway's routes get 503
 * {@code shutting-down} while the server still accepts connections, and the exchanges in flight
 * finish, up to {@code portico.shutdown-grace}. Then Boot stops accepting connections and waits for
 * the application's own requests, and the server stops the filter.
 */
final class PorticoShutdown implements SmartLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(PorticoShutdown.class);

  /** Stopped before Boot's graceful shutdown (a higher phase stops earlier). */
  static final int PHASE = WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 1;

  private final RunningGateway gateway;
  private final Duration grace;
  private final List<ConfigWatch> watches;
  private volatile boolean running;

  PorticoShutdown(RunningGateway gateway, Duration grace, List<ConfigWatch> watches) {
    this.gateway = gateway;
    this.grace = grace;
    this.watches = List.copyOf(watches);
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    watches.forEach(ConfigWatch::close);
    LOG.info("Portico: shutting down gracefully; exchanges in flight have up to {} to finish", grace);
    try {
      gateway.shutdown(grace);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
