package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.ErrorMapper;
import dev.portico.gateway.ErrorResponse;
import dev.portico.gateway.Filter;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.UpstreamErrors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.json.JsonMapper;

/** The errors page: refusing from a filter with a problem, and problem types of your own. */
final class ErrorSnippets {
  private ErrorSnippets() {}

  static Filter requireTenant() {
    // tag::refuse[]
    Filter requireTenant = Filter.named("require-tenant", (exchange, chain) -> {
      if (!exchange.request().headers().contains("X-Tenant")) {
        return CompletableFuture.completedFuture(GatewayResponse.problem(
            ProblemType.BAD_REQUEST.withDetail("The X-Tenant header is required")));
      }
      return chain.proceed(exchange);
    });
    // end::refuse[]
    return requireTenant;
  }

  // tag::custom-type[]
  static final ProblemType QUOTA_EXCEEDED = ProblemType.of(
      "https://example.com/problems/quota-exceeded", "Quota exceeded", 429);

  static Filter quota(TenantQuotas quotas) {
    return (exchange, chain) -> {
      String tenant = exchange.request().headers().first("X-Tenant").orElse("anonymous");
      if (quotas.exhausted(tenant)) {
        return CompletableFuture.completedFuture(GatewayResponse.problem(
            QUOTA_EXCEEDED.withDetail("The daily quota of this tenant is used up")
                .withHeader("Retry-After", "3600")));
      }
      return chain.proceed(exchange);
    };
  }
  // end::custom-type[]

  static Gateway errorMapper() {
    // tag::error-mapper[]
    JsonMapper json = JsonMapper.builder().build();
    // The shape the mobile app of 2019 understands: {"error": {"code": ..., "message": ...}}
    ErrorMapper legacy = (problem, context) -> {
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("code", problem.type().type().getPath().replace("/problems/", ""));
      error.put("message", problem.detail());
      error.put("trace", context.requestId());
      return ErrorResponse.of(problem.status(), "application/json",
          json.writeValueAsBytes(Map.of("error", error)));
    };

    Gateway gateway = Gateway.builder()
        .upstreamErrors(UpstreamErrors.REPLACE)          // upstream 5xx: a 502 problem instead
        .route("mobile", r -> r
            .path("/mobile/v1/**")
            .errorMapper(legacy)                         // this route's problems only
            .upstream("http://mobile-bff:8080"))
        .route("orders", r -> r.path("/api/orders/**").upstream("http://orders:8080"))
        .build();
    // end::error-mapper[]
    return gateway;
  }

  /** Stands in for whatever the host uses to track quotas. */
  interface TenantQuotas {
    boolean exhausted(String tenant);
  }
}
