package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * A kind of problem the gateway reports: a stable {@code type} URI, a short human title, and the
 * HTTP status it is answered with (RFC 9457).
 *
 * <p>The constants below are every problem the core gateway produces. Their URIs are stable: clients
 * may match on them. Extensions define their own with {@link #of(String, String, int)}.
 *
 * @param type the problem type URI; clients match on it
 * @param title a short, human-readable summary that does not change between occurrences
 * @param status the HTTP status code the problem is answered with
 */
public record ProblemType(URI type, String title, int status) {

  private static final String BASE = "https://portico.dev/problems/";

  /** 400: the request target is malformed or ambiguous (encoded slash, dot-segment above root...). */
  public static final ProblemType BAD_PATH = of(BASE + "bad-path", "Bad request path", 400);
  /** 400: the request is malformed in another way (bad header, bad host, more than one {@code Content-Type}). */
  public static final ProblemType BAD_REQUEST = of(BASE + "bad-request", "Bad request", 400);
  /** 401: no or bad credentials; the response carries {@code WWW-Authenticate}. */
  public static final ProblemType UNAUTHORIZED = of(BASE + "unauthorized", "Unauthorized", 401);
  /** 403: the identity may not make this request; scopes missing carry {@code insufficient_scope}. */
  public static final ProblemType FORBIDDEN = of(BASE + "forbidden", "Forbidden", 403);
  /** 404: no route matches the request. */
  public static final ProblemType NO_ROUTE = of(BASE + "no-route", "No route", 404);
  /** 405: a route matches the path but not the method; the response carries {@code Allow}. */
  public static final ProblemType METHOD_NOT_ALLOWED =
      of(BASE + "method-not-allowed", "Method not allowed", 405);
  /**
   * 408: the request body did not arrive within the route's {@link Timeouts#requestBody()}; the
   * upstream request, if one was under way, was aborted. The response closes the connection.
   */
  public static final ProblemType REQUEST_TIMEOUT = of(BASE + "request-timeout", "Request timeout", 408);
  /** 413: the request body is larger than the route accepts. */
  public static final ProblemType PAYLOAD_TOO_LARGE =
      of(BASE + "payload-too-large", "Payload too large", 413);
  /** 429: the caller is over a rate limit; the response carries {@code Retry-After}. */
  public static final ProblemType RATE_LIMITED = of(BASE + "rate-limited", "Too many requests", 429);
  /**
   * 501: the request method has a lower-case letter ({@code delete}): methods are case-sensitive
   * and every registered one is upper case, so the gateway neither routes nor forwards it.
   */
  public static final ProblemType METHOD_NOT_IMPLEMENTED =
      of(BASE + "method-not-implemented", "Method not implemented", 501);
  /**
   * 501: the request's {@code Transfer-Encoding} is not {@code chunked} alone ({@code gzip, chunked}):
   * a coding the gateway would not pass on to the upstream.
   */
  public static final ProblemType TRANSFER_CODING_NOT_IMPLEMENTED =
      of(BASE + "transfer-coding-not-implemented", "Transfer coding not implemented", 501);
  /** 500: a gateway component broke (a bug, never a client error). */
  public static final ProblemType INTERNAL = of(BASE + "internal", "Internal gateway error", 500);
  /** 502: the upstream refused the connection, was unreachable, or sent an invalid response. */
  public static final ProblemType UPSTREAM_UNAVAILABLE =
      of(BASE + "upstream-unavailable", "Upstream unavailable", 502);
  /** 503: credentials cannot be checked now (key set or introspection endpoint down, nothing cached). */
  public static final ProblemType AUTHENTICATION_UNAVAILABLE =
      of(BASE + "authentication-unavailable", "Authentication unavailable", 503);
  /** 503: a route's concurrency limit is reached and no permit came free in time. */
  public static final ProblemType OVERLOADED = of(BASE + "overloaded", "Too many concurrent requests", 503);
  /**
   * 501: the route accepts WebSocket upgrades but the host cannot switch a connection to
   * WebSocket: the servlet adapter in a context without a Jakarta WebSocket server (its
   * {@code ServerContainer}). The Jetty core adapter, and the servlet adapter where the container's
   * WebSocket support is on, proxy the upgrade. Also, on any route, an HTTP/2 extended
   * {@code CONNECT} (RFC 8441, WebSocket over an HTTP/2 stream), which the gateway does not proxy.
   */
  public static final ProblemType WEBSOCKET_UNSUPPORTED =
      of(BASE + "websocket-unsupported", "WebSocket not supported here", 501);
  /**
   * 400: a WebSocket upgrade on a route that accepts them is not a valid opening handshake (RFC 6455
   * section 4.2.1): not a {@code GET} over HTTP/1.1, a body, no {@code Connection: upgrade}, or not
   * exactly one {@code Sec-WebSocket-Key} of 16 bytes in base64. Nothing was sent upstream.
   */
  public static final ProblemType BAD_WEBSOCKET_HANDSHAKE =
      of(BASE + "bad-websocket-handshake", "Bad WebSocket handshake", 400);
  /**
   * 426: a WebSocket upgrade asks for a protocol version other than 13, or names none; the response
   * carries {@code Sec-WebSocket-Version: 13} (RFC 6455 section 4.2.2). Nothing was sent upstream.
   */
  public static final ProblemType WEBSOCKET_VERSION_UNSUPPORTED =
      of(BASE + "websocket-version-unsupported", "Unsupported WebSocket version", 426);
  /** 503: a rate limit cannot be checked now (its shared store is down) and it fails closed. */
  public static final ProblemType RATE_LIMIT_UNAVAILABLE =
      of(BASE + "rate-limit-unavailable", "Rate limit unavailable", 503);
  /** 503: the gateway is shutting down and takes no new exchange, or its grace period ran out. */
  public static final ProblemType SHUTTING_DOWN = of(BASE + "shutting-down", "Shutting down", 503);
  /**
   * 503: every endpoint of the route's upstream group is out of rotation (failed its health checks
   * or was ejected), or the group has no endpoints, and the group is not in panic mode.
   */
  public static final ProblemType NO_HEALTHY_UPSTREAM =
      of(BASE + "no-healthy-upstream", "No healthy upstream", 503);
  /** 503: the upstream group's circuit breaker is open; the response carries {@code Retry-After}. */
  public static final ProblemType CIRCUIT_OPEN = of(BASE + "circuit-open", "Circuit open", 503);
  /** 504: the upstream did not connect, answer or send data within the route's timeouts. */
  public static final ProblemType UPSTREAM_TIMEOUT =
      of(BASE + "upstream-timeout", "Upstream timeout", 504);

  // Validation, transformation, CORS and upstream error policies.

  /** 400: the request broke the route's validation; the {@code errors} member lists each violation. */
  public static final ProblemType VALIDATION_FAILED =
      of(BASE + "validation-failed", "Validation failed", 400);
  /** 400: a JSON body the route validates or transforms is not valid JSON. */
  public static final ProblemType MALFORMED_JSON = of(BASE + "malformed-json", "Malformed JSON", 400);
  /** 403: a CORS preflight asked for an origin, method or header the route's CORS policy does not allow. */
  public static final ProblemType CORS_REJECTED = of(BASE + "cors-rejected", "CORS request rejected", 403);
  /**
   * 403: the client's address (as the gateway computes it, honouring trusted proxies) is refused by
   * the gateway's or the route's {@link IpRules}; checked before CORS, authentication and rate limits.
   */
  public static final ProblemType IP_REFUSED = of(BASE + "ip-refused", "Client address refused", 403);
  /** 415: the body's media type or content coding is not one the route accepts. */
  public static final ProblemType UNSUPPORTED_MEDIA_TYPE =
      of(BASE + "unsupported-media-type", "Unsupported media type", 415);
  /** 502: the upstream answered with a 5xx, and the route replaces upstream errors. */
  public static final ProblemType UPSTREAM_ERROR = of(BASE + "upstream-error", "Upstream error", 502);
  /** 502: the upstream's response could not be transformed (too large, not JSON, an unknown coding). */
  public static final ProblemType BAD_UPSTREAM_RESPONSE =
      of(BASE + "bad-upstream-response", "Bad upstream response", 502);

  /** Validates the components. */
  public ProblemType {
    requireNonNull(type, "type");
    requireNonNull(title, "title");
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 400-599)");
    }
  }

  /** Creates a problem type; {@code type} must be an absolute URI. */
  public static ProblemType of(String type, String title, int status) {
    URI uri = URI.create(requireNonNull(type, "type"));
    if (!uri.isAbsolute()) {
      throw new IllegalArgumentException("type: " + type + " (expected: an absolute URI)");
    }
    return new ProblemType(uri, title, status);
  }

  /** Returns a problem of this type with {@code detail}. */
  public Problem withDetail(String detail) {
    return new Problem(this, detail, HttpHeaders.empty());
  }
}
