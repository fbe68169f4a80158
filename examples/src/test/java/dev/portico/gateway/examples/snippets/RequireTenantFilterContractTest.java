package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.Filter;
import dev.portico.gateway.test.FilterContract;
import dev.portico.gateway.test.TestExchange;
import java.util.ArrayList;
import java.util.List;

/** The errors page's tenant filter, held to the published filter contract. */
// tag::contract[]
class RequireTenantFilterContractTest extends FilterContract {
  @Override
  protected Filter filter() {
    return ErrorSnippets.requireTenant();           // the filter under test
  }

  @Override
  protected List<Exchange> exchanges() {           // the kit's odd requests, and one it lets through
    List<Exchange> all = new ArrayList<>(super.exchanges());
    all.add(TestExchange.get("/api/orders", "X-Tenant", "acme"));
    return all;
  }
}
// end::contract[]
