package dev.portico.gateway.auth;

import dev.portico.gateway.test.AuthenticatorContract;
import dev.portico.gateway.auth.basic.BasicAuthenticator;
import dev.portico.gateway.auth.basic.Pbkdf2CredentialStore;
import java.util.Set;

class BasicAuthenticatorContractTest extends AuthenticatorContract {
  @Override
  protected Authenticator authenticator() {
    return BasicAuthenticator.of("admin", Pbkdf2CredentialStore.builder()
        .user("alice", Pbkdf2CredentialStore.hash("secret".toCharArray(), 1_000)).build());
  }

  @Override
  protected Set<String> expectedCredentialHeaders() {
    return Set.of("Authorization");
  }
}
