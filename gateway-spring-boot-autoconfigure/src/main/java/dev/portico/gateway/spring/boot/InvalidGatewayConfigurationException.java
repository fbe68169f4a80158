package dev.portico.gateway.spring.boot;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The gateway's configuration cannot become a gateway: each value at fault (the property or the
 * file's key), where it was given, and what is wrong. {@link PorticoFailureAnalyzer} turns it into
 * Boot's "APPLICATION FAILED TO START" report.
 */
final class InvalidGatewayConfigurationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * One value at fault.
   *
   * @param key the property ({@code portico.routes[2].upstream}) or the file's key path
   * @param origin where it was given ({@code class path resource [application.yaml] - 14:17}); empty when unknown
   * @param message what is wrong, and what was expected
   */
  record Entry(String key, String origin, String message) {
    Entry {
      requireNonNull(key, "key");
      requireNonNull(origin, "origin");
      requireNonNull(message, "message");
    }
  }

  /** What was read: {@code the portico.* properties}, or the configuration file. */
  private final String source;
  /** What an entry's key is called in the report: {@code Property} or {@code Key}. */
  private final String keyLabel;
  private final transient List<Entry> entries;
  private final transient List<String> actions;

  /**
   * With what was read, what its keys are called, the values at fault and what to do: specific
   * actions first ("Rename ... to ..."), the general one last.
   */
  InvalidGatewayConfigurationException(String source, String keyLabel, List<Entry> entries, List<String> actions) {
    super(message(source, entries));
    this.source = source;
    this.keyLabel = keyLabel;
    this.entries = List.copyOf(entries);
    this.actions = List.copyOf(actions);
  }

  /** The gateway is given twice: by {@code portico.config-file} and by gateway keys under {@code portico.}. */
  static InvalidGatewayConfigurationException givenTwice(String configFile, List<String> keys) {
    String first = PorticoProperties.PREFIX + "." + keys.get(0);
    return new InvalidGatewayConfigurationException("the portico.* properties", "Property", List.of(
        new Entry(first, "", "the gateway is given both by portico.config-file (" + configFile + ") and by "
            + "portico.* gateway keys (" + String.join(", ", keys.stream().map(k -> "portico." + k).toList()) + ")")),
        List.of("Give the gateway in one place: remove portico.config-file, or the portico.* gateway keys."));
  }

  private static String message(String source, List<Entry> entries) {
    StringBuilder text = new StringBuilder("Portico cannot build its gateway from " + source + ":");
    for (Entry entry : entries) {
      text.append("\n  ").append(entry.key()).append(entry.origin().isEmpty() ? "" : " (" + entry.origin() + ")")
          .append(": ").append(entry.message());
    }
    return text.toString();
  }

  String source() {
    return source;
  }

  String keyLabel() {
    return keyLabel;
  }

  List<Entry> entries() {
    return entries;
  }

  /** What to do, one line each: what a message suggests ("Rename portico.routes[0].stripPrefx to ..."), then in general. */
  List<String> actions() {
    return actions;
  }
}
