/**
 * OAuth 2.0 token introspection (RFC 7662):
 * {@link dev.portico.gateway.auth.introspection.IntrospectionAuthenticator} asks the authorization
 * server whether a bearer token is active, with Jetty's HTTP client and Jackson, and caches the
 * answers.
 */
@NullMarked
package dev.portico.gateway.auth.introspection;

import org.jspecify.annotations.NullMarked;
