/**
 * Authentication and authorization: {@link dev.portico.gateway.auth.Authenticator}s turn credentials
 * into an {@link dev.portico.gateway.auth.Identity}, {@link dev.portico.gateway.auth.AccessRule}s
 * decide what an identity may do.
 */
@NullMarked
package dev.portico.gateway.auth;

import org.jspecify.annotations.NullMarked;
