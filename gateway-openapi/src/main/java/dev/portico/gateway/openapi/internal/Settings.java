package dev.portico.gateway.openapi.internal;

import dev.portico.gateway.Route;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.Upstream;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What the host chose for an import: the default upstream (one of three forms, or none), the path
 * and id prefixes, whether to validate, the names extensions may use. Not public API.
 */
public record Settings(@Nullable Upstream upstream, @Nullable String upstreamUri, @Nullable String upstreamGroup,
    @Nullable String pathPrefix, String idPrefix, boolean validate, Map<String, Authenticator> authenticators,
    Map<String, RateLimiter> limiters, Consumer<Route.Builder> eachRoute) {}
