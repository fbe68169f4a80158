package dev.portico.gateway.auth;

import dev.portico.gateway.auth.apikey.ApiKeyAuthenticator;
import dev.portico.gateway.auth.apikey.InMemoryApiKeyStore;

class ApiKeyAuthenticatorContractTest extends AuthenticatorContractTest {
  @Override
  protected Authenticator authenticator() {
    return ApiKeyAuthenticator.builder(InMemoryApiKeyStore.builder()
            .key(InMemoryApiKeyStore.generateKey(), ApiKeyRecord.of("svc")).build())
        .queryParameter("api_key")
        .build();
  }
}
