package dev.portico.gateway.testing;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.Challenge;
import dev.portico.gateway.auth.Identity;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A tiny custom authenticator for engine tests: {@code Authorization: Test <user>} names one of
 * {@link #USERS}; any other Authorization scheme is no credentials.
 */
public final class TestAuthenticator implements Authenticator {
  public static final Challenge CHALLENGE = new Challenge("Test", "tests", null, null);

  /** reader: orders:read, role clerk; writer: orders:read orders:write, role admin, with an issuer. */
  public static final Map<String, Identity> USERS = Map.of(
      "reader", Identity.builder("reader").method("test")
          .scopes(Set.of("orders:read")).roles(Set.of("clerk"))
          .claims(Map.of("tenant", "acme", "groups", List.of("staff", "emea"), "level", 3, "amr", "pwd otp",
              "flags", List.of(List.of("admin"))))
          .build(),
      "writer", Identity.builder("writer").method("test").issuer("https://idp.test")
          .scopes(Set.of("orders:read", "orders:write")).roles(Set.of("admin", "clerk"))
          .claims(Map.of("tenant", "internal", "level", 9L))
          .build());

  @Override
  public CompletionStage<AuthResult> authenticate(Exchange exchange) {
    Optional<String> authorization = exchange.request().headers().first("Authorization").filter(a -> a.startsWith("Test "));
    if (authorization.isEmpty()) {
      return CompletableFuture.completedFuture(AuthResult.noCredentials(CHALLENGE));
    }
    Identity identity = USERS.get(authorization.get().substring(5));
    return CompletableFuture.completedFuture(identity != null ? AuthResult.authenticated(identity)
        : AuthResult.rejected(CHALLENGE.withError("invalid_token", "Unknown test user.")));
  }

  @Override
  public String toString() {
    return "TestAuthenticator";
  }
}
