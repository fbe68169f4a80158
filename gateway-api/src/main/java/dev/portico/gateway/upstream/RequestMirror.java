package dev.portico.gateway.upstream;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How a route copies a share of its requests to a shadow upstream, to try a new version on real
 * traffic: the copy goes out once the primary request's body is complete, with the same method,
 * path, query and headers as sent to the primary, plus {@code X-Portico-Mirror: 1}; the shadow's
 * answer is read and dropped. The shadow never delays or fails the primary exchange: copies in
 * flight are bounded ({@link Builder#queue}), and a copy that finds no room is dropped; a body
 * larger than {@link Builder#maxBodySize} is streamed to the primary as ever, and not mirrored.
 *
 * <pre>{@code
 * .route("orders", r -> r
 *     .path("/orders/**")
 *     .upstream("http://orders:8080")
 *     .mirror(m -> m.to("http://orders-next:8080").percent(10)))
 * }</pre>
 *
 * <p>Each copy is reported to {@code GatewayObserver#requestMirrored}: mirrored, dropped, skipped
 * (body too large) or failed.
 */
public final class RequestMirror {
  /** The header every copy carries, so a shadow can tell copies from real traffic. */
  public static final String HEADER = "X-Portico-Mirror";

  private final URI target;
  private final double percent;
  private final long maxBodySize;
  private final int queue;
  private final Duration timeout;

  private RequestMirror(Builder b, URI target) {
    this.target = target;
    this.percent = b.percent;
    this.maxBodySize = b.maxBodySize;
    this.queue = b.queue;
    this.timeout = b.timeout;
  }

  /** Returns a builder: 100 percent, bodies up to 64 KiB, 256 copies in flight, 5 s per copy. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the shadow upstream's base URI ({@code http} or {@code https}, no query). */
  public URI target() {
    return target;
  }

  /** Returns the share of requests copied, in percent: more than 0, at most 100. */
  public double percent() {
    return percent;
  }

  /** Returns the largest request body copied, in bytes; larger bodies are not mirrored. */
  public long maxBodySize() {
    return maxBodySize;
  }

  /** Returns how many copies may be in flight at once for the route; more are dropped. */
  public int queue() {
    return queue;
  }

  /** Returns how long one copy may take in all (connect, send, answer) before it is aborted. */
  public Duration timeout() {
    return timeout;
  }

  @Override
  public String toString() {
    return "mirror to " + target + " (" + percent + "%, body <= " + maxBodySize + " bytes, queue " + queue + ", timeout "
        + timeout.toMillis() + " ms)";
  }

  /** Builds a {@link RequestMirror}; {@link #build()} validates. */
  public static final class Builder {
    private @Nullable String to;
    private double percent = 100;
    private long maxBodySize = 64 * 1024;
    private int queue = 256;
    private Duration timeout = Duration.ofSeconds(5);

    private Builder() {}

    /** Sets the shadow upstream's base URI, such as {@code http://orders-next:8080}; required. */
    public Builder to(String uri) {
      this.to = requireNonNull(uri, "uri");
      return this;
    }

    /** Sets the shadow upstream's base URI; see {@link #to(String)}. */
    public Builder to(URI uri) {
      return to(requireNonNull(uri, "uri").toString());
    }

    /** Sets the share of requests copied, in percent (more than 0, at most 100); 100 by default. */
    public Builder percent(double percent) {
      this.percent = percent;
      return this;
    }

    /** Sets the largest request body copied, in bytes (0 or more); 64 KiB by default. */
    public Builder maxBodySize(long bytes) {
      this.maxBodySize = bytes;
      return this;
    }

    /** Sets how many copies may be in flight at once (1 or more); 256 by default. */
    public Builder queue(int copies) {
      this.queue = copies;
      return this;
    }

    /** Sets how long one copy may take in all (positive); 5 seconds by default. */
    public Builder timeout(Duration timeout) {
      this.timeout = requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Returns the mirror.
     *
     * @throws IllegalStateException when the target is missing or not an http(s) URI, or a number is out of range
     */
    public RequestMirror build() {
      if (to == null) {
        throw new IllegalStateException("no target (to)");
      }
      URI uri;
      try {
        uri = new URI(to);
      } catch (java.net.URISyntaxException e) {
        throw new IllegalStateException("target '" + to + "' is not a URI: " + e.getMessage());
      }
      if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
          || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw new IllegalStateException("target '" + to + "' (expected: http(s)://host[:port][/base])");
      }
      if (!(percent > 0 && percent <= 100)) {
        throw new IllegalStateException("percent " + percent + " (expected: > 0 and <= 100)");
      }
      if (maxBodySize < 0) {
        throw new IllegalStateException("maxBodySize " + maxBodySize + " (expected: >= 0)");
      }
      if (queue < 1) {
        throw new IllegalStateException("queue " + queue + " (expected: >= 1)");
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalStateException("timeout " + timeout + " (expected: > 0)");
      }
      return new RequestMirror(this, uri);
    }
  }
}
