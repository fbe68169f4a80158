package dev.portico.gateway.auth;

import dev.portico.gateway.test.AuthenticatorContract;
import dev.portico.gateway.auth.introspection.IntrospectionAuthenticator;
import java.time.Duration;
import java.util.Set;

/** Against an endpoint that is down: every well-formed token is unavailable, the rest rejected. */
class IntrospectionAuthenticatorContractTest extends AuthenticatorContract {
  private IntrospectionAuthenticator authenticator;

  @Override
  protected Authenticator authenticator() throws Exception {
    int closedPort = dev.portico.gateway.testing.RefusingPort.reserve();
    authenticator = IntrospectionAuthenticator.builder("http://127.0.0.1:" + closedPort + "/introspect")
        .clientCredentials("gateway", "secret").timeout(Duration.ofSeconds(2)).build();
    return authenticator;
  }

  @Override
  protected void release() {
    if (authenticator != null) {
      authenticator.close();
    }
  }

  @Override
  protected Set<String> expectedCredentialHeaders() {
    return Set.of("Authorization");
  }
}
