package dev.portico.gateway.auth;

import dev.portico.gateway.test.AuthenticatorContract;
import dev.portico.gateway.auth.apikey.ApiKeyAuthenticator;
import dev.portico.gateway.auth.apikey.InMemoryApiKeyStore;
import java.util.Set;

class ApiKeyAuthenticatorContractTest extends AuthenticatorContract {
  @Override
  protected Authenticator authenticator() {
    return ApiKeyAuthenticator.builder(InMemoryApiKeyStore.builder()
            .key(InMemoryApiKeyStore.generateKey(), ApiKeyRecord.of("svc")).build())
        .queryParameter("api_key")
        .build();
  }

  /** The key's header; a key in the query parameter travels on, as the API key page says. */
  @Override
  protected Set<String> expectedCredentialHeaders() {
    return Set.of("X-Api-Key");
  }
}
