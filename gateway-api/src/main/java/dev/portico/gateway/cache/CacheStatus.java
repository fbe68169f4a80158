package dev.portico.gateway.cache;

import static java.util.Objects.requireNonNull;

/**
 * The live state of one route's response cache, as {@link dev.portico.gateway.RunningGateway#cacheStatus()}
 * reports it: what it holds and what it has done since the configuration was applied.
 *
 * @param route the route's id
 * @param entries the keys stored (each with up to 8 {@code Vary} variants)
 * @param bytes the weight of what is stored, in bytes
 * @param maxBytes the bound, {@link CachePolicy#maxBytes()}
 * @param hits requests answered from the cache
 * @param misses GET and HEAD requests that went upstream
 * @param evictions keys evicted to stay within the bound
 */
public record CacheStatus(String route, long entries, long bytes, long maxBytes, long hits, long misses,
    long evictions) {

  /** Checks the route id. */
  public CacheStatus {
    requireNonNull(route, "route");
  }
}
