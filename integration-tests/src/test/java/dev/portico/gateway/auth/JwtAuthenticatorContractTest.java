package dev.portico.gateway.auth;

import dev.portico.gateway.test.AuthenticatorContract;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/** With a shared secret: no key set to fetch, so every hostile token is judged locally. */
class JwtAuthenticatorContractTest extends AuthenticatorContract {
  @Override
  protected Authenticator authenticator() {
    return JwtAuthenticator.builder()
        .hmacSecret("a shared secret of at least 32 bytes!".getBytes(StandardCharsets.UTF_8))
        .issuer("https://idp.example.com")
        .audience("api")
        .build();
  }

  @Override
  protected Set<String> expectedCredentialHeaders() {
    return Set.of("Authorization");
  }
}
