package dev.portico.gateway.config.internal;

import dev.portico.gateway.AccessLog;
import dev.portico.gateway.ErrorMapper;
import dev.portico.gateway.Filter;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.ratelimit.RateLimiter;
import java.util.Map;

/**
 * The objects a host hands the reader by name, for a file to use: its own filters, authenticators,
 * limiters, error mappers and access logs. Not public API.
 */
public record Registry(Map<String, Filter> filters, Map<String, Authenticator> authenticators,
    Map<String, RateLimiter> limiters, Map<String, ErrorMapper> errorMappers, Map<String, AccessLog> accessLogs) {

  /** Copies the maps. */
  public Registry {
    filters = Map.copyOf(filters);
    authenticators = Map.copyOf(authenticators);
    limiters = Map.copyOf(limiters);
    errorMappers = Map.copyOf(errorMappers);
    accessLogs = Map.copyOf(accessLogs);
  }
}
