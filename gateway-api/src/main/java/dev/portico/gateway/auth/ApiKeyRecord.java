package dev.portico.gateway.auth;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link ApiKeyStore} knows about one API key: who holds it, what it may do, and the plan
 * it is billed or rate-limited under. Never the key itself.
 *
 * <pre>{@code
 * ApiKeyRecord.of("billing-service", Set.of("invoices:read")).withPlan("gold")
 * }</pre>
 */
public final class ApiKeyRecord {
  private final String principal;
  private final Set<String> scopes;
  private final @Nullable String plan;

  private ApiKeyRecord(String principal, Set<String> scopes, @Nullable String plan) {
    this.principal = principal;
    this.scopes = scopes;
    this.plan = plan;
  }

  /** A key held by {@code principal} that grants no scopes. */
  public static ApiKeyRecord of(String principal) {
    return of(principal, Set.of());
  }

  /** A key held by {@code principal} that grants {@code scopes}. */
  public static ApiKeyRecord of(String principal, Collection<String> scopes) {
    requireNonNull(principal, "principal");
    if (principal.isBlank()) {
      throw new IllegalArgumentException("principal: blank");
    }
    return new ApiKeyRecord(principal, Set.copyOf(requireNonNull(scopes, "scopes")), null);
  }

  /** Returns a copy under {@code plan} (for example {@code gold}), which rate limiting may key on. */
  public ApiKeyRecord withPlan(String plan) {
    return new ApiKeyRecord(principal, scopes, requireNonNull(plan, "plan"));
  }

  /** Returns who holds the key: it becomes the identity's subject. */
  public String principal() {
    return principal;
  }

  /** Returns the scopes the key grants. */
  public Set<String> scopes() {
    return scopes;
  }

  /** Returns the key's plan, if it has one. */
  public Optional<String> plan() {
    return Optional.ofNullable(plan);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ApiKeyRecord other && principal.equals(other.principal) && scopes.equals(other.scopes)
        && java.util.Objects.equals(plan, other.plan);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(principal, scopes, plan);
  }

  @Override
  public String toString() {
    return "ApiKeyRecord{" + principal + ", scopes=" + scopes + (plan == null ? "" : ", plan=" + plan) + "}";
  }
}
