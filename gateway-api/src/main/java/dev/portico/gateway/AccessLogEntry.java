package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.ratelimit.RateLimitDecision;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the access log records about one exchange. Headers, tokens and query strings are not part
 * of it, so nothing secret reaches the log by default: the caller appears as its authenticated
 * subject and how it authenticated, never as the credential it presented.
 *
 * @param requestId the exchange's request id
 * @param routeId the matched route, empty when none matched
 * @param method the request method
 * @param path the normalized path (or the raw path when it could not be normalized)
 * @param status the status sent to the client; 0 when the exchange was aborted before a status was sent
 * @param upstream the upstream URI called (scheme, host, port and path, no query), empty when none
 * @param clientIp the client's IP address
 * @param duration the time from the request's arrival to the end of the response
 * @param bytesIn request body bytes read from the client
 * @param bytesOut response body bytes written to the client
 * @param outcome how it ended: {@code ok}, {@code problem}, {@code client-abort}, {@code upstream-abort},
 *     or {@code shutdown} (ended by a graceful shutdown's deadline)
 * @param traceId the W3C trace id the exchange ran under (the client's, or a new one), empty when
 *     unknown
 * @param subject the authenticated caller's {@linkplain dev.portico.gateway.auth.Identity#subject()
 *     subject}, empty when the exchange was not authenticated (no authenticator, or refused)
 * @param authMethod how the caller authenticated ({@link dev.portico.gateway.auth.Identity#method()}:
 *     {@code jwt}, {@code api-key}, {@code basic}, ...), empty when it was not authenticated
 * @param userAgent the client's {@code User-Agent}, client-controlled: at most
 *     {@value #MAX_USER_AGENT} characters, and any character outside printable ASCII replaced by
 *     {@code ?}; empty when the request had none
 * @param rateLimit what the rate limits decided, empty when none was asked (no limiter, or the
 *     exchange was refused before them)
 */
public record AccessLogEntry(
    String requestId,
    Optional<String> routeId,
    String method,
    String path,
    int status,
    Optional<String> upstream,
    String clientIp,
    Duration duration,
    long bytesIn,
    long bytesOut,
    String outcome,
    Optional<String> traceId,
    Optional<String> subject,
    Optional<String> authMethod,
    Optional<String> userAgent,
    Optional<RateLimitOutcome> rateLimit) {

  /** The most characters of a {@code User-Agent} an entry keeps. */
  public static final int MAX_USER_AGENT = 256;

  /** Validates the components. */
  public AccessLogEntry {
    requireNonNull(requestId, "requestId");
    requireNonNull(routeId, "routeId");
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    requireNonNull(upstream, "upstream");
    requireNonNull(clientIp, "clientIp");
    requireNonNull(duration, "duration");
    requireNonNull(outcome, "outcome");
    requireNonNull(traceId, "traceId");
    requireNonNull(subject, "subject");
    requireNonNull(authMethod, "authMethod");
    requireNonNull(userAgent, "userAgent");
    requireNonNull(rateLimit, "rateLimit");
  }

  /** An entry without caller, user agent or rate limit (the components before they were added). */
  public AccessLogEntry(String requestId, Optional<String> routeId, String method, String path, int status,
      Optional<String> upstream, String clientIp, Duration duration, long bytesIn, long bytesOut, String outcome,
      Optional<String> traceId) {
    this(requestId, routeId, method, path, status, upstream, clientIp, duration, bytesIn, bytesOut, outcome, traceId,
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** An entry without a trace id (the components before tracing was added). */
  public AccessLogEntry(String requestId, Optional<String> routeId, String method, String path, int status,
      Optional<String> upstream, String clientIp, Duration duration, long bytesIn, long bytesOut, String outcome) {
    this(requestId, routeId, method, path, status, upstream, clientIp, duration, bytesIn, bytesOut, outcome,
        Optional.empty());
  }

  /**
   * Returns a client-sent {@code User-Agent} as an entry keeps it: cut to {@value #MAX_USER_AGENT}
   * characters, anything outside printable ASCII replaced by {@code ?}; empty for null or blank.
   */
  public static Optional<String> userAgentOf(@Nullable String header) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    int length = Math.min(header.length(), MAX_USER_AGENT);
    StringBuilder sb = null;
    for (int i = 0; i < length; i++) {
      char c = header.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        if (sb == null) {
          sb = new StringBuilder(length).append(header, 0, i);
        }
        sb.append('?');
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return Optional.of(sb != null ? sb.toString() : header.substring(0, length));
  }

  /**
   * Returns the entry as one line of {@code key=value} pairs, the format of the default log; the
   * trace id comes last, when known. Absent values are {@code -}; a value with a space, a quote,
   * a backslash or a character outside printable ASCII is written in double quotes, with quotes
   * and backslashes escaped by a backslash and the others as {@code \\uXXXX}, so a line always
   * splits the same way.
   */
  public String toLine() {
    return "requestId=" + requestId
        + " route=" + routeId.orElse("-")
        + " method=" + method
        + " path=" + path
        + " status=" + status
        + " upstream=" + upstream.orElse("-")
        + " client=" + clientIp
        + " durationMs=" + duration.toMillis()
        + " bytesIn=" + bytesIn
        + " bytesOut=" + bytesOut
        + " outcome=" + outcome
        + " subject=" + subject.map(AccessLogEntry::lineValue).orElse("-")
        + " auth=" + authMethod.map(AccessLogEntry::lineValue).orElse("-")
        + " rateLimit=" + rateLimit.map(r -> lineValue(r.toString())).orElse("-")
        + " userAgent=" + userAgent.map(AccessLogEntry::lineValue).orElse("-")
        + traceId.map(id -> " traceId=" + id).orElse("");
  }

  private static String lineValue(String value) {
    boolean plain = !value.isEmpty() && !value.equals("-");
    for (int i = 0; i < value.length() && plain; i++) {
      char c = value.charAt(i);
      plain = c > 0x20 && c < 0x7f && c != '"' && c != '\\';
    }
    if (plain) {
      return value;
    }
    StringBuilder sb = new StringBuilder(value.length() + 8).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c >= 0x7f) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  /**
   * What the rate limits decided about an exchange. When every limiter allowed, the one with the
   * fewest tokens left speaks for them; otherwise the one that did not allow.
   *
   * @param limiter the limiter's {@linkplain dev.portico.gateway.ratelimit.RateLimiter#name() name}
   * @param decision its decision
   * @param remaining the tokens left in its binding policy after this request; -1 when it reported
   *     no policy (a free request, a refusal without a key, a limiter that could not decide)
   */
  public record RateLimitOutcome(String limiter, RateLimitDecision.Kind decision, long remaining) {
    /** Validates the components. */
    public RateLimitOutcome {
      requireNonNull(limiter, "limiter");
      requireNonNull(decision, "decision");
      if (remaining < -1) {
        throw new IllegalArgumentException("remaining: " + remaining + " (expected: >= -1)");
      }
    }

    /** Returns the outcome of {@code decision}, made by the limiter named {@code limiter}. */
    public static RateLimitOutcome of(String limiter, RateLimitDecision decision) {
      requireNonNull(decision, "decision");
      return new RateLimitOutcome(limiter, decision.kind(),
          decision.policy().isPresent() ? Math.max(0, decision.remaining()) : -1);
    }

    /** Returns {@code limiter:decision} and, when known, {@code :remaining}, e.g. {@code per-ip:allowed:4}. */
    @Override
    public String toString() {
      return limiter + ":" + decision.name().toLowerCase(java.util.Locale.ROOT) + (remaining >= 0 ? ":" + remaining : "");
    }
  }
}
