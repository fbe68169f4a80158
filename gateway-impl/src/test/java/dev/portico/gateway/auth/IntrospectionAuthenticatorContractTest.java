package dev.portico.gateway.auth;

import dev.portico.gateway.auth.introspection.IntrospectionAuthenticator;
import java.net.ServerSocket;
import java.time.Duration;

/** Against an endpoint that is down: every well-formed token is unavailable, the rest rejected. */
class IntrospectionAuthenticatorContractTest extends AuthenticatorContractTest {
  private IntrospectionAuthenticator authenticator;

  @Override
  protected Authenticator authenticator() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
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
}
