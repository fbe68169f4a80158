package dev.portico.gateway;

/** The access log that records nothing ({@link AccessLog#disabled()}). */
final class NoAccessLog implements AccessLog {
  static final NoAccessLog INSTANCE = new NoAccessLog();

  private NoAccessLog() {}

  @Override
  public void log(AccessLogEntry entry) {
    // nothing
  }

  @Override
  public String toString() {
    return "AccessLog.disabled()";
  }
}
