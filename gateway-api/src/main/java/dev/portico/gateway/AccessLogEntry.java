package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * What the access log records about one exchange. Headers, tokens and query strings are not part
 * of it, so nothing secret reaches the log by default.
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
    Optional<String> traceId) {

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
  }

  /** An entry without a trace id (the components before tracing was added). */
  public AccessLogEntry(String requestId, Optional<String> routeId, String method, String path, int status,
      Optional<String> upstream, String clientIp, Duration duration, long bytesIn, long bytesOut, String outcome) {
    this(requestId, routeId, method, path, status, upstream, clientIp, duration, bytesIn, bytesOut, outcome,
        Optional.empty());
  }

  /**
   * Returns the entry as one line of {@code key=value} pairs, the format of the default log; the
   * trace id comes last, when known.
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
        + traceId.map(id -> " traceId=" + id).orElse("");
  }
}
