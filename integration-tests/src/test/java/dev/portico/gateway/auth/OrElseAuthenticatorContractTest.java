package dev.portico.gateway.auth;

import dev.portico.gateway.test.AuthenticatorContract;
import java.util.Set;

/** The combinator keeps the contract of the authenticators it combines. */
class OrElseAuthenticatorContractTest extends AuthenticatorContract {
  @Override
  protected Authenticator authenticator() {
    return new ApiKeyAuthenticatorContractTest().authenticator()
        .orElse(new BasicAuthenticatorContractTest().authenticator())
        .orElse(new ClientCertificateAuthenticatorContractTest().authenticator());
  }

  /** Both authenticators' headers, the certificate adding none. */
  @Override
  protected Set<String> expectedCredentialHeaders() {
    return Set.of("X-Api-Key", "Authorization");
  }
}
