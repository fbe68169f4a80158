package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Filter;
import dev.portico.gateway.test.FilterContract;

/** The errors page's quota filter, every tenant over its quota: each refusal is a 429 problem with Retry-After. */
class QuotaFilterContractTest extends FilterContract {
  @Override
  protected Filter filter() {
    return ErrorSnippets.quota(tenant -> true);
  }
}
