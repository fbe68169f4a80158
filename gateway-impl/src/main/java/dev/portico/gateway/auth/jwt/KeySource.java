package dev.portico.gateway.auth.jwt;

import com.nimbusds.jose.JWSHeader;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where verification keys come from: configuration (fixed), or a JWK set URL (fetched and cached).
 *
 * <p>{@link #keysFor} never blocks and never completes exceptionally: it completes with the keys to
 * try for a token with that header, or empty when no keys can be had now (the caller answers 503).
 */
interface KeySource extends AutoCloseable {

  /** Returns the current keys, after a refresh when the token names a key not yet known. */
  CompletionStage<Optional<KeySet>> keysFor(JWSHeader header);

  /** Returns whether the key with {@code thumbprint} still vouches for tokens (is in the current set). */
  boolean trusts(String thumbprint);

  @Override
  void close();

  /** A key set given in configuration: a local JWK set or an HMAC secret. */
  static KeySource fixed(KeySet keys) {
    CompletionStage<Optional<KeySet>> always = CompletableFuture.completedFuture(Optional.of(keys));
    return new KeySource() {
      @Override
      public CompletionStage<Optional<KeySet>> keysFor(JWSHeader header) {
        return always;
      }

      @Override
      public boolean trusts(String thumbprint) {
        return keys.contains(thumbprint);
      }

      @Override
      public void close() {}
    };
  }
}
