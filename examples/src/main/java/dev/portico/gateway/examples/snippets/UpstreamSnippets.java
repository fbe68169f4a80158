package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Upstream;

/** The upstreams page. */
final class UpstreamSnippets {
  private UpstreamSnippets() {}

  static Gateway upstreams() {
    // tag::upstreams[]
    // One value, shared by the routes that call the same service.
    Upstream orders = Upstream.of("http://orders.internal:8080");

    Gateway gateway = Gateway.builder()
        .route("orders", r -> r.path("/api/orders/**").stripPrefix(1).upstream(orders))
        .route("order-events", r -> r.path("/api/order-events/**").stripPrefix(1).upstream(orders))
        // A base path goes in front of the (rewritten) path: /reports/q3 -> /legacy/app/reports/q3
        .route("reports", r -> r.path("/reports/**").upstream("http://reports.internal:8080/legacy/app"))
        .build();
    // end::upstreams[]
    return gateway;
  }
}
