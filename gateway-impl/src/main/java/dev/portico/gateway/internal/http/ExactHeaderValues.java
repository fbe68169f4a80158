package dev.portico.gateway.internal.http;

import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;

/**
 * Makes a Jetty server's HTTP/1.1 parsers hand over header values exactly as sent, by turning off
 * Jetty's per-connection cache of header fields seen before ({@code Authorization}, {@code Cookie},
 * {@code User-Agent}...).
 *
 * <p>By default that cache matches ignoring case: a token that differs from an earlier one on the
 * same connection only in the case of a letter would reach the gateway as the earlier token, and a
 * tampered signature would pass. Jetty can make the cache match case instead, but its
 * case-sensitive lookups walk long mixed-case values (tokens, cookies) slowly: a quarter of the
 * Java samples in recordings of the benchmarks' JWT target, where no cache saves 1-3 µs of CPU a
 * request. Without a cache, nothing can be matched to an earlier field at all. Jetty's own table of
 * common fields ({@code Connection: keep-alive}, {@code Accept-Encoding: gzip}...) still applies.
 * Connections opened before keep the setting they were made with. Not public API.
 */
public final class ExactHeaderValues {
  private ExactHeaderValues() {}

  /** Turns the per-connection header cache off in every HTTP connection factory of {@code server}. */
  public static void on(Server server) {
    for (Connector connector : server.getConnectors()) {
      for (ConnectionFactory factory : connector.getConnectionFactories()) {
        if (factory instanceof HttpConfiguration.ConnectionFactory http) {
          off(http.getHttpConfiguration());
        }
      }
    }
  }

  /** Turns the per-connection header cache off in {@code config}: no field is looked up, none ignoring case. */
  private static void off(HttpConfiguration config) {
    config.setHeaderCacheSize(0);
    config.setHeaderCacheCaseSensitive(true);   // moot without a cache; exact if a host turns it back on
  }
}
