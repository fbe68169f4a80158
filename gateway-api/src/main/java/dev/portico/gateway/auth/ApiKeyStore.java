package dev.portico.gateway.auth;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Looks up the API key a client presented. The built-in {@code InMemoryApiKeyStore} in
 * {@code gateway-impl} keeps only SHA-256 hashes; a store backed by a database or a key service
 * implements this interface the same way.
 *
 * <pre>{@code
 * ApiKeyStore store = key -> keyService.lookup(sha256(key))      // CompletionStage<Optional<..>>
 *     .thenApply(found -> found.map(k -> ApiKeyRecord.of(k.owner(), k.scopes())));
 * }</pre>
 *
 * <p>Contract: return a non-null stage and complete it exactly once; never block (I/O completes the
 * stage later); an unknown key is {@link Optional#empty()}, not an exception. A stage that completes
 * exceptionally means the store cannot answer now, and the request is refused with 503. Do not log
 * or keep the presented key, and compare stored secrets in constant time.
 */
@FunctionalInterface
public interface ApiKeyStore {

  /** Finds the record of {@code key}, exactly as the client presented it. */
  CompletionStage<Optional<ApiKeyRecord>> find(String key);
}
