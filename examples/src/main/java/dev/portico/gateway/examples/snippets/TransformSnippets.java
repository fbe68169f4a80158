package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.transform.HeaderRules;
import dev.portico.gateway.transform.JsonTransform;
import dev.portico.gateway.transform.json.JacksonTreeFunction;
import tools.jackson.databind.node.ObjectNode;

/** The transformation page: header, query, method and JSON body rules. */
final class TransformSnippets {
  private TransformSnippets() {}

  static Gateway headers() {
    // tag::headers[]
    Gateway gateway = Gateway.builder()
        .route("orders", r -> r
            .path("/api/orders/{id}")
            .upstream("http://orders:8080")
            .requestHeaders(h -> h
                .set("X-User", "{identity.subject}")          // skipped on anonymous requests
                .set("X-Order-Id", "{var.id}")                // a path variable
                .add("X-Trace", "gw-{requestId}")
                .append("Via", "1.1 portico")                 // "1.0 edge, 1.1 portico"
                .rename("X-Tenant-Id", "X-Tenant")
                .remove("Cookie"))
            .responseHeaders(h -> h
                .stripInternal()                              // Server, X-Powered-By, ...
                .set("X-Served-By", "{route.id}")))
        .build();
    // end::headers[]
    return gateway;
  }

  static Gateway stripInternal() {
    // tag::strip-internal[]
    Gateway gateway = Gateway.builder()
        .route("legacy", r -> r
            .path("/legacy/**")
            .responseHeaders(HeaderRules.stripInternal())
            .upstream("http://legacy:8080"))
        .build();
    // end::strip-internal[]
    return gateway;
  }

  static Gateway query() {
    // tag::query[]
    Gateway gateway = Gateway.builder()
        // GET /search/books?q=x&debug=1 -> GET /search?q=x&index=books&client=gateway
        .route("search", r -> r
            .path("/search/{index}")
            .rewritePath("/search")
            .requestQuery(q -> q
                .set("index", "{var.index}")
                .add("client", "gateway")
                .remove("debug"))
            .upstream("http://search:8080"))
        // The old backend only takes POST: the client's GET goes upstream as a POST.
        .route("reports", r -> r
            .path("/reports")
            .methods("GET")
            .methodOverride("POST")
            .upstream("http://reports:8080"))
        .build();
    // end::query[]
    return gateway;
  }

  static Gateway json() {
    // tag::json[]
    Gateway gateway = Gateway.builder()
        .route("customers", r -> r
            .path("/api/customers/{id}")
            .upstream("http://crm:8080")
            // What the client sends, adapted to what the backend expects.
            .requestJson(j -> j
                .rename("/firstName", "/first_name")
                .set("/audit/requestId", "{requestId}")
                .set("/audit/by", "{identity.subject}")
                .maxBodySize(64 * 1024))                      // larger requests: 413
            // What the backend answers, adapted for the client.
            .responseJson(j -> j
                .rename("/first_name", "/firstName")
                .remove("/internalNotes")
                .set("/links/self", "/api/customers/{var.id}")
                .maxBodySize(256 * 1024)                      // larger answers: 502 (REJECT)
                .responseFallback(JsonTransform.ResponseFallback.REJECT)))
        .build();
    // end::json[]
    return gateway;
  }

  static Gateway function() {
    // tag::function[]
    JsonTransform totals = JsonTransform.builder()
        .function(JacksonTreeFunction.of((body, exchange) -> {
          if (body instanceof ObjectNode order) {
            order.put("total", order.path("net").asLong() + order.path("tax").asLong());
          }
          return body;
        }))
        .build();

    Gateway gateway = Gateway.builder()
        .route("orders", r -> r.path("/api/orders").responseJson(totals).upstream("http://orders:8080"))
        .build();
    // end::function[]
    return gateway;
  }
}
