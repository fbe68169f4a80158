package dev.portico.gateway.auth;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a route tells its upstream about the authenticated caller: whether the original credentials
 * go along, and which identity headers are added. Client-sent copies of identity headers are
 * always removed, so a client can never forge them: the gateway removes every header it may set
 * from the caller's identity (these of every route, {@code X-Auth-Subject}, {@code X-Auth-Scopes},
 * {@code X-Auth-Issuer} and {@code X-Auth-Method} whether used or not, and every header a route's
 * header rules fill from {@code {identity.*}}) from every client request, on every route,
 * whatever its letter case, before the global filters run.
 *
 * <p><b>How values are sent.</b> A value made of visible ASCII characters and inner spaces only,
 * with no {@code %} and not starting with {@code UTF-8''} (in any case), is sent as it is ({@code alice},
 * {@code orders:read orders:write}). Any other value (a character outside ASCII, a control
 * character such as CR, LF or NUL, a leading or trailing space, a {@code %}) is sent as an
 * RFC 8187 {@code ext-value}: {@code UTF-8''} and then its UTF-8 bytes, every byte other than an
 * ASCII letter, a digit or one of {@code !#$&+-.^_`|~} written as {@code %XX} (upper-case hex).
 * {@code admin日} is sent as {@code UTF-8''admin%E6%97%A5}, {@code 100%} as
 * {@code UTF-8''100%25}. A backend percent-decodes a value that starts with {@code UTF-8''} and
 * takes any other as it is; since no value sent as it is starts with {@code UTF-8''}, an encoded
 * value never equals another caller's plain one, and nothing is ever trimmed, replaced or dropped.
 * (A lone UTF-16 surrogate, which is not text, is written as the three bytes UTF-8 would give its
 * code point.) The same holds for header rules whose value uses the identity.
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
