package dev.portico.gateway.config.internal;

import dev.portico.gateway.cache.CachePolicy;

/** The {@code cache:} key of a route and of {@code routeDefaults} / {@code methodPolicies}. Not public API. */
final class CacheModel {
  private CacheModel() {}

  static final Spec<CachePolicy.Builder> CACHE = Spec.<CachePolicy.Builder>of("cache",
          "An in-memory response cache for the route (RFC 9111 shared-cache rules); {} for the defaults."
              + " Needs com.github.ben-manes.caffeine:caffeine on the class path.")
      .key("maxBytes", Type.INTEGER, "67108864", "The bound of the route's cache, in bytes.",
          (b, v) -> b.maxBytes(v.longValue()))
      .key("maxEntryBytes", Type.INTEGER, "1048576",
          "The largest response kept, in bytes; larger ones are streamed through and not kept.",
          (b, v) -> b.maxEntryBytes(v.longValue()))
      .key("keyByIdentity", Type.BOOLEAN, "false",
          "Key entries by the authenticated caller, and keep responses to authenticated requests.",
          (b, v) -> b.keyByIdentity(v.bool()))
      .key("cacheSetCookie", Type.BOOLEAN, "false", "Keep responses with Set-Cookie (stored without their cookies).",
          (b, v) -> b.cacheSetCookie(v.bool()))
      .key("collapseWait", Type.DURATION, "5s",
          "How long concurrent misses for one key wait for the first; 0s turns collapsing off.",
          (b, v) -> b.collapseWait(v.duration()));
}
