package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Filter;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.ProblemType;
import java.util.concurrent.CompletableFuture;

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

  /** Stands in for whatever the host uses to track quotas. */
  interface TenantQuotas {
    boolean exhausted(String tenant);
  }
}
