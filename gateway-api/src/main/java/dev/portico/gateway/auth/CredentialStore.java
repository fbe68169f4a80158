package dev.portico.gateway.auth;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Checks a user name and password, as sent with HTTP Basic. The built-in
 * {@code Pbkdf2CredentialStore} in {@code gateway-impl} keeps salted PBKDF2 hashes; a store backed
 * by a directory implements this interface the same way.
 *
 * <pre>{@code
 * CredentialStore ldap = (user, password) -> directory.bindAsync(user, password)
 *     .thenApply(ok -> ok ? Optional.of(Identity.builder(user).method("basic").build()) : Optional.empty());
 * }</pre>
 *
 * <p>Contract: return a non-null stage and complete it exactly once, with the identity when the
 * password is right and {@link Optional#empty()} when the user is unknown or the password wrong
 * (the two must be indistinguishable, in result and in time). Never block the calling thread:
 * password hashing is deliberately slow, so run it on an executor of its own and return the stage.
 * A stage that completes exceptionally means the store cannot answer now, and the request is
 * refused with 503. Never log or keep the password.
 */
@FunctionalInterface
public interface CredentialStore {

  /** Verifies {@code password} for {@code username}. */
  CompletionStage<Optional<Identity>> verify(String username, String password);
}
