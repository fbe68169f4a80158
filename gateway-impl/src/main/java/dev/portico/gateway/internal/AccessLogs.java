package dev.portico.gateway.internal;

import dev.portico.gateway.AccessLog;
import dev.portico.gateway.AccessLogEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The default access log: one SLF4J line per exchange. Not public API. */
final class AccessLogs {
  /** The logger name a host can route separately. */
  static final String LOGGER_NAME = "dev.portico.gateway.access";

  private static final Logger ACCESS = LoggerFactory.getLogger(LOGGER_NAME);

  private AccessLogs() {}

  static AccessLog slf4j() {
    return AccessLogs::logLine;
  }

  private static void logLine(AccessLogEntry entry) {
    if (ACCESS.isInfoEnabled()) {
      ACCESS.info(entry.toLine());
    }
  }
}
