/**
 * Client certificate (mutual TLS) authentication:
 * {@link dev.portico.gateway.auth.mtls.ClientCertificateAuthenticator} maps the certificate the
 * host's TLS connector verified to an identity.
 */
@NullMarked
package dev.portico.gateway.auth.mtls;

import org.jspecify.annotations.NullMarked;
