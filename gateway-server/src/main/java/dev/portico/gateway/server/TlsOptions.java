package dev.portico.gateway.server;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The gateway port's TLS, as the command line gives it: a PEM certificate chain and key, or a
 * PKCS12 key store with its password, and whether clients present certificates.
 *
 * @param certificate the PEM certificate chain, the server's own first; null with a key store
 * @param key the PEM private key of {@code certificate} (unencrypted PKCS#8); null with a key store
 * @param keyStore the PKCS12 key store holding the key and its chain; null with PEM files
 * @param password where the key store's password is: {@code env:NAME} or {@code file:PATH}; null without
 * @param clientAuth whether client certificates are asked for
 * @param clientCa the PEM certificates of the CAs a client certificate must chain to; null with
 *     {@link ClientAuth#NONE}
 */
record TlsOptions(@Nullable Path certificate, @Nullable Path key, @Nullable Path keyStore, @Nullable String password,
    ClientAuth clientAuth, @Nullable Path clientCa) {

  /** Whether the TLS handshake asks the client for a certificate. */
  enum ClientAuth {
    /** Not asked. */
    NONE,
    /** Asked; a client without one still connects (routes may then require one). */
    WANT,
    /** Required: a client without a valid one is refused in the handshake. */
    NEED
  }
}
