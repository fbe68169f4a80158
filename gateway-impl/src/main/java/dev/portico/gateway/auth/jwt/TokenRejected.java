package dev.portico.gateway.auth.jwt;

import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Challenge;

/**
 * Why a request's token was refused: an RFC 6750 error code and a description that is safe to show
 * the client (no internals, no token contents). Thrown and caught inside this package only; it
 * leaves as an {@link AuthResult#rejected(Challenge)} value. Carries no stack trace.
 */
final class TokenRejected extends Exception {
  private final String error;

  private TokenRejected(String error, String description) {
    super(description, null, false, false);
    this.error = error;
  }

  /** The token is missing a part, unreadable, unverifiable or out of date: {@code invalid_token}. */
  static TokenRejected invalidToken(String description) {
    return new TokenRejected("invalid_token", description);
  }

  /** The request carrying the token is malformed: {@code invalid_request}. */
  static TokenRejected invalidRequest(String description) {
    return new TokenRejected("invalid_request", description);
  }

  String error() {
    return error;
  }

  AuthResult toResult(Challenge challenge) {
    return AuthResult.rejected(challenge.withError(error, getMessage()));
  }
}
