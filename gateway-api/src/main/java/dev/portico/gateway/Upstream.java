package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where a route sends its requests: a base URI ({@code http://orders:8080} or
 * {@code https://orders.internal/base}) and, for {@code https}, its TLS settings.
 *
 * <pre>{@code
 * Upstream.of("http://orders:8080")
 * Upstream.builder("https://billing.internal").tls(tls).build()
 * }</pre>
 *
 * <p>The upstream path is the base URI's path (without a trailing slash) followed by the route's
 * rewritten path.
 */
public final class Upstream {
  private final URI uri;
  private final String scheme;
  private final String host;
  private final int port;
  private final String basePath;
  private final String authority;
  private final @Nullable UpstreamTls tls;

  private Upstream(URI uri, @Nullable UpstreamTls tls) {
    this.uri = uri;
    this.scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    this.host = uri.getHost();
    this.port = uri.getPort() > 0 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    boolean defaultPort = "https".equals(scheme) ? port == 443 : port == 80;
    this.authority = defaultPort ? host : host + ":" + port;
    this.tls = tls;
  }

  /**
   * Returns an upstream at {@code uri}.
   *
   * @throws IllegalArgumentException if {@code uri} is not an absolute {@code http} or {@code https}
   *     URI with a host and without user info, query or fragment
   */
  public static Upstream of(String uri) {
    return builder(uri).build();
  }

  /** Returns a builder for an upstream at {@code uri}; see {@link #of(String)}. */
  public static Builder builder(String uri) {
    return new Builder(parse(uri));
  }

  /** Returns the base URI as given. */
  public URI uri() {
    return uri;
  }

  /** Returns {@code http} or {@code https}. */
  public String scheme() {
    return scheme;
  }

  /** Returns the host (an IPv6 literal keeps its brackets). */
  public String host() {
    return host;
  }

  /** Returns the port, defaulted from the scheme. */
  public int port() {
    return port;
  }

  /** Returns the base path without a trailing slash; empty for none. */
  public String basePath() {
    return basePath;
  }

  /** Returns the TLS settings, if configured. */
  public Optional<UpstreamTls> tls() {
    return Optional.ofNullable(tls);
  }

  /** Returns the authority ({@code host:port}) as sent in {@code Host}. */
  public String authority() {
    return authority;
  }

  @Override
  public String toString() {
    return scheme + "://" + authority() + basePath;
  }

  private static URI parse(String text) {
    requireNonNull(text, "uri");
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("uri: '" + text + "' is not a URI (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme();
    if (scheme == null || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
      throw new IllegalArgumentException("uri: '" + text + "' (expected: an http or https URI)");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("uri: '" + text + "' has no host");
    }
    if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("uri: '" + text + "' (expected: no user info, query or fragment)");
    }
    return uri;
  }

  /** Builds an {@link Upstream}. */
  public static final class Builder {
    private final URI uri;
    private @Nullable UpstreamTls tls;

    Builder(URI uri) {
      this.uri = uri;
    }

    /** Sets the TLS settings; the URI must be {@code https}. */
    public Builder tls(UpstreamTls tls) {
      this.tls = requireNonNull(tls, "tls");
      return this;
    }

    /** Returns the immutable upstream. */
    public Upstream build() {
      if (tls != null && !"https".equalsIgnoreCase(uri.getScheme())) {
        throw new IllegalStateException("upstream " + uri + ": tls() needs an https URI");
      }
      return new Upstream(uri, tls);
    }
  }
}
