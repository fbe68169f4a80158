package dev.portico.gateway.auth;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Exchange;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Turns a request's credentials into an {@link Identity}, or says why it cannot.
 *
 * <pre>{@code
 * Authenticator auth = jwt.orElse(apiKeys);   // a bearer token, else an API key
 * Gateway.builder().authenticator(auth)        // every route, unless it says permitAll()
 * }</pre>
 *
 * <p>Contract: return a stage that completes exactly once with a non-null {@link AuthResult}; never
 * block (fetching keys or calling an introspection endpoint completes the stage later); report
 * expected outcomes (no credentials, bad credentials, endpoint down) as results, not exceptions.
 * An exceptionally completed stage is a bug, answered 500. Error descriptions reach clients: no
 * internals, no token contents.
 */
@FunctionalInterface
public interface Authenticator {

  /** Authenticates {@code exchange}'s request. */
  CompletionStage<AuthResult> authenticate(Exchange exchange);

  /**
   * Returns the request headers that carry this authenticator's credentials. A route whose
   * {@link IdentityForwarding#stripCredentials()} is set removes them, and {@code Authorization},
   * before calling the upstream. {@code Authorization} by default; an API key authenticator
   * returns its key header, a client certificate authenticator none.
   */
  default Set<String> credentialHeaders() {
    return Set.of("Authorization");
  }

  /**
   * Returns an authenticator that tries this one and, only when it finds
   * {@link AuthResult#noCredentials() no credentials}, {@code next}. Its
   * {@link #credentialHeaders()} are both authenticators'.
   */
  default Authenticator orElse(Authenticator next) {
    requireNonNull(next, "next");
    Authenticator first = this;
    return new Authenticator() {
      @Override
      public CompletionStage<AuthResult> authenticate(Exchange exchange) {
        return first.authenticate(exchange).thenCompose(result ->
            result.kind() == AuthResult.Kind.NO_CREDENTIALS
                ? next.authenticate(exchange).thenApply(later ->
                    later.kind() == AuthResult.Kind.NO_CREDENTIALS ? result.withChallengesOf(later) : later)
                : CompletableFuture.completedFuture(result));
      }

      @Override
      public Set<String> credentialHeaders() {
        Set<String> both = new LinkedHashSet<>(first.credentialHeaders());
        both.addAll(next.credentialHeaders());
        return Collections.unmodifiableSet(both);
      }

      @Override
      public String toString() {
        return first + ".orElse(" + next + ")";
      }
    };
  }
}
