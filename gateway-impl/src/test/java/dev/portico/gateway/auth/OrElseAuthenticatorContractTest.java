package dev.portico.gateway.auth;

/** The combinator keeps the contract of the authenticators it combines. */
class OrElseAuthenticatorContractTest extends AuthenticatorContractTest {
  @Override
  protected Authenticator authenticator() {
    return new ApiKeyAuthenticatorContractTest().authenticator()
        .orElse(new BasicAuthenticatorContractTest().authenticator())
        .orElse(new ClientCertificateAuthenticatorContractTest().authenticator());
  }
}
