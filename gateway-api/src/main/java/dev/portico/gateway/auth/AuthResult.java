package dev.portico.gateway.auth;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link Authenticator} concluded, as a value:
 * <ul>
 *   <li>{@link #authenticated(Identity)}: the credentials are good;
 *   <li>{@link #noCredentials()}: the request carries no credentials of this kind, so the next
 *       authenticator may try (and if none does, the request is refused with 401);
 *   <li>{@link #rejected(Challenge)}: credentials of this kind are present but bad: 401 at once,
 *       with the challenge;
 *   <li>{@link #unavailable(String)}: the authenticator cannot decide now (its key set or
 *       introspection endpoint is down and nothing is cached): 503.
 * </ul>
 */
public final class AuthResult {
  /** The kinds of result. */
  public enum Kind {
    /** Credentials accepted. */
    AUTHENTICATED,
    /** No credentials of this authenticator's kind. */
    NO_CREDENTIALS,
    /** Credentials present but refused. */
    REJECTED,
    /** Cannot decide now. */
    UNAVAILABLE
  }

  private static final AuthResult NO_CREDENTIALS = new AuthResult(Kind.NO_CREDENTIALS, null, List.of(), null);

  private final Kind kind;
  private final @Nullable Identity identity;
  private final List<Challenge> challenges;
  private final @Nullable String detail;

  private AuthResult(Kind kind, @Nullable Identity identity, List<Challenge> challenges, @Nullable String detail) {
    this.kind = kind;
    this.identity = identity;
    this.challenges = challenges;
    this.detail = detail;
  }

  /** The credentials are good. */
  public static AuthResult authenticated(Identity identity) {
    return new AuthResult(Kind.AUTHENTICATED, requireNonNull(identity, "identity"), List.of(), null);
  }

  /** The request has no credentials this authenticator understands. */
  public static AuthResult noCredentials() {
    return NO_CREDENTIALS;
  }

  /**
   * The request has no credentials this authenticator understands; if no other authenticator
   * finds any either, the 401 offers {@code challenges} (for example {@code Bearer realm="api"}).
   */
  public static AuthResult noCredentials(Challenge... challenges) {
    return challenges.length == 0 ? NO_CREDENTIALS : new AuthResult(Kind.NO_CREDENTIALS, null, List.of(challenges), null);
  }

  /** The credentials are bad: answer 401 with {@code challenge}. */
  public static AuthResult rejected(Challenge challenge) {
    return new AuthResult(Kind.REJECTED, null, List.of(requireNonNull(challenge, "challenge")), null);
  }

  /** The authenticator cannot decide now: answer 503 with a client-safe {@code detail}. */
  public static AuthResult unavailable(String detail) {
    return new AuthResult(Kind.UNAVAILABLE, null, List.of(), requireNonNull(detail, "detail"));
  }

  /** Returns a no-credentials result offering this result's challenges and then {@code other}'s. */
  AuthResult withChallengesOf(AuthResult other) {
    if (other.challenges.isEmpty()) {
      return this;
    }
    List<Challenge> all = new java.util.ArrayList<>(challenges);
    all.addAll(other.challenges);
    return new AuthResult(kind, identity, List.copyOf(all), detail);
  }

  /** Returns the kind of result. */
  public Kind kind() {
    return kind;
  }

  /** Returns the identity of an authenticated result. */
  public Optional<Identity> identity() {
    return Optional.ofNullable(identity);
  }

  /** Returns the challenges for the {@code WWW-Authenticate} header of a 401 (rejected or no credentials). */
  public List<Challenge> challenges() {
    return challenges;
  }

  /** Returns the detail of an unavailable result. */
  public Optional<String> detail() {
    return Optional.ofNullable(detail);
  }

  @Override
  public String toString() {
    return "AuthResult{" + kind + (identity != null ? " " + identity.subject() : "") + "}";
  }
}
