package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.upstream.HashKey;
import dev.portico.gateway.upstream.UpstreamGroup;

/** The traffic splitting page: a canary by weight, header and cookie rules, sticky keys. */
final class SplitSnippets {
  private SplitSnippets() {}

  static Gateway canary() {
    // tag::canary[]
    Gateway gateway = Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("orders-v1").endpoint("http://orders-v1:8080").build())
        .upstreamGroup(UpstreamGroup.builder("orders-v2").endpoint("http://orders-v2:8080").build())
        .route("orders", r -> r
            .path("/orders/**")
            .split(s -> s
                .to("orders-v1", 90)                             // the default side: listed first
                .to("orders-v2", 10)                             // the canary: 10% by weight
                .whenHeader("X-Canary", "on", "orders-v2")       // testers opt in
                .whenCookie("canary", "yes", "orders-v2")
                .stickyBy(HashKey.cookie("SESSION").orElse(HashKey.clientIp()))))
        .build();
    // end::canary[]
    return gateway;
  }

  static Gateway promote(Gateway running) {
    // tag::promote[]
    // Half the traffic to v2 now; give it to RunningGateway.reconfigure(next).
    Gateway next = running.toBuilder()
        .removeRoute("orders")
        .route("orders", r -> r
            .path("/orders/**")
            .split(s -> s.to("orders-v1", 50).to("orders-v2", 50)
                .whenHeader("X-Canary", "on", "orders-v2")
                .stickyBy(HashKey.cookie("SESSION").orElse(HashKey.clientIp()))))
        .build();
    // end::promote[]
    return next;
  }
}
