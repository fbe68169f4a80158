package dev.portico.gateway.auth;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Who made a request, as an {@link Authenticator} established it: a subject, the issuer that vouched
 * for it, its scopes and roles, the raw claims, how it authenticated, and (for API keys) its plan.
 * Later policies read it: access rules, rate-limit keys, identity headers sent upstream.
 *
 * <pre>{@code
 * Identity.builder("alice").method("jwt").issuer("https://idp.example.com")
 *     .scopes(Set.of("orders:read")).build();
 * }</pre>
 */
public final class Identity {
  private final String subject;
  private final @Nullable String issuer;
  private final String method;
  private final Set<String> scopes;
  private final Set<String> roles;
  private final Map<String, Object> claims;
  private final @Nullable String plan;

  private Identity(Builder b) {
    this.subject = b.subject;
    this.issuer = b.issuer;
    this.method = b.method;
    this.scopes = Set.copyOf(b.scopes);
    this.roles = Set.copyOf(b.roles);
    this.claims = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.claims));
    this.plan = b.plan;
  }

  /** Returns a builder for an identity whose subject is {@code subject}. */
  public static Builder builder(String subject) {
    return new Builder(subject);
  }

  /** Returns the subject: a user id, client id, key name or certificate name. */
  public String subject() {
    return subject;
  }

  /** Returns the issuer that vouched for the subject (a JWT {@code iss}), if any. */
  public Optional<String> issuer() {
    return Optional.ofNullable(issuer);
  }

  /** Returns how the subject authenticated: {@code jwt}, {@code introspection}, {@code api-key}, {@code basic}, {@code mtls}, or a custom name. */
  public String method() {
    return method;
  }

  /** Returns the granted scopes. */
  public Set<String> scopes() {
    return scopes;
  }

  /** Returns the roles. */
  public Set<String> roles() {
    return roles;
  }

  /** Returns the claims as the authenticator read them (JSON values as Java maps, lists, strings, numbers, booleans). */
  public Map<String, Object> claims() {
    return claims;
  }

  /** Returns claim {@code name}, if present. */
  public Optional<Object> claim(String name) {
    return Optional.ofNullable(claims.get(name));
  }

  /** Returns the plan (used by rate limiting), if the credential carries one. */
  public Optional<String> plan() {
    return Optional.ofNullable(plan);
  }

  @Override
  public String toString() {
    return "Identity{" + subject + " via " + method + (issuer == null ? "" : " from " + issuer) + ", scopes=" + scopes + "}";
  }

  /** Builds an {@link Identity}. */
  public static final class Builder {
    private final String subject;
    private @Nullable String issuer;
    private String method = "custom";
    private final Set<String> scopes = new LinkedHashSet<>();
    private final Set<String> roles = new LinkedHashSet<>();
    private final Map<String, Object> claims = new LinkedHashMap<>();
    private @Nullable String plan;

    Builder(String subject) {
      this.subject = requireNonNull(subject, "subject");
    }

    /** Sets the issuer. */
    public Builder issuer(@Nullable String issuer) {
      this.issuer = issuer;
      return this;
    }

    /** Sets the authentication method name. */
    public Builder method(String method) {
      this.method = requireNonNull(method, "method");
      return this;
    }

    /** Adds scopes. */
    public Builder scopes(java.util.Collection<String> scopes) {
      this.scopes.addAll(scopes);
      return this;
    }

    /** Adds roles. */
    public Builder roles(java.util.Collection<String> roles) {
      this.roles.addAll(roles);
      return this;
    }

    /** Adds claims. */
    public Builder claims(Map<String, ?> claims) {
      this.claims.putAll(claims);
      return this;
    }

    /** Sets the plan. */
    public Builder plan(@Nullable String plan) {
      this.plan = plan;
      return this;
    }

    /** Returns the immutable identity. */
    public Identity build() {
      return new Identity(this);
    }
  }
}
