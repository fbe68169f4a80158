package dev.portico.gateway.spring.boot;

import dev.portico.gateway.AccessLog;
import dev.portico.gateway.ErrorMapper;
import dev.portico.gateway.Filter;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.config.internal.Registry;
import dev.portico.gateway.ratelimit.RateLimiter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.beans.factory.ListableBeanFactory;

/**
 * The application's beans a configuration may name: its {@link Filter}s, {@link Authenticator}s,
 * {@link RateLimiter}s, {@link ErrorMapper}s and {@link AccessLog}s, each by its bean name. Beans
 * whose names a configuration cannot write (generated names such as {@code com.example.X#0}) are
 * left out.
 */
record RegisteredBeans(Map<String, Filter> filters, Map<String, Authenticator> authenticators,
    Map<String, RateLimiter> limiters, Map<String, ErrorMapper> errorMappers, Map<String, AccessLog> accessLogs) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  /** The beans of {@code beans}. */
  static RegisteredBeans of(ListableBeanFactory beans) {
    return new RegisteredBeans(named(beans, Filter.class), named(beans, Authenticator.class),
        named(beans, RateLimiter.class), named(beans, ErrorMapper.class), named(beans, AccessLog.class));
  }

  private static <T> Map<String, T> named(ListableBeanFactory beans, Class<T> type) {
    Map<String, T> out = new LinkedHashMap<>();
    beans.getBeansOfType(type).forEach((name, bean) -> {
      if (NAME.matcher(name).matches()) {
        out.put(name, bean);
      }
    });
    return out;
  }

  /** For properties, read by the model directly. */
  Registry registry() {
    return new Registry(filters, authenticators, limiters, errorMappers, accessLogs);
  }

  /** For a configuration file. */
  GatewayConfig config() {
    GatewayConfig.Builder builder = GatewayConfig.builder();
    filters.forEach(builder::filter);
    authenticators.forEach(builder::authenticator);
    limiters.forEach(builder::rateLimiter);
    errorMappers.forEach(builder::errorMapper);
    accessLogs.forEach(builder::accessLog);
    return builder.build();
  }
}
