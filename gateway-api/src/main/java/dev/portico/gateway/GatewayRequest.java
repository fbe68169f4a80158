package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The client's request as the gateway sees it after path normalization: what filters read and
 * rewrite, and what the upstream request is built from.
 *
 * <p>{@link #path()} is the normalized path (dot-segments removed, duplicate slashes folded,
 * percent-encoded unreserved characters decoded); reserved characters stay percent-encoded, so
 * it can be sent upstream as it is. {@link #rawQuery()} is the query string exactly as the client
 * sent it, without the {@code ?}. The body is not part of this value: it streams from the client
 * to the upstream without being held.
 *
 * <pre>{@code
 * Filter tenant = (exchange, chain) -> chain.proceed(exchange.withRequest(
 *     exchange.request().toBuilder().header("X-Tenant", "acme").build()));
 * }</pre>
 */
public final class GatewayRequest {
  private final String method;
  private final String path;
  private final @Nullable String rawQuery;
  private final HttpHeaders headers;
  private final String scheme;
  private final String authority;

  private GatewayRequest(Builder b) {
    this.method = b.method;
    this.path = b.path;
    this.rawQuery = b.rawQuery;
    this.headers = b.headers;
    this.scheme = b.scheme;
    this.authority = b.authority;
  }

  /** Returns a builder; {@code method} and {@code path} are required. */
  public static Builder builder(String method, String path) {
    return new Builder().method(method).path(path);
  }

  /** Returns the method, in upper case ({@code GET}, {@code POST}, ...). */
  public String method() {
    return method;
  }

  /** Returns the normalized path, starting with {@code /}. */
  public String path() {
    return path;
  }

  /** Returns the query string as the client sent it, without {@code ?}; empty if there was none. */
  public Optional<String> rawQuery() {
    return Optional.ofNullable(rawQuery);
  }

  /** Returns the request headers. */
  public HttpHeaders headers() {
    return headers;
  }

  /** Returns {@code http} or {@code https}: the scheme the client used to reach the host. */
  public String scheme() {
    return scheme;
  }

  /** Returns the authority the client addressed ({@code host[:port]}), from {@code Host}. */
  public String authority() {
    return authority;
  }

  /** Returns a builder that starts from this request. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.method = method;
    b.path = path;
    b.rawQuery = rawQuery;
    b.headers = headers;
    b.scheme = scheme;
    b.authority = authority;
    return b;
  }

  @Override
  public String toString() {
    return method + " " + path + (rawQuery == null ? "" : "?" + rawQuery);
  }

  /** Builds a {@link GatewayRequest}. */
  public static final class Builder {
    private String method = "GET";
    private String path = "/";
    private @Nullable String rawQuery;
    private HttpHeaders headers = HttpHeaders.empty();
    private HttpHeaders.@Nullable Builder headerEdits;
    private String scheme = "http";
    private String authority = "localhost";

    Builder() {}

    /** Sets the method; it is upper-cased. */
    public Builder method(String method) {
      requireNonNull(method, "method");
      if (method.isEmpty()) {
        throw new IllegalArgumentException("method: empty");
      }
      this.method = method.toUpperCase(java.util.Locale.ROOT);
      return this;
    }

    /** Sets the path sent upstream; it must start with {@code /} and contain no {@code ?} or {@code #}. */
    public Builder path(String path) {
      requireNonNull(path, "path");
      if (!path.startsWith("/") || path.indexOf('?') >= 0 || path.indexOf('#') >= 0) {
        throw new IllegalArgumentException("path: '" + path + "' (expected: starts with /, no ? or #)");
      }
      this.path = path;
      return this;
    }

    /** Sets the raw query string (without {@code ?}), or removes it with {@code null}. */
    public Builder rawQuery(@Nullable String rawQuery) {
      if (rawQuery != null && rawQuery.indexOf('#') >= 0) {
        throw new IllegalArgumentException("rawQuery: contains '#'");
      }
      this.rawQuery = rawQuery;
      return this;
    }

    /** Replaces all headers. */
    public Builder headers(HttpHeaders headers) {
      this.headers = requireNonNull(headers, "headers");
      this.headerEdits = null;
      return this;
    }

    /** Sets header {@code name} to {@code value}, replacing any previous values. */
    public Builder header(String name, String value) {
      edits().set(name, value);
      return this;
    }

    /** Adds a value to header {@code name}, keeping previous values. */
    public Builder addHeader(String name, String value) {
      edits().add(name, value);
      return this;
    }

    /** Removes every value of header {@code name}. */
    public Builder removeHeader(String name) {
      edits().remove(name);
      return this;
    }

    /** Sets the scheme the client used: {@code http} or {@code https}. */
    public Builder scheme(String scheme) {
      if (!"http".equals(scheme) && !"https".equals(scheme)) {
        throw new IllegalArgumentException("scheme: " + scheme + " (expected: http or https)");
      }
      this.scheme = scheme;
      return this;
    }

    /** Sets the authority ({@code host[:port]}) the client addressed. */
    public Builder authority(String authority) {
      this.authority = requireNonNull(authority, "authority");
      return this;
    }

    /** Returns the immutable request. */
    public GatewayRequest build() {
      if (headerEdits != null) {
        headers = headerEdits.build();
        headerEdits = null;
      }
      return new GatewayRequest(this);
    }

    private HttpHeaders.Builder edits() {
      if (headerEdits == null) {
        headerEdits = headers.toBuilder();
      }
      return headerEdits;
    }
  }
}
