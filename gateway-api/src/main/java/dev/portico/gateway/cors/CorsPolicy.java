package dev.portico.gateway.cors;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.internal.syntax.HttpSyntax;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which browser origins may call a route, and how (CORS). Set it on the gateway for every route
 * ({@code Gateway.Builder.cors}) or on a route, which replaces the gateway's
 * ({@code Route.Builder.cors}).
 *
 * <pre>{@code
 * CorsPolicy.builder()
 *     .allowOrigins("https://app.example.com", "https://*.example.com", "http://localhost:*")
 *     .allowMethods("GET", "POST", "PUT")
 *     .allowHeaders("Content-Type", "Authorization")
 *     .exposeHeaders("X-Request-Id")
 *     .allowCredentials()
 *     .maxAge(Duration.ofMinutes(10))
 *     .build();
 * }</pre>
 *
 * <p>What the gateway does with it:
 * <ul>
 *   <li>It answers preflight requests ({@code OPTIONS} with {@code Origin} and
 *       {@code Access-Control-Request-Method}) itself, without calling the upstream and before
 *       authentication (browsers send preflights without credentials): 204 with the
 *       {@code Access-Control-Allow-*} headers when the origin, method and headers are allowed, 403
 *       {@code cors-rejected} without them otherwise. The route is found by the method the preflight
 *       asks for, not by {@code OPTIONS}.
 *   <li>To other requests from an allowed origin it adds {@code Access-Control-Allow-Origin},
 *       {@code Access-Control-Allow-Credentials} and {@code Access-Control-Expose-Headers}, on
 *       every response: the upstream's and the gateway's problems (401, 403, 429...) alike, so
 *       browsers can read them. Requests from other origins pass without CORS headers, so the
 *       browser keeps their responses from the page.
 *   <li>Every response of the route carries {@code Vary: Origin}, and the upstream's own
 *       {@code Access-Control-*} headers are dropped: the gateway owns CORS for the route.
 * </ul>
 *
 * <p>Origins are exact ({@code https://app.example.com}, compared ignoring the case of scheme and
 * host, default ports implied) or patterns: {@code *} as the leftmost host labels matches one or
 * more labels ({@code https://*.example.com} matches {@code https://a.example.com} and
 * {@code https://a.b.example.com}, not {@code https://example.com}), and {@code :*} matches any
 * port. The origin {@code null} is never allowed. Immutable and thread-safe.
 */
public final class CorsPolicy {
  private static final Set<String> SAFELISTED_METHODS = Set.of("GET", "HEAD", "POST");

  private final List<String> origins;
  private final OriginPattern[] patterns;
  private final boolean anyOrigin;
  private final Set<String> methods;
  private final boolean anyMethod;
  private final Set<String> headers;
  private final boolean anyHeader;
  private final List<String> exposedHeaders;
  private final boolean allowCredentials;
  private final @Nullable Duration maxAge;

  private CorsPolicy(Builder b, List<OriginPattern> patterns) {
    this.origins = List.copyOf(b.origins);
    this.patterns = patterns.toArray(OriginPattern[]::new);
    this.anyOrigin = b.anyOrigin;
    this.methods = Collections.unmodifiableSet(new LinkedHashSet<>(b.methods.isEmpty() ? List.of("GET", "HEAD", "POST")
        : b.methods));
    this.anyMethod = b.anyMethod;
    Set<String> lower = new LinkedHashSet<>();
    b.headers.forEach(h -> lower.add(h.toLowerCase(Locale.ROOT)));
    this.headers = Collections.unmodifiableSet(lower);
    this.anyHeader = b.anyHeader;
    this.exposedHeaders = List.copyOf(b.exposedHeaders);
    this.allowCredentials = b.allowCredentials;
    this.maxAge = b.maxAge;
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a policy that lets any origin make requests without credentials, with the default methods. */
  public static CorsPolicy anyOrigin() {
    return builder().allowAnyOrigin().build();
  }

  /** Returns the allowed origins and origin patterns, as given; {@code *} for any. */
  public List<String> origins() {
    return anyOrigin ? List.of("*") : origins;
  }

  /** Returns whether any origin is allowed ({@code Access-Control-Allow-Origin: *}). */
  public boolean allowsAnyOrigin() {
    return anyOrigin;
  }

  /** Returns whether a request with {@code Origin: origin} is allowed. */
  public boolean allowsOrigin(String origin) {
    requireNonNull(origin, "origin");
    if (origin.equals("null")) {
      return false;
    }
    if (anyOrigin) {
      return true;
    }
    OriginPattern parsed = OriginPattern.parseOrigin(origin);
    if (parsed == null) {
      return false;
    }
    for (OriginPattern p : patterns) {
      if (p.matches(parsed)) {
        return true;
      }
    }
    return false;
  }

  /** Returns the allowed methods (upper case), in the order given; GET, HEAD and POST when none were given. */
  public Set<String> allowedMethods() {
    return methods;
  }

  /** Returns whether a preflight may ask for {@code method} (safelisted GET, HEAD and POST always may). */
  public boolean allowsMethod(String method) {
    return anyMethod || methods.contains(method) || SAFELISTED_METHODS.contains(method);
  }

  /** Returns the allowed request headers, in lower case; see {@link #allowsAnyHeader()}. */
  public Set<String> allowedHeaders() {
    return headers;
  }

  /** Returns whether any request header is allowed (the requested ones are echoed). */
  public boolean allowsAnyHeader() {
    return anyHeader;
  }

  /** Returns whether request header {@code name} is allowed. */
  public boolean allowsHeader(String name) {
    return anyHeader || headers.contains(name.toLowerCase(Locale.ROOT));
  }

  /** Returns the response headers browsers may show the page ({@code Access-Control-Expose-Headers}). */
  public List<String> exposedHeaders() {
    return exposedHeaders;
  }

  /** Returns whether credentialed requests (cookies, HTTP authentication) are allowed. */
  public boolean allowCredentials() {
    return allowCredentials;
  }

  /** Returns how long browsers may cache a preflight's answer, if set. */
  public Optional<Duration> maxAge() {
    return Optional.ofNullable(maxAge);
  }

  @Override
  public String toString() {
    return "CorsPolicy{origins=" + origins() + ", methods=" + (anyMethod ? "*" : methods) + ", credentials="
        + allowCredentials + "}";
  }

  /** Builds a {@link CorsPolicy}; {@link #build()} reports the first invalid setting. */
  public static final class Builder {
    private final List<String> origins = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private boolean anyOrigin;
    private final Set<String> methods = new LinkedHashSet<>();
    private boolean anyMethod;
    private final Set<String> headers = new LinkedHashSet<>();
    private boolean anyHeader;
    private final Set<String> exposedHeaders = new LinkedHashSet<>();
    private boolean allowCredentials;
    private @Nullable Duration maxAge;

    Builder() {}

    /** Allows these origins and origin patterns ({@code https://*.example.com}, {@code http://localhost:*}). */
    public Builder allowOrigins(String... origins) {
      for (String origin : origins) {
        requireNonNull(origin, "origin");
        if (origin.equals("*")) {
          anyOrigin = true;
        } else {
          this.origins.add(origin);
        }
      }
      return this;
    }

    /** Allows any origin: {@code Access-Control-Allow-Origin: *}; cannot go with credentials. */
    public Builder allowAnyOrigin() {
      this.anyOrigin = true;
      return this;
    }

    /** Allows these methods ({@code *} for any); GET, HEAD and POST when never called. */
    public Builder allowMethods(String... methods) {
      for (String method : methods) {
        requireNonNull(method, "method");
        if (method.equals("*")) {
          anyMethod = true;
        } else if (!HttpSyntax.isToken(method)) {
          errors.add("allowMethods: '" + method + "' (expected: an HTTP method token)");
        } else {
          this.methods.add(method.toUpperCase(Locale.ROOT));
        }
      }
      return this;
    }

    /** Allows these request headers ({@code *} for any, echoing what the preflight asks for). */
    public Builder allowHeaders(String... names) {
      for (String name : names) {
        requireNonNull(name, "name");
        if (name.equals("*")) {
          anyHeader = true;
        } else if (!HttpSyntax.isToken(name)) {
          errors.add("allowHeaders: '" + name + "' (expected: a header name)");
        } else {
          headers.add(name);
        }
      }
      return this;
    }

    /** Lets the page read these response headers. */
    public Builder exposeHeaders(String... names) {
      for (String name : names) {
        requireNonNull(name, "name");
        if (!name.equals("*") && !HttpSyntax.isToken(name)) {
          errors.add("exposeHeaders: '" + name + "' (expected: a header name)");
        } else {
          exposedHeaders.add(name);
        }
      }
      return this;
    }

    /** Allows credentialed requests ({@code fetch(url, {credentials: 'include'})}). */
    public Builder allowCredentials() {
      this.allowCredentials = true;
      return this;
    }

    /** Lets browsers cache a preflight's answer for {@code maxAge} (whole seconds, rounded down). */
    public Builder maxAge(Duration maxAge) {
      requireNonNull(maxAge, "maxAge");
      if (maxAge.isNegative()) {
        errors.add("maxAge: " + maxAge + " (expected: >= 0)");
      } else {
        this.maxAge = maxAge;
      }
      return this;
    }

    /**
     * Returns the immutable policy.
     *
     * @throws IllegalArgumentException naming the first bad setting: no origin, an origin that is
     *     not {@code scheme://host[:port]}, credentials with any origin or {@code *} headers
     */
    public CorsPolicy build() {
      if (!errors.isEmpty()) {
        throw new IllegalArgumentException(errors.get(0));
      }
      if (!anyOrigin && origins.isEmpty()) {
        throw new IllegalArgumentException("no allowed origins (expected: allowOrigins(...) or allowAnyOrigin())");
      }
      if (anyOrigin && allowCredentials) {
        throw new IllegalArgumentException("allowCredentials() with any origin would let every web site act with the"
            + " user's cookies; list the allowed origins instead");
      }
      if (allowCredentials && exposedHeaders.contains("*")) {
        throw new IllegalArgumentException("exposeHeaders(\"*\") is not a wildcard for credentialed requests; name the"
            + " headers");
      }
      for (String h : headers) {
        HttpHeaders.builder().add(h, "");
      }
      List<OriginPattern> patterns = new ArrayList<>();
      for (String origin : origins) {
        OriginPattern p = OriginPattern.parsePattern(origin);
        if (p == null) {
          throw new IllegalArgumentException("allowOrigins: '" + origin + "' (expected: scheme://host[:port], with"
              + " optionally *. before the host and :* as the port; no path)");
        }
        patterns.add(p);
      }
      return new CorsPolicy(this, patterns);
    }
  }

  /**
   * An origin, or an origin pattern: scheme, host (or, with {@code wildcardHost}, the suffix after
   * {@code *}) and port ({@link #ANY_PORT} for {@code :*}; the scheme's default when absent).
   */
  private record OriginPattern(String scheme, String host, boolean wildcardHost, int port) {
    static final int ANY_PORT = -2;

    boolean matches(OriginPattern origin) {
      if (!scheme.equals(origin.scheme) || port != ANY_PORT && port != origin.port) {
        return false;
      }
      if (wildcardHost) {
        // "*.example.com" is stored as ".example.com": one or more labels must come before it.
        return origin.host.length() > host.length() && origin.host.endsWith(host);
      }
      return host.equals(origin.host);
    }

    static @Nullable OriginPattern parsePattern(String text) {
      return parse(text, true);
    }

    static @Nullable OriginPattern parseOrigin(String text) {
      return parse(text, false);
    }

    private static @Nullable OriginPattern parse(String text, boolean pattern) {
      int sep = text.indexOf("://");
      if (sep <= 0) {
        return null;
      }
      String scheme = text.substring(0, sep).toLowerCase(Locale.ROOT);
      for (int i = 0; i < scheme.length(); i++) {
        char c = scheme.charAt(i);
        if (!(c >= 'a' && c <= 'z' || i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'))) {
          return null;
        }
      }
      String rest = text.substring(sep + 3);
      if (rest.isEmpty() || rest.indexOf('/') >= 0 || rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0
          || rest.indexOf('@') >= 0) {
        return null;
      }
      String hostPart = rest;
      int port = scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
      int colon = rest.lastIndexOf(':');
      if (colon >= 0 && rest.indexOf(']', colon) < 0) {
        String p = rest.substring(colon + 1);
        hostPart = rest.substring(0, colon);
        if (pattern && p.equals("*")) {
          port = ANY_PORT;
        } else {
          if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(Character::isDigit)) {
            return null;
          }
          port = Integer.parseInt(p);
          if (port > 65535) {
            return null;
          }
        }
      }
      String host = hostPart.toLowerCase(Locale.ROOT);
      boolean wildcard = false;
      if (pattern && host.startsWith("*.")) {
        wildcard = true;
        host = host.substring(1);
      }
      if (host.isEmpty() || host.equals(".") || host.indexOf('*') >= 0) {
        return null;
      }
      for (int i = 0; i < host.length(); i++) {
        char c = host.charAt(i);
        if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '[' || c == ']' || c == ':')) {
          return null;
        }
      }
      return new OriginPattern(scheme, host, wildcard, port);
    }
  }
}
