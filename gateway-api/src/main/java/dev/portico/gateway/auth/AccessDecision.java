package dev.portico.gateway.auth;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link AccessRule} decided: allow, or deny with a client-safe reason (403). A denial for
 * missing scopes names them, so the 403 carries RFC 6750 {@code error="insufficient_scope"}.
 */
public final class AccessDecision {
  private static final AccessDecision ALLOW = new AccessDecision(true, null, Set.of());

  private final boolean allowed;
  private final @Nullable String reason;
  private final Set<String> missingScopes;

  private AccessDecision(boolean allowed, @Nullable String reason, Set<String> missingScopes) {
    this.allowed = allowed;
    this.reason = reason;
    this.missingScopes = missingScopes;
  }

  /** Allows the request. */
  public static AccessDecision allow() {
    return ALLOW;
  }

  /** Denies the request for {@code reason}, which the client sees. */
  public static AccessDecision deny(String reason) {
    return new AccessDecision(false, requireNonNull(reason, "reason"), Set.of());
  }

  /** Denies the request because the identity lacks {@code scopes}. */
  public static AccessDecision insufficientScope(Set<String> scopes) {
    return new AccessDecision(false, "The token lacks the required scope: " + String.join(" ", new java.util.TreeSet<>(scopes)) + ".",
        Set.copyOf(scopes));
  }

  /** Returns whether the request may proceed. */
  public boolean allowed() {
    return allowed;
  }

  /** Returns the reason for a denial. */
  public Optional<String> reason() {
    return Optional.ofNullable(reason);
  }

  /** Returns the scopes whose absence caused the denial; empty for other denials. */
  public Set<String> missingScopes() {
    return missingScopes;
  }

  @Override
  public String toString() {
    return allowed ? "allow" : "deny(" + reason + ")";
  }
}
