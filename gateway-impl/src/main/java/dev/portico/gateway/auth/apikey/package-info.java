/**
 * API key authentication: {@link dev.portico.gateway.auth.apikey.ApiKeyAuthenticator} reads a key
 * from a header or query parameter, and {@link dev.portico.gateway.auth.apikey.InMemoryApiKeyStore}
 * looks it up among SHA-256 hashes.
 */
@NullMarked
package dev.portico.gateway.auth.apikey;

import org.jspecify.annotations.NullMarked;
