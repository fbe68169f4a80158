/**
 * JWT bearer-token authentication: {@link dev.portico.gateway.auth.jwt.JwtAuthenticator}, with
 * keys from a JWK set URL, OpenID Connect discovery, a local JWK set or an HMAC secret.
 *
 * <p>The only package that uses Nimbus JOSE+JWT; no Nimbus type appears in a public signature.
 */
@NullMarked
package dev.portico.gateway.auth.jwt;

import org.jspecify.annotations.NullMarked;
