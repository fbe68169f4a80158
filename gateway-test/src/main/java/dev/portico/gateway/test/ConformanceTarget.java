package dev.portico.gateway.test;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The gateway a {@link GatewaySecurityConformance} subclass started: where it listens, which
 * paths its public and JWT-protected routes take, what a valid token for the protected route
 * carries, what the protected route accepts as a body, and what to close afterwards. Immutable;
 * built with {@link #builder()}.
 *
 * <pre>{@code
 * return ConformanceTarget.builder()
 *     .baseUri(server.baseUri())                       // http://127.0.0.1:port, gateway at the root
 *     .protectedPrefix("/admin")                       // the JWT route takes /admin/**
 *     .publicPrefix("/public")                         // a route without a token, if there is one
 *     .validToken(t -> t.audience("admin-api").claim("scope", "admin"))
 *     .identityHeaders("X-Auth-Subject", "X-Auth-Scopes")
 *     .bodyMethod("POST")                              // how the route takes a body: method,
 *     .bodyContentType("application/json")             // media type
 *     .body("{\"name\":\"conformance\"}")               // and a body its validation accepts
 *     .closeAfter(server)
 *     .build();
 * }</pre>
 *
 * <p>Every valid token the suite sends has a subject of its own, {@code conformance-1},
 * {@code conformance-2} and so on (unless {@link Builder#validToken} sets one), so a rate limit
 * per subject never refuses the suite.
 */
public final class ConformanceTarget {
  private final URI baseUri;
  private final String protectedPrefix;
  private final String publicPrefix;
  private final UnaryOperator<FakeIdentityProvider.TokenBuilder> validToken;
  private static final AtomicLong SUBJECTS = new AtomicLong();

  private final String bodyMethod;
  private final @Nullable String bodyContentType;
  private final String body;
  private final List<String> identityHeaders;
  private final List<AutoCloseable> closeAfter;

  private ConformanceTarget(Builder b, URI baseUri, String protectedPrefix) {
    this.baseUri = baseUri;
    this.protectedPrefix = protectedPrefix;
    this.publicPrefix = b.publicPrefix;
    this.validToken = b.validToken;
    this.bodyMethod = b.bodyMethod;
    this.bodyContentType = b.bodyContentType;
    this.body = b.body;
    this.identityHeaders = List.copyOf(b.identityHeaders);
    this.closeAfter = List.copyOf(b.closeAfter);
  }

  /** Returns a builder; {@link Builder#baseUri} and {@link Builder#protectedPrefix} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns where the gateway listens: {@code http://host:port}, the gateway mounted at the root. */
  public URI baseUri() {
    return baseUri;
  }

  /** Returns the prefix of the paths the JWT-protected route takes, such as {@code /admin}. */
  public String protectedPrefix() {
    return protectedPrefix;
  }

  /**
   * Returns a prefix outside the protected route, such as {@code /public}: the path table's
   * traversals start below it and climb to the protected prefix.
   */
  public String publicPrefix() {
    return publicPrefix;
  }

  /** Returns the method the smuggling table sends bodies with (the protected route must take it). */
  public String bodyMethod() {
    return bodyMethod;
  }

  /** Returns the {@code Content-Type} of the smuggling table's bodies; empty (the default): none sent. */
  public Optional<String> bodyContentType() {
    return Optional.ofNullable(bodyContentType);
  }

  /** Returns the body the smuggling table sends, {@code hello} by default; sent as UTF-8. */
  public String body() {
    return body;
  }

  /** Returns the identity headers the protected route sets for its upstream (client copies must never pass). */
  public List<String> identityHeaders() {
    return identityHeaders;
  }

  /** Returns the resources the suite closes after the last test, last given first. */
  public List<AutoCloseable> closeAfter() {
    return closeAfter;
  }

  /** Returns a valid token for the protected route, minted by {@code idp}. */
  String validToken(FakeIdentityProvider idp) {
    return tokenClaims(idp).sign();
  }

  /**
   * Returns the builder of a valid token with a subject no other token of the suite has, for the
   * attack table to spoil one thing in it.
   */
  FakeIdentityProvider.TokenBuilder tokenClaims(FakeIdentityProvider idp) {
    FakeIdentityProvider.TokenBuilder fresh = idp.token().subject("conformance-" + SUBJECTS.incrementAndGet());
    return requireNonNull(validToken.apply(fresh), "validToken returned null");
  }

  /** Builds a {@link ConformanceTarget}. */
  public static final class Builder {
    private @Nullable URI baseUri;
    private @Nullable String protectedPrefix;
    private String publicPrefix = "/public";
    private UnaryOperator<FakeIdentityProvider.TokenBuilder> validToken = t -> t;
    private String bodyMethod = "POST";
    private @Nullable String bodyContentType;
    private String body = "hello";
    private final List<String> identityHeaders = new ArrayList<>();
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    private Builder() {}

    /** Sets where the gateway listens: {@code http://host:port} with no path. Required. */
    public Builder baseUri(URI baseUri) {
      this.baseUri = requireNonNull(baseUri, "baseUri");
      return this;
    }

    /**
     * Sets the prefix of the JWT-protected route's paths, such as {@code /admin} for a route on
     * {@code /admin/**}; its upstream must be {@link ConformanceFixtures#protectedUpstreamUri()}.
     * Required.
     */
    public Builder protectedPrefix(String prefix) {
      this.protectedPrefix = requireNonNull(prefix, "protectedPrefix");
      return this;
    }

    /**
     * Sets a prefix outside the protected route that the path table's attacks start from, such
     * as {@code /public} (the default): {@code GET /public/../admin/x}, {@code /public/%2e%2e/admin/x}
     * and so on must never reach the protected upstream without a token. Name a route that takes
     * requests without a token, where an attacker would start; none has to exist (the suite then
     * says so when it runs), but the prefix must not be one the protected route takes.
     */
    public Builder publicPrefix(String prefix) {
      this.publicPrefix = requireNonNull(prefix, "publicPrefix");
      return this;
    }

    /**
     * Sets what a valid token for the protected route carries beyond the provider's defaults
     * (issuer, a subject of its own per token, {@code conformance-N}, issued now, expiring in 5
     * minutes): audience, scopes, claims. Setting the subject here makes every valid token the
     * same caller's, which a rate limit per subject may then refuse.
     */
    public Builder validToken(UnaryOperator<FakeIdentityProvider.TokenBuilder> customize) {
      this.validToken = requireNonNull(customize, "validToken");
      return this;
    }

    /** Sets the method the smuggling table sends bodies with (default {@code POST}). */
    public Builder bodyMethod(String method) {
      requireNonNull(method, "bodyMethod");
      if (!method.matches("[A-Z]+")) {
        throw new IllegalArgumentException("bodyMethod: " + method + " (expected: an upper-case method such as POST)");
      }
      this.bodyMethod = method;
      return this;
    }

    /**
     * Sets the {@code Content-Type} the smuggling table sends its bodies with, such as
     * {@code application/json} for a route that validates them (default: none sent).
     */
    public Builder bodyContentType(String contentType) {
      requireNonNull(contentType, "bodyContentType");
      if (contentType.isBlank() || !contentType.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException("bodyContentType: " + contentType + " (expected: a media type such as application/json)");
      }
      this.bodyContentType = contentType;
      return this;
    }

    /**
     * Sets the body the smuggling table sends (default {@code hello}), sent as UTF-8: one the
     * protected route accepts, so that the plain requests among the rows reach the upstream (a
     * JSON object its schema validates, for a route with JSON Schema validation).
     */
    public Builder body(String body) {
      requireNonNull(body, "body");
      if (body.isEmpty()) {
        throw new IllegalArgumentException("body: empty (expected: the body of a request the protected route accepts)");
      }
      this.body = body;
      return this;
    }

    /**
     * Names the identity headers the protected route sets for its upstream, such as
     * {@code X-Auth-Subject}: the suite checks a client's copies never get through. None by default
     * (then that check is skipped).
     */
    public Builder identityHeaders(String... names) {
      for (String name : names) {
        identityHeaders.add(requireNonNull(name, "identity header"));
      }
      return this;
    }

    /** Adds resources (servers, authenticators) for the suite to close after its last test. */
    public Builder closeAfter(AutoCloseable... resources) {
      for (AutoCloseable resource : resources) {
        closeAfter.add(requireNonNull(resource, "resource"));
      }
      return this;
    }

    /**
     * Returns the target.
     *
     * @throws IllegalStateException naming the field that is missing or malformed
     */
    public ConformanceTarget build() {
      if (baseUri == null) {
        throw new IllegalStateException("ConformanceTarget: no baseUri");
      }
      if (!"http".equals(baseUri.getScheme()) || baseUri.getHost() == null || baseUri.getPort() < 0
          || !(baseUri.getRawPath() == null || baseUri.getRawPath().isEmpty() || baseUri.getRawPath().equals("/"))
          || baseUri.getRawQuery() != null) {
        throw new IllegalStateException("ConformanceTarget: baseUri " + baseUri
            + " (expected: http://host:port, the gateway mounted at the root)");
      }
      if (protectedPrefix == null) {
        throw new IllegalStateException("ConformanceTarget: no protectedPrefix");
      }
      checkPrefix("protectedPrefix", protectedPrefix);
      checkPrefix("publicPrefix", publicPrefix);
      if ((protectedPrefix + "/").startsWith(publicPrefix + "/") || (publicPrefix + "/").startsWith(protectedPrefix + "/")) {
        throw new IllegalStateException("ConformanceTarget: publicPrefix " + publicPrefix + " and protectedPrefix "
            + protectedPrefix + " overlap (expected: neither under the other)");
      }
      for (String name : identityHeaders) {
        if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
          throw new IllegalStateException("ConformanceTarget: identityHeaders: " + name + " (expected: a header name)");
        }
      }
      return new ConformanceTarget(this, URI.create("http://" + baseUri.getRawAuthority()), protectedPrefix);
    }

    private static void checkPrefix(String field, String prefix) {
      if (!prefix.matches("(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+")) {
        throw new IllegalStateException("ConformanceTarget: " + field + " " + prefix
            + " (expected: /segment[/segment...] of letters, digits, '-', '.', '_', '~', no trailing slash)");
      }
    }
  }
}
