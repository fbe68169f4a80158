package dev.portico.gateway.auth;

import dev.portico.gateway.auth.mtls.ClientCertificateAuthenticator;

class ClientCertificateAuthenticatorContractTest extends AuthenticatorContractTest {
  @Override
  protected Authenticator authenticator() {
    return ClientCertificateAuthenticator.commonName();
  }
}
