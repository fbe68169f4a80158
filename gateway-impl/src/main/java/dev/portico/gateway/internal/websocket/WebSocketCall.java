package dev.portico.gateway.internal.websocket;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.ResponseBody;
import dev.portico.gateway.Route;
import dev.portico.gateway.WebSocketSettings;
import dev.portico.gateway.internal.proxy.ProxyContext;
import dev.portico.gateway.internal.proxy.ProxyRoute;
import dev.portico.gateway.internal.proxy.UpstreamRequests;
import dev.portico.gateway.internal.routing.PathNormalizer;
import dev.portico.gateway.internal.upstream.EndpointState;
import dev.portico.gateway.internal.upstream.LiveGroup;
import dev.portico.gateway.internal.websocket.WebSocketConnector;
import dev.portico.gateway.internal.websocket.WebSocketRelay;
import dev.portico.gateway.internal.websocket.WebSocketUpgrade;
import dev.portico.gateway.upstream.Endpoint;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy step for a WebSocket upgrade on a route that allows it, once {@link WebSocketHandshake}
 * found the client's handshake valid: picks an endpoint of the group, opens the upstream WebSocket
 * first, and only then answers the chain with a 101 whose body is the {@link Tunnel};
 * the exchange asks the host adapter to switch the client's connection with it. No retries:
 * the client may simply reconnect. Not public API.
 */
public final class WebSocketCall {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketCall.class);

  private WebSocketCall() {}

  public static CompletionStage<GatewayResponse> send(ProxyContext run, Exchange exchange, WebSocketSettings settings,
      WebSocketConnector connector) {
    ProxyRoute upstream = run.upstream();
    Route route = upstream.route();
    PathNormalizer.Result rewritten = UpstreamRequests.path("", route, exchange);
    if (!rewritten.isOk()) {
      return CompletableFuture.completedFuture(GatewayResponse.problem(
          ProblemType.BAD_PATH.withDetail("The path to send upstream is not valid: " + rewritten.reason())));
    }
    LiveGroup group = upstream.group();
    EndpointState endpoint = group.select(exchange, List.of());
    if (endpoint == null) {
      return CompletableFuture.completedFuture(GatewayResponse.problem(ProblemType.NO_HEALTHY_UPSTREAM.withDetail(
          "No instance of the upstream is available right now.")));
    }
    Endpoint e = endpoint.endpoint();
    String query = exchange.request().rawQuery().map(q -> "?" + q).orElse("");
    String target = ("https".equals(e.scheme()) ? "wss" : "ws") + "://" + e.authority() + e.basePath() + rewritten.path();
    URI uri;
    try {
      uri = new URI(target + query);
    } catch (URISyntaxException x) {
      // Visible ASCII that RFC 3986 wants encoded (" < > \ ^ ` { | }): an HTTP request carries it
      // as it is, the WebSocket client's URI cannot, and the gateway does not re-encode a query.
      return CompletableFuture.completedFuture(GatewayResponse.problem(ProblemType.BAD_PATH.withDetail(
          "The query holds characters a WebSocket handshake cannot carry unencoded; percent-encode them.")));
    }
    HttpFields headers = upstream.requests().headers(run, route, exchange.request());
    List<String> subProtocols = new ArrayList<>();
    for (String value : run.clientHeaders().getCSV(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL, true)) {
      subProtocols.add(value);
    }
    endpoint.acquired();
    WebSocketRelay relay = new WebSocketRelay(run.requestId(), settings, () -> {
      endpoint.released();
      run.webSocketEnded();
    });
    run.upstreamStarted(null, target);   // logged without the query, as for HTTP
    CompletableFuture<GatewayResponse> result = new CompletableFuture<>();
    // The handshake is a request and its 101 the response: the connect and response timeouts bound
    // it together (the group's client bounds the connect alone), and running out is a 504.
    long handshakeMillis = route.timeouts().connect().plus(route.timeouts().response()).toMillis();
    try {
      connector.connect(uri, headers, subProtocols, relay, handshakeMillis)
          .whenComplete((session, failure) -> {
            if (failure != null) {
              if (LOG.isDebugEnabled()) {
                LOG.debug("{} upstream websocket failed: {}", run.requestId(), String.valueOf(failure));
              }
              endpoint.released();
              group.record(endpoint, true);
              result.complete(GatewayResponse.problem(isTimeout(failure)
                  ? ProblemType.UPSTREAM_TIMEOUT.withDetail("The upstream did not accept the WebSocket connection in time.")
                  : ProblemType.UPSTREAM_UNAVAILABLE.withDetail("The upstream did not accept the WebSocket connection.")));
            } else {
              group.record(endpoint, false);
              result.complete(GatewayResponse.of(101, HttpHeaders.empty(),
                  new Tunnel(relay, session.getNegotiatedSubProtocol())));
            }
          });
    } catch (Exception x) {
      endpoint.released();
      result.complete(GatewayResponse.problem(ProblemType.UPSTREAM_UNAVAILABLE.withDetail(
          "The upstream did not accept the WebSocket connection.")));
    }
    return result;
  }

  /** Returns whether {@code failure}, or one of its causes, is a connect or handshake timeout. */
  private static boolean isTimeout(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TimeoutException || t instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** The body of the 101 answer: the relay, open on the upstream side, waiting for the client's. */
  public static final class Tunnel implements ResponseBody, WebSocketUpgrade {
    private final WebSocketRelay relay;
    private final @Nullable String subProtocol;

    Tunnel(WebSocketRelay relay, @Nullable String subProtocol) {
      this.relay = relay;
      this.subProtocol = subProtocol == null || subProtocol.isEmpty() ? null : subProtocol;
    }

    @Override
    public OptionalLong length() {
      return OptionalLong.of(0);
    }

    @Override
    public FrameHandler clientHandler() {
      return relay.clientHandler();
    }

    @Override
    public @Nullable String subProtocol() {
      return subProtocol;
    }

    @Override
    public void configure(Configuration configuration) {
      relay.configure(configuration);
    }

    /** The client side will not open: close the upstream one. */
    @Override
    public void abandon(String why) {
      relay.abandon(why);
    }
  }
}
