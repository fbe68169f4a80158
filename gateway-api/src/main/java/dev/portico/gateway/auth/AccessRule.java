package dev.portico.gateway.auth;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Exchange;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Decides whether an authenticated {@link Identity} may make a request; a denial answers 403.
 *
 * <pre>{@code
 * AccessRule.scopes("orders:read")                          // all of these scopes
 *     .and(AccessRule.anyRole("clerk", "admin"))            // and one of these roles
 *     .or(AccessRule.claimEquals("tenant", "internal"))     // or an internal caller
 * }</pre>
 *
 * <p>Rules are pure functions of the identity and request: they must not block.
 */
@FunctionalInterface
public interface AccessRule {

  /** Decides for {@code identity} making {@code exchange}'s request. */
  AccessDecision check(Identity identity, Exchange exchange);

  /** Allows any authenticated identity. */
  static AccessRule authenticated() {
    return (identity, exchange) -> AccessDecision.allow();
  }

  /** Requires every one of {@code scopes}. */
  static AccessRule scopes(String... scopes) {
    Set<String> required = Set.of(scopes);
    return (identity, exchange) -> {
      if (identity.scopes().containsAll(required)) {
        return AccessDecision.allow();
      }
      Set<String> missing = new LinkedHashSet<>(required);
      missing.removeAll(identity.scopes());
      return AccessDecision.insufficientScope(missing);
    };
  }

  /** Requires at least one of {@code scopes}. */
  static AccessRule anyScope(String... scopes) {
    List<String> any = List.of(scopes);
    return (identity, exchange) -> any.stream().anyMatch(identity.scopes()::contains)
        ? AccessDecision.allow() : AccessDecision.insufficientScope(Set.copyOf(any));
  }

  /** Requires every one of {@code roles}. */
  static AccessRule roles(String... roles) {
    Set<String> required = Set.of(roles);
    return (identity, exchange) -> identity.roles().containsAll(required)
        ? AccessDecision.allow() : AccessDecision.deny("A required role is missing.");
  }

  /** Requires at least one of {@code roles}. */
  static AccessRule anyRole(String... roles) {
    List<String> any = List.of(roles);
    return (identity, exchange) -> any.stream().anyMatch(identity.roles()::contains)
        ? AccessDecision.allow() : AccessDecision.deny("A required role is missing.");
  }

  /** Requires claim {@code name} to equal {@code value} (compared as strings for numbers and booleans). */
  static AccessRule claimEquals(String name, Object value) {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
    return (identity, exchange) -> identity.claim(name).filter(v -> v.equals(value)
            || isScalar(v) && isScalar(value) && v.toString().equals(value.toString()))
        .isPresent() ? AccessDecision.allow() : AccessDecision.deny("Claim '" + name + "' does not have the required value.");
  }

  /**
   * Requires claim {@code name} to contain {@code value}: as an element of an array claim, or as a
   * space-separated word of a string claim.
   */
  static AccessRule claimContains(String name, String value) {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
    return (identity, exchange) -> {
      Object claim = identity.claim(name).orElse(null);
      boolean ok = claim instanceof Collection<?> c ? c.stream().anyMatch(e -> isScalar(e) && value.equals(e.toString()))
          : claim instanceof String s && List.of(s.split(" ")).contains(value);
      return ok ? AccessDecision.allow() : AccessDecision.deny("Claim '" + name + "' does not contain the required value.");
    };
  }

  /** Allows when {@code predicate} holds for the identity; otherwise denies with {@code reason}. */
  static AccessRule that(Predicate<Identity> predicate, String reason) {
    requireNonNull(predicate, "predicate");
    requireNonNull(reason, "reason");
    return (identity, exchange) -> predicate.test(identity) ? AccessDecision.allow() : AccessDecision.deny(reason);
  }

  /** Allows only when this rule and {@code other} both allow; the first denial wins. */
  default AccessRule and(AccessRule other) {
    requireNonNull(other, "other");
    return (identity, exchange) -> {
      AccessDecision first = check(identity, exchange);
      return first.allowed() ? other.check(identity, exchange) : first;
    };
  }

  /** Allows when this rule or {@code other} allows; if both deny, the first denial is reported. */
  default AccessRule or(AccessRule other) {
    requireNonNull(other, "other");
    return (identity, exchange) -> {
      AccessDecision first = check(identity, exchange);
      return first.allowed() ? first : other.check(identity, exchange).allowed() ? AccessDecision.allow() : first;
    };
  }

  /** Strings, numbers and booleans compare by their text; lists, maps and other values never do. */
  private static boolean isScalar(Object value) {
    return value instanceof String || value instanceof Number || value instanceof Boolean;
  }
}
