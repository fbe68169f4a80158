package dev.portico.gateway.config.internal;

/** Where a value starts in a configuration file: its source name, line and column (both from 1). Not public API. */
public record Position(String source, int line, int column) {

  @Override
  public String toString() {
    return line > 0 ? source + ":" + line + ":" + column : source;
  }
}
