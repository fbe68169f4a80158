package dev.portico.gateway;

/**
 * Receives one {@link AccessLogEntry} per finished exchange.
 *
 * <p>By default the engine logs each entry as one line through SLF4J under the logger
 * {@code dev.portico.gateway.access}, so a host can route it to its own appender. Implementations
 * are called on the thread that finished the exchange: they must be fast and must not block.
 */
@FunctionalInterface
public interface AccessLog {

  /** Records {@code entry}. */
  void log(AccessLogEntry entry);

  /**
   * Returns the access log that records nothing. It is one instance: the gateway recognizes it and
   * does not even build the entries.
   */
  static AccessLog disabled() {
    return NoAccessLog.INSTANCE;
  }
}
