package dev.portico.gateway.cache;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a route caches its upstream's responses: an in-memory HTTP cache that follows RFC 9111's
 * rules for a shared cache. GET responses the upstream marks cacheable ({@code Cache-Control:
 * max-age}, {@code s-maxage}, {@code Expires}) are kept, bounded in bytes, and served with an
 * {@code Age} header and {@code X-Cache: HIT}; a stale one is revalidated with its {@code ETag} or
 * {@code Last-Modified}. HEAD requests are answered from GET entries; a POST, PUT, PATCH or DELETE
 * that succeeds drops the entries of its path.
 *
 * <pre>{@code
 * Route.builder("catalog")
 *     .path("/catalog/**")
 *     .upstream("http://catalog:8080")
 *     .cache(CachePolicy.ofSize(64 * 1024 * 1024))
 *     .build();
 * }</pre>
 *
 * <p>Responses to authenticated requests (an {@code Authorization} header, or a route with an
 * authenticator) are kept only when the upstream allows it ({@code public}, {@code s-maxage} or
 * {@code must-revalidate}), or when {@link Builder#keyByIdentity(boolean)} makes each caller's
 * entries their own. Responses that set a cookie are not kept unless
 * {@link Builder#cacheSetCookie(boolean)} says so.
 */
public final class CachePolicy {
  /** The default bound of the whole cache: 64 MiB. */
  public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
  /** The default bound of one entry: 1 MiB. */
  public static final long DEFAULT_MAX_ENTRY_BYTES = 1024L * 1024;
  /** The default longest wait for another request's response to the same key: 5 seconds. */
  public static final Duration DEFAULT_COLLAPSE_WAIT = Duration.ofSeconds(5);

  private final long maxBytes;
  private final long maxEntryBytes;
  private final boolean keyByIdentity;
  private final boolean cacheSetCookie;
  private final Duration collapseWait;

  private CachePolicy(Builder b) {
    this.maxBytes = b.maxBytes;
    this.maxEntryBytes = b.maxEntryBytes;
    this.keyByIdentity = b.keyByIdentity;
    this.cacheSetCookie = b.cacheSetCookie;
    this.collapseWait = b.collapseWait;
  }

  /** Returns a policy with the defaults and a cache of at most {@code maxBytes} bytes. */
  public static CachePolicy ofSize(long maxBytes) {
    return builder().maxBytes(maxBytes).build();
  }

  /** Returns a policy with the defaults: 64 MiB, 1 MiB per entry. */
  public static CachePolicy defaults() {
    return builder().build();
  }

  /** Returns a new builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the bound of the route's cache, in bytes of bodies and headers. */
  public long maxBytes() {
    return maxBytes;
  }

  /** Returns the largest response kept; larger ones are streamed through and not kept. */
  public long maxEntryBytes() {
    return maxEntryBytes;
  }

  /** Returns whether each caller's entries are their own (the key includes the caller's identity). */
  public boolean keyByIdentity() {
    return keyByIdentity;
  }

  /** Returns whether a response with {@code Set-Cookie} may be kept (without its cookies). */
  public boolean cacheSetCookie() {
    return cacheSetCookie;
  }

  /** Returns how long a request waits for another's response to the same key before going upstream itself. */
  public Duration collapseWait() {
    return collapseWait;
  }

  /** Returns a builder that starts from this policy. */
  public Builder toBuilder() {
    return new Builder().maxBytes(maxBytes).maxEntryBytes(maxEntryBytes).keyByIdentity(keyByIdentity)
        .cacheSetCookie(cacheSetCookie).collapseWait(collapseWait);
  }

  @Override
  public String toString() {
    return "CachePolicy{maxBytes=" + maxBytes + ", maxEntryBytes=" + maxEntryBytes + ", keyByIdentity="
        + keyByIdentity + ", cacheSetCookie=" + cacheSetCookie + ", collapseWait=" + collapseWait + "}";
  }

  /** Builds a {@link CachePolicy}; {@link #build()} checks the values. */
  public static final class Builder {
    private long maxBytes = DEFAULT_MAX_BYTES;
    private long maxEntryBytes = DEFAULT_MAX_ENTRY_BYTES;
    private boolean keyByIdentity;
    private boolean cacheSetCookie;
    private Duration collapseWait = DEFAULT_COLLAPSE_WAIT;

    Builder() {}

    /** Bounds the route's cache: the bytes of the kept bodies and headers (default 64 MiB). */
    public Builder maxBytes(long bytes) {
      this.maxBytes = bytes;
      return this;
    }

    /** Bounds one entry (default 1 MiB): larger responses are streamed through and not kept. */
    public Builder maxEntryBytes(long bytes) {
      this.maxEntryBytes = bytes;
      return this;
    }

    /**
     * Makes each authenticated caller's entries their own: the key includes the caller's
     * principal, and the upstream's responses to authenticated requests are kept even without
     * {@code public}. Default false: such responses are kept only when the upstream allows it.
     */
    public Builder keyByIdentity(boolean keyByIdentity) {
      this.keyByIdentity = keyByIdentity;
      return this;
    }

    /**
     * Lets a response that sets cookies be kept: the entry is stored without its
     * {@code Set-Cookie} headers (the caller that caused the miss still gets them). Default false:
     * such responses are not kept.
     */
    public Builder cacheSetCookie(boolean cacheSetCookie) {
      this.cacheSetCookie = cacheSetCookie;
      return this;
    }

    /**
     * Sets how long a request waits for a response that another request for the same key is
     * fetching (default 5 seconds); after that, or when that response cannot be kept, it goes
     * upstream itself. Zero turns collapsing off.
     */
    public Builder collapseWait(Duration wait) {
      this.collapseWait = requireNonNull(wait, "wait");
      return this;
    }

    /**
     * Returns the policy.
     *
     * @throws IllegalStateException when a value is out of range
     */
    public CachePolicy build() {
      if (maxBytes <= 0) {
        throw new IllegalStateException("maxBytes: " + maxBytes + " (expected: > 0)");
      }
      if (maxEntryBytes <= 0 || maxEntryBytes > maxBytes) {
        throw new IllegalStateException("maxEntryBytes: " + maxEntryBytes + " (expected: > 0 and <= maxBytes "
            + maxBytes + ")");
      }
      if (maxEntryBytes > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("maxEntryBytes: " + maxEntryBytes + " (expected: < 2 GiB)");
      }
      if (collapseWait.isNegative()) {
        throw new IllegalStateException("collapseWait: " + collapseWait + " (expected: >= 0)");
      }
      return new CachePolicy(this);
    }
  }
}
