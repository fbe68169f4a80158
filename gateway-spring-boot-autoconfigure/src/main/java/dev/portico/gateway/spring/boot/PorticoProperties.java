package dev.portico.gateway.spring.boot;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The settings of the starter itself under {@code portico.*}: where the gateway comes from and how
 * it is mounted. The gateway's own keys ({@code portico.routes}, {@code portico.upstreamGroups},
 * ...) are not bound here but read by gateway-config's model ({@link PropertyTree}).
 *
 * @param enabled whether the gateway is mounted at all
 * @param configFile a YAML or JSON configuration file, instead of {@code portico.*} gateway keys
 * @param reload whether changes to {@code configFile} are applied while the application runs
 * @param shutdownGrace how long exchanges in flight may take to finish when the application stops (5 s, as
 *     {@code GatewayFilter}'s default)
 * @param filter how the filter is mounted
 */
@ConfigurationProperties(PorticoProperties.PREFIX)
record PorticoProperties(
    @DefaultValue("true") boolean enabled,
    @Nullable String configFile,
    @DefaultValue("true") boolean reload,
    @DefaultValue("5s") Duration shutdownGrace,
    @DefaultValue Filter filter) {

  static final String PREFIX = "portico";

  /**
   * Ahead of the filters that read a request's body (Spring MVC's {@code HiddenHttpMethodFilter}
   * at -10000 and {@code FormContentFilter} at -9900), of Spring Security (-100) and of
   * {@code RequestContextFilter} (-105); behind what Boot puts at the very top
   * ({@code CharacterEncodingFilter}, {@code ForwardedHeaderFilter}, the observation filter, Spring
   * Session's repository filter).
   */
  static final int DEFAULT_FILTER_ORDER = -10100;

  /**
   * The top-level keys under {@code portico.} that are the starter's settings, not the gateway's, in Boot's
   * uniform form: these, and the observability auto-configurations' {@code metrics}, {@code observation}
   * and {@code health}.
   */
  static final Set<String> SETTINGS = Set.of("enabled", "configfile", "reload", "shutdowngrace", "filter",
      "metrics", "observation", "health");

  PorticoProperties {
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("portico.shutdown-grace: " + shutdownGrace + " (expected: >= 0)");
    }
  }

  /**
   * How the filter is mounted.
   *
   * @param order its place among the application's servlet filters
   * @param urlPatterns the URL patterns it is mapped to
   */
  record Filter(@DefaultValue("" + DEFAULT_FILTER_ORDER) int order, @DefaultValue("/*") List<String> urlPatterns) {}

  /** Whether {@code key}, a key right under {@code portico.}, is one of these settings (in any of Boot's spellings). */
  static boolean isSetting(String key) {
    return SETTINGS.contains(uniform(key));
  }

  /** Boot's uniform form of a name element: lower case, letters and digits only. */
  static String uniform(String key) {
    StringBuilder out = new StringBuilder(key.length());
    for (char c : key.toLowerCase(Locale.ROOT).toCharArray()) {
      if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
        out.append(c);
      }
    }
    return out.toString();
  }
}
