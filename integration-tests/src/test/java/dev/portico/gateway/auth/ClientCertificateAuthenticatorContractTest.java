package dev.portico.gateway.auth;

import dev.portico.gateway.test.AuthenticatorContract;
import dev.portico.gateway.auth.mtls.ClientCertificateAuthenticator;
import java.util.Set;

class ClientCertificateAuthenticatorContractTest extends AuthenticatorContract {
  @Override
  protected Authenticator authenticator() {
    return ClientCertificateAuthenticator.commonName();
  }

  /** None: the credential is the TLS connection's certificate. */
  @Override
  protected Set<String> expectedCredentialHeaders() {
    return Set.of();
  }
}
