package dev.portico.gateway.auth;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a route tells its upstream about the authenticated caller: whether the original credentials
 * go along, and which identity headers are added. Client-sent copies of the identity headers are
 * always removed first, so a client can never forge them.
 *
 * <pre>{@code
 * IdentityForwarding.builder()
 *     .stripCredentials()                  // no Authorization upstream
 *     .subjectHeader("X-Auth-Subject")
 *     .scopesHeader("X-Auth-Scopes")
 *     .build();
 * }</pre>
 */
public final class IdentityForwarding {
  private static final IdentityForwarding DEFAULT = builder().build();

  private final boolean stripCredentials;
  private final List<String> stripHeaders;
  private final @Nullable String subjectHeader;
  private final @Nullable String scopesHeader;
  private final @Nullable String issuerHeader;
  private final @Nullable String methodHeader;
  private final List<String> identityHeaders;

  private IdentityForwarding(Builder b) {
    this.stripCredentials = b.stripCredentials;
    this.stripHeaders = List.copyOf(b.stripHeaders);
    this.subjectHeader = b.subjectHeader;
    this.scopesHeader = b.scopesHeader;
    this.issuerHeader = b.issuerHeader;
    this.methodHeader = b.methodHeader;
    List<String> names = new ArrayList<>(4);
    subjectHeader().ifPresent(names::add);
    scopesHeader().ifPresent(names::add);
    issuerHeader().ifPresent(names::add);
    methodHeader().ifPresent(names::add);
    this.identityHeaders = List.copyOf(names);
  }

  /** Forwards the original credentials and adds no headers. */
  public static IdentityForwarding defaults() {
    return DEFAULT;
  }

  /** Strips credentials and adds {@code X-Auth-Subject}, {@code X-Auth-Scopes}, {@code X-Auth-Issuer} and {@code X-Auth-Method}. */
  public static IdentityForwarding headersOnly() {
    return builder().stripCredentials().subjectHeader("X-Auth-Subject").scopesHeader("X-Auth-Scopes")
        .issuerHeader("X-Auth-Issuer").methodHeader("X-Auth-Method").build();
  }

  /** Returns a new builder: credentials forwarded, no identity headers. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns whether {@code Authorization} and the headers the route's authenticator reads
   * ({@link Authenticator#credentialHeaders()}, such as {@code X-Api-Key}) are removed.
   */
  public boolean stripCredentials() {
    return stripCredentials;
  }

  /** Returns further headers removed before calling the upstream (for example an API key header). */
  public List<String> stripHeaders() {
    return stripHeaders;
  }

  /** Returns the names of the identity headers this forwarding sets (and so always removes first). */
  public List<String> identityHeaders() {
    return identityHeaders;
  }

  /** Returns the header carrying the subject, if any. */
  public Optional<String> subjectHeader() {
    return Optional.ofNullable(subjectHeader);
  }

  /** Returns the header carrying the space-separated scopes, if any. */
  public Optional<String> scopesHeader() {
    return Optional.ofNullable(scopesHeader);
  }

  /** Returns the header carrying the issuer, if any. */
  public Optional<String> issuerHeader() {
    return Optional.ofNullable(issuerHeader);
  }

  /** Returns the header carrying the authentication method, if any. */
  public Optional<String> methodHeader() {
    return Optional.ofNullable(methodHeader);
  }

  /** Builds {@link IdentityForwarding}. */
  public static final class Builder {
    private boolean stripCredentials;
    private final List<String> stripHeaders = new ArrayList<>();
    private @Nullable String subjectHeader;
    private @Nullable String scopesHeader;
    private @Nullable String issuerHeader;
    private @Nullable String methodHeader;

    Builder() {}

    /**
     * Removes the credentials before calling the upstream: {@code Authorization} and the
     * authenticator's {@link Authenticator#credentialHeaders() credential headers}. A credential
     * in the query string (an API key parameter) is not removed.
     */
    public Builder stripCredentials() {
      this.stripCredentials = true;
      return this;
    }

    /** Also removes header {@code name} (for example {@code X-Api-Key}) before calling the upstream. */
    public Builder stripHeader(String name) {
      stripHeaders.add(checked(name));
      return this;
    }

    /** Sends the subject in {@code name}. */
    public Builder subjectHeader(String name) {
      this.subjectHeader = checked(name);
      return this;
    }

    /** Sends the space-separated scopes in {@code name}. */
    public Builder scopesHeader(String name) {
      this.scopesHeader = checked(name);
      return this;
    }

    /** Sends the issuer in {@code name}. */
    public Builder issuerHeader(String name) {
      this.issuerHeader = checked(name);
      return this;
    }

    /** Sends the authentication method in {@code name}. */
    public Builder methodHeader(String name) {
      this.methodHeader = checked(name);
      return this;
    }

    /** Returns the immutable settings. */
    public IdentityForwarding build() {
      return new IdentityForwarding(this);
    }

    private static String checked(String name) {
      requireNonNull(name, "name");
      HttpHeaders.builder().add(name, "");
      return name;
    }
  }
}
