package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.AccessLog;
import dev.portico.gateway.Filter;
import dev.portico.gateway.Gateway;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The architecture page: the extension points a host plugs in today. */
final class ExtensionSnippets {
  private ExtensionSnippets() {}

  static Gateway filters() {
    // tag::filters[]
    // Adds a header to the upstream request: exchanges are immutable, so pass on a copy.
    Filter tenant = (exchange, chain) -> chain.proceed(exchange.withRequest(
        exchange.request().toBuilder().header("X-Tenant", "acme").build()));

    // Changes the response on its way back; the body keeps streaming untouched.
    Filter noPoweredBy = Filter.named("no-powered-by", (exchange, chain) ->
        chain.proceed(exchange).thenApply(response -> response.withHeaders(
            response.headers().toBuilder().remove("X-Powered-By").build())));

    Gateway gateway = Gateway.builder()
        .filter(noPoweredBy)                     // global: every matched route, first
        .route("orders", r -> r
            .path("/api/orders/**")
            .filter(tenant)                      // this route only, after the global ones
            .upstream("http://orders:8080"))
        .build();
    // end::filters[]
    return gateway;
  }

  static Gateway accessLog() {
    // tag::access-log[]
    Map<String, LongAdder> exchangesByOutcome = new ConcurrentHashMap<>();
    AccessLog countOutcomes = entry ->            // called once per exchange; must not block
        exchangesByOutcome.computeIfAbsent(entry.outcome(), k -> new LongAdder()).increment();

    Gateway gateway = Gateway.builder()
        .accessLog(countOutcomes)                 // replaces the default SLF4J line
        .route("orders", r -> r.path("/api/orders/**").upstream("http://orders:8080"))
        .build();
    // end::access-log[]
    return gateway;
  }
}
