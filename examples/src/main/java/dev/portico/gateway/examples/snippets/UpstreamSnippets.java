package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.UpstreamTls;
import dev.portico.gateway.WebSocketSettings;
import dev.portico.gateway.upstream.CircuitBreakerSettings;
import dev.portico.gateway.upstream.Endpoint;
import dev.portico.gateway.upstream.EndpointRegistry;
import dev.portico.gateway.upstream.EndpointSource;
import dev.portico.gateway.upstream.HashKey;
import dev.portico.gateway.upstream.HealthCheck;
import dev.portico.gateway.upstream.LoadBalancer;
import dev.portico.gateway.upstream.LoadBalancing;
import dev.portico.gateway.upstream.OutlierDetection;
import dev.portico.gateway.upstream.RetryPolicy;
import dev.portico.gateway.upstream.UpstreamGroup;
import dev.portico.gateway.upstream.UpstreamProtocol;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/** The upstreams page: groups, balancing, discovery, health, retries, circuit breaking, connections. */
final class UpstreamSnippets {
  private UpstreamSnippets() {}

  static Gateway groups() {
    // tag::groups[]
    UpstreamGroup orders = UpstreamGroup.builder("orders")
        .endpoint("http://orders-1:8080")
        .endpoint("http://orders-2:8080")
        .endpoint("http://orders-3:8080", 2)          // a bigger machine: twice the share
        .build();

    Gateway gateway = Gateway.builder()
        .upstreamGroup(orders)                        // defined once...
        .route("orders-api", r -> r
            .path("/api/orders/**")
            .upstreamGroup("orders"))                 // ...shared by routes, with its state
        .route("orders-admin", r -> r
            .path("/admin/orders/**")
            .stripPrefix(1)
            .upstreamGroup("orders"))
        .route("static", r -> r
            .path("/static/**")
            .upstream("http://cdn:8080"))             // a single upstream: a group of one
        .build();
    // end::groups[]
    return gateway;
  }

  static UpstreamGroup balancers() {
    // tag::balancers[]
    UpstreamGroup search = UpstreamGroup.builder("search")
        .endpoint("http://search-1:9200")
        .endpoint("http://search-2:9200")
        // Queries cost from 1 ms to 2 s: send each to the least busy instance.
        .loadBalancer(LoadBalancing.leastRequests())
        .build();
    // end::balancers[]
    return search;
  }

  static UpstreamGroup consistentHash() {
    // tag::consistent-hash[]
    UpstreamGroup carts = UpstreamGroup.builder("carts")
        .endpoint("http://carts-1:8080")
        .endpoint("http://carts-2:8080")
        .endpoint("http://carts-3:8080")
        // Each instance caches the carts it served: keep a session on one instance,
        // and key anonymous callers by their IP.
        .loadBalancer(LoadBalancing.consistentHash(
            HashKey.cookie("SESSION").orElse(HashKey.clientIp())))
        .build();
    // end::consistent-hash[]
    return carts;
  }

  static LoadBalancer customBalancer() {
    // tag::custom-balancer[]
    // Active-passive: everything to the first endpoint in the group's order that is in
    // rotation; the next one only takes over when it is out.
    LoadBalancer activePassive = () -> (candidates, exchange) -> candidates.get(0);
    // end::custom-balancer[]
    return activePassive;
  }

  static Gateway discoveryPush() {
    // tag::discovery-push[]
    EndpointRegistry ordersEndpoints = EndpointRegistry.of(
        Endpoint.of("http://10.0.4.11:8080"),
        Endpoint.of("http://10.0.4.12:8080"));

    Gateway gateway = Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("orders").endpoints(ordersEndpoints).build())
        .route("orders", r -> r.path("/api/orders/**").upstreamGroup("orders"))
        .build();

    // Later, from your discovery client's watch: no restart, nothing in flight dropped.
    ordersEndpoints.update(List.of(
        Endpoint.of("http://10.0.4.11:8080"),
        Endpoint.of("http://10.0.4.13:8080", 2)));
    // end::discovery-push[]
    return gateway;
  }

  static UpstreamGroup discoveryPoll(Supplier<List<Endpoint>> discoveryCache) {
    // tag::discovery-poll[]
    // discoveryCache answers from memory (a Consul or Kubernetes client keeps it current).
    UpstreamGroup inventory = UpstreamGroup.builder("inventory")
        .endpoints(EndpointSource.polling(discoveryCache, Duration.ofSeconds(5)))
        .build();
    // end::discovery-poll[]
    return inventory;
  }

  static UpstreamGroup health() {
    // tag::health[]
    UpstreamGroup orders = UpstreamGroup.builder("orders")
        .endpoint("http://orders-1:8080")
        .endpoint("http://orders-2:8080")
        .healthCheck(HealthCheck.builder("/health")
            .interval(Duration.ofSeconds(5))
            .timeout(Duration.ofSeconds(1))
            .unhealthyThreshold(2)                 // out after 2 failed probes in a row
            .healthyThreshold(3)                   // back after 3 good ones
            .expectedStatuses(200, 204)
            .build())
        .outlierDetection(OutlierDetection.builder()
            .consecutiveFailures(5)                // 5 x 5xx or no answer in a row: ejected
            .baseEjectionTime(Duration.ofSeconds(30))
            .maxEjectionTime(Duration.ofMinutes(5))
            .maxEjectedPercent(50)                 // never more than half the group
            .build())
        .build();
    // end::health[]
    return orders;
  }

  static UpstreamGroup panic() {
    // tag::panic[]
    UpstreamGroup reports = UpstreamGroup.builder("reports")
        .endpoint("http://reports-1:8080")
        .endpoint("http://reports-2:8080")
        .healthCheck(HealthCheck.http("/health"))
        // A wrong answer beats none here: with every instance marked down,
        // try them anyway instead of answering 503.
        .panicMode(true)
        .build();
    // end::panic[]
    return reports;
  }

  static Gateway retries() {
    // tag::retries[]
    Gateway gateway = Gateway.builder()
        .upstreamGroup(UpstreamGroup.of("catalog", "http://catalog-1:8080", "http://catalog-2:8080"))
        .route("catalog", r -> r
            .path("/api/catalog/**")
            .upstreamGroup("catalog")
            .retry(RetryPolicy.builder()
                .maxRetries(2)
                .retryOnStatuses(502, 503, 504)
                .backoff(Duration.ofMillis(25), Duration.ofMillis(500))
                .perTryTimeout(Duration.ofSeconds(1))
                .deadline(Duration.ofSeconds(3))
                .budget(20, 3)                     // retries <= 20 % of requests (+3 per s)
                .maxReplayBytes(64 * 1024)         // PUT bodies up to 64 KiB can be sent again
                .build()))
        .build();
    // end::retries[]
    return gateway;
  }

  static UpstreamGroup circuitBreaker() {
    // tag::circuit-breaker[]
    UpstreamGroup payments = UpstreamGroup.builder("payments")
        .endpoint("http://payments-1:8080")
        .endpoint("http://payments-2:8080")
        .circuitBreaker(CircuitBreakerSettings.builder()
            .failureRateThreshold(50)                       // half the calls failing...
            .slowCall(Duration.ofSeconds(2), 80)            // ...or 80 % slower than 2 s
            .slidingWindow(50, 20)                          // over the last 50 calls
            .waitInOpenState(Duration.ofSeconds(15))        // then 503 for 15 s
            .permittedCallsInHalfOpenState(3)               // then 3 probe calls
            .build())
        .build();
    // end::circuit-breaker[]
    return payments;
  }

  static Gateway websocket() {
    // tag::websocket[]
    Gateway gateway = Gateway.builder()
        .upstreamGroup(UpstreamGroup.of("chat", "http://chat-1:8080", "http://chat-2:8080"))
        .route("chat", r -> r
            .path("/chat/**")
            .upstreamGroup("chat")                    // ws://chat-n:8080/chat/..., balanced
            .websocket(WebSocketSettings.defaults()
                .withIdleTimeout(Duration.ofMinutes(10))
                .withMaxMessageSize(256 * 1024)))
        .build();
    // end::websocket[]
    return gateway;
  }

  static UpstreamGroup connections(UpstreamTls internalTls) {
    // tag::connections[]
    UpstreamGroup ledger = UpstreamGroup.builder("ledger")
        .endpoint("https://ledger-1.internal:8443")
        .endpoint("https://ledger-2.internal:8443")
        .tls(internalTls)
        .protocol(UpstreamProtocol.HTTP_2)                  // h2 by ALPN; h2c for http endpoints
        .maxConnectionsPerEndpoint(4)                       // HTTP/2 multiplexes: few are enough
        .connectionIdleTimeout(Duration.ofMinutes(2))
        .build();
    // end::connections[]
    return ledger;
  }
}
