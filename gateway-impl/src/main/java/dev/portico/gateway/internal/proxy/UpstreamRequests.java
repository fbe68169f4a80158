package dev.portico.gateway.internal.proxy;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.Route;
import dev.portico.gateway.internal.http.FieldsHttpHeaders;
import dev.portico.gateway.internal.http.HopByHop;
import dev.portico.gateway.internal.routing.PathNormalizer;
import dev.portico.gateway.observe.TraceContext;
import dev.portico.gateway.upstream.Endpoint;
import dev.portico.gateway.upstream.UpstreamProtocol;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.jspecify.annotations.Nullable;

/**
 * How the engine builds an upstream request from an exchange, for every proxy leg (the HTTP tries
 * of {@link ProxyCall}, the WebSocket handshake): the path (rewritten, normalized, no
 * dot-segment), the headers (hop-by-hop fields gone; Host, forwarding headers and request id set),
 * and the Jetty request of one try with its trace context. One per compiled configuration. Not
 * public API.
 */
public final class UpstreamRequests {
  private final Forwarding forwarding;
  private final String requestIdHeader;
  private final @Nullable HttpHeader requestIdHeaderKnown;

  /** Rules for a gateway that trusts {@code forwarding}'s proxies and names its request id {@code requestIdHeader}. */
  public UpstreamRequests(Forwarding forwarding, String requestIdHeader) {
    this.forwarding = forwarding;
    this.requestIdHeader = requestIdHeader;
    this.requestIdHeaderKnown = HttpHeader.CACHE.get(requestIdHeader);
  }

  /** Returns the forwarding rules (trusted proxies, client IP) of this configuration. */
  public Forwarding forwarding() {
    return forwarding;
  }

  /** Returns the name of the request id header. */
  public String requestIdHeader() {
    return requestIdHeader;
  }

  /** The request id header for {@code requestId}, its name already matched to Jetty's known headers. */
  public HttpField requestIdField(String requestId) {
    return new HttpField(requestIdHeaderKnown, requestIdHeader, requestId);
  }

  /**
   * Returns the path to send upstream for {@code exchange}, normalized, or a rejection when it is
   * not valid. {@code basePath} is empty for groups, whose endpoints add their own at each try.
   */
  public static PathNormalizer.Result path(String basePath, Route route, Exchange exchange) {
    // A rewrite template filled from captures, or a filter, may have produced dot-segments or
    // ambiguous encodings: the path sent upstream is held to the same rules as the client's, and a
    // dot-segment (which could climb out of the template's prefix) is refused outright.
    String rawUpstreamPath = basePath + route.rewrite().apply(exchange.request().path(), exchange.pathVariables());
    return hasDotSegment(rawUpstreamPath)
        ? PathNormalizer.Result.rejected("it contains a dot-segment")
        : PathNormalizer.normalize(rawUpstreamPath);
  }

  /** Returns the headers sent upstream for {@code request}: computed once, used by every try. */
  public HttpFields headers(ProxyContext run, Route route, GatewayRequest request) {
    HttpFields in = FieldsHttpHeaders.fields(request.headers());
    HttpFields.Mutable out = HttpFields.build(in.size() + 8);
    // The fields the client's Connection named were dropped when the exchange started (IncomingHeaders),
    // with that Connection header: tokens left here are a filter's own, and apply to the request as it is.
    Set<String> tokens = HopByHop.connectionTokens(in);
    for (HttpField field : in) {
      if (HopByHop.isHopByHop(field, tokens)) {
        continue;
      }
      HttpHeader header = field.getHeader();
      if (header == HttpHeader.HOST || header == HttpHeader.CONTENT_LENGTH || header == HttpHeader.EXPECT
          || Forwarding.isReplacedForwardingHeader(field, run.trusted()) || field.is(requestIdHeader)) {
        continue;
      }
      out.add(field);
    }
    if (run.clientCarriesTrailers() && run.upstream().group().settings().protocol() == UpstreamProtocol.HTTP_2
        && HopByHop.acceptsTrailersOnly(in)) {
      // TE is hop-by-hop, but te: trailers between two HTTP/2 hops says what both legs honour now:
      // the gateway relays trailers both ways (a gRPC call's status travels in them). Any other TE,
      // from any client, and any TE towards an HTTP/1.1 upstream, stays dropped.
      out.add(HttpHeader.TE, "trailers");
    }
    // The client's Host, forwarding headers and request id were left out above: appended, not put.
    if (route.preserveHost()) {
      out.add(HttpHeader.HOST, request.authority());
    }
    forwarding.apply(out, run.clientHeaders(), run.trusted(), run.peerIp(), request.scheme(), request.authority(),
        run.localPort());
    out.add(requestIdField(run.requestId()));
    return out.asImmutable();
  }

  /**
   * Returns the Jetty request of one try to {@code endpoint}: {@code fullPath} is the upstream
   * path with the endpoint's base path, {@code query} the raw query, {@code headers} what
   * {@link #headers} made, {@code body} the content of this try, {@code trace} the hop's trace
   * context (it replaces the client's trace headers).
   */
  static Request newRequest(HttpClient client, Endpoint endpoint, String method, String fullPath,
      @Nullable String query, HttpFields headers, Request.@Nullable Content body, HttpVersion version,
      long idleTimeoutMillis, TraceContext trace) {
    String target = query == null ? fullPath : fullPath + "?" + query;
    // From the endpoint's parsed URI (scheme, host, port), not from strings parsed again per request.
    Request upstreamRequest = client.newRequest(endpoint.uri())
        .path(target)
        .version(version)
        .idleTimeout(idleTimeoutMillis, TimeUnit.MILLISECONDS);
    if (!"GET".equals(method)) {   // GET is a new request's method: setting it again only copies it
      upstreamRequest.method(method);
    }
    upstreamRequest.headers(out -> {
      for (HttpField field : headers) {
        // The client's trace headers give way to this hop's, appended below.
        String name = field.getName();
        if (!name.equalsIgnoreCase(TraceContext.TRACEPARENT) && !name.equalsIgnoreCase(TraceContext.TRACESTATE)) {
          out.add(field);
        }
      }
      if (body != null && body.getLength() < 0 && version == HttpVersion.HTTP_1_1) {
        // A body of unknown length goes chunked. Jetty's generator only chunks a request it expects a
        // body for (POST, PUT, a Content-Type, this hint); without one it would send a GET's or a
        // DELETE's body after a head with no framing at all, a request the upstream would misread.
        out.add(HttpHeader.TRANSFER_ENCODING, "chunked");
      }
      if (!headers.contains(HttpHeader.HOST)) {
        // This endpoint's authority; without it Jetty would build and parse the request's URI to find one.
        out.put(HttpHeader.HOST, endpoint.authority());
      }
      // W3C Trace Context: the client's trace continues (or a new one starts) with this hop's span id.
      out.add(TraceContext.TRACEPARENT, trace.traceparent());
      if (!trace.traceState().isEmpty()) {
        out.add(TraceContext.TRACESTATE, trace.traceState());
      }
    });
    if (body != null) {
      upstreamRequest.body(body);
    }
    return upstreamRequest;
  }

  private static boolean hasDotSegment(String path) {
    int start = 0;
    while (start <= path.length()) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = path.length();
      }
      int len = end - start;
      if (len == 1 && path.charAt(start) == '.' || len == 2 && path.startsWith("..", start)) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }
}
