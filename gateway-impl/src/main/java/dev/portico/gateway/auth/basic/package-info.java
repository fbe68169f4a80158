/**
 * HTTP Basic authentication (RFC 7617): {@link dev.portico.gateway.auth.basic.BasicAuthenticator}
 * parses the credentials, {@link dev.portico.gateway.auth.basic.Pbkdf2CredentialStore} checks them
 * against salted PBKDF2 hashes off the I/O threads.
 */
@NullMarked
package dev.portico.gateway.auth.basic;

import org.jspecify.annotations.NullMarked;
