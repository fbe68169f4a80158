package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.IpRules;

/** The IP rules page: allow and deny lists on the gateway, per route, and as route defaults. */
final class IpRulesSnippets {
  private IpRulesSnippets() {}

  static Gateway perRoute() {
    // tag::per-route[]
    Gateway gateway = Gateway.builder()
        // behind a load balancer at 10.0.0.5: its X-Forwarded-For names the client
        .trustedProxies("10.0.0.5")
        // nobody from this block reaches any route (nor learns which paths exist)
        .ipRules(IpRules.deny("203.0.113.0/24"))
        .route("admin", r -> r
            .path("/admin/**")
            .upstream("http://admin:8080")
            // the office networks only, except one subnet; deny wins
            .ipRules(ip -> ip.allow("10.0.0.0/8", "fd00::/8").deny("10.66.0.0/16")))
        .route("shop", r -> r
            .path("/shop/**")
            .upstream("http://shop:8080"))
        .build();
    // end::per-route[]
    return gateway;
  }

  static Gateway defaults() {
    // tag::defaults[]
    Gateway gateway = Gateway.builder()
        .routeDefaults(d -> d.ipRules(IpRules.allow("10.0.0.0/8")))   // internal by default
        .route("reports", r -> r.path("/reports/**").upstream("http://reports:8080"))
        .route("status", r -> r
            .path("/status")
            .upstream("http://reports:8080")
            .ipRules(IpRules.none()))                                 // open to everyone
        .build();
    // end::defaults[]
    return gateway;
  }
}
