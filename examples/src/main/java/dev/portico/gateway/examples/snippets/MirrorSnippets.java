package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import java.time.Duration;

/** The request mirroring page: a route copying a share of its requests to a shadow upstream. */
final class MirrorSnippets {
  private MirrorSnippets() {}

  static Gateway mirror() {
    // tag::mirror[]
    Gateway gateway = Gateway.builder()
        .route("orders", r -> r
            .path("/orders/**")
            .upstream("http://orders:8080")
            .mirror(m -> m
                .to("http://orders-next:8080")     // the shadow: its answers are dropped
                .percent(10)                        // copy one request in ten
                .maxBodySize(64 * 1024)             // larger bodies are not copied
                .queue(256)                         // copies in flight at most; more are dropped
                .timeout(Duration.ofSeconds(2))))   // each copy, connect to answer
        .build();
    // end::mirror[]
    return gateway;
  }
}
