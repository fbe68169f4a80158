package dev.portico.gateway.internal.chain;

import dev.portico.gateway.Filter;
import dev.portico.gateway.test.FilterContract;
import dev.portico.gateway.transform.HeaderRules;
import dev.portico.gateway.transform.QueryRules;
import org.junit.jupiter.api.Nested;

/** The published {@link FilterContract}, run against the engine's own filters. */
class BuiltInFiltersContractTest {

  @Nested
  class MethodOverride extends FilterContract {
    @Override
    protected Filter filter() {
      return new MethodOverrideStep("PUT");
    }
  }

  @Nested
  class RequestQueryRules extends FilterContract {
    @Override
    protected Filter filter() {
      return new QueryRulesStep(QueryRules.builder().add("source", "gateway").set("a", "1").remove("api_key").build());
    }
  }

  @Nested
  class RequestHeaderRules extends FilterContract {
    @Override
    protected Filter filter() {
      return HeaderRulesStep.request(HeaderRules.builder().stripInternal().set("X-Gateway", "portico")
          .rename("X-Old", "X-New").remove("Cookie").build());
    }
  }

  @Nested
  class ResponseHeaderRules extends FilterContract {
    @Override
    protected Filter filter() {
      return HeaderRulesStep.response(HeaderRules.builder().remove("Server").append("Vary", "Origin").build());
    }
  }
}
