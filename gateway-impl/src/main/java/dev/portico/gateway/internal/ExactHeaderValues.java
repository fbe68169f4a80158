package dev.portico.gateway.internal;

import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;

/**
 * Makes a Jetty server's HTTP/1.1 parsers hand over header values exactly as sent. Jetty keeps,
 * per connection, a cache of header fields seen before ({@code Authorization}, {@code Cookie},
 * {@code User-Agent}...) that by default matches them ignoring case: a token that differs from an
 * earlier one on the same connection only in the case of a letter would reach the gateway as the
 * earlier token, and a tampered signature would pass. Connections opened before keep the setting
 * they were made with. Not public API.
 */
public final class ExactHeaderValues {
  private ExactHeaderValues() {}

  /** Turns on case-sensitive header caching in every HTTP connection factory of {@code server}. */
  public static void on(Server server) {
    for (Connector connector : server.getConnectors()) {
      for (ConnectionFactory factory : connector.getConnectionFactories()) {
        if (factory instanceof HttpConfiguration.ConnectionFactory http) {
          http.getHttpConfiguration().setHeaderCacheCaseSensitive(true);
        }
      }
    }
  }
}
