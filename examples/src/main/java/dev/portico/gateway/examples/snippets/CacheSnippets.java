package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.cache.CachePolicy;
import java.time.Duration;

/** The response caching page. */
final class CacheSnippets {
  private CacheSnippets() {}

  static Gateway cache(Authenticator authenticator) {
    // tag::cache[]
    Gateway gateway = Gateway.builder()
        .route("catalog", r -> r
            .path("/catalog/**")
            .upstream("http://catalog:8080")
            .cache(CachePolicy.ofSize(64 * 1024 * 1024)))          // 64 MiB for this route
        .route("profile", r -> r
            .path("/me/**")
            .authenticator(authenticator)
            .upstream("http://accounts:8080")
            .cache(c -> c
                .maxBytes(16 * 1024 * 1024)
                .maxEntryBytes(256 * 1024)                         // larger bodies stream through
                .keyByIdentity(true)                               // each caller's entries are their own
                .collapseWait(Duration.ofSeconds(2))))
        .build();
    // end::cache[]
    return gateway;
  }
}
