package dev.portico.gateway.internal.proxy;

import dev.portico.gateway.internal.body.ClientBodyContent;
import dev.portico.gateway.internal.body.Deadlines;
import dev.portico.gateway.internal.body.UpstreamBody;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpFields;
import org.jspecify.annotations.Nullable;

/**
 * What the proxy leg (the tries of {@link ProxyCall}, one {@link UpstreamCall}, the WebSocket
 * proxy step) may learn of, and tell, the exchange it sends upstream. The engine's per-exchange
 * state implements it. Not public API.
 */
public interface ProxyContext {

  /** Returns the exchange's request id, for the logs and the upstream request. */
  String requestId();

  /** Returns what the proxy leg needs of the exchange's route. */
  ProxyRoute upstream();

  /** Returns the client's request headers as received (the forwarding headers read them). */
  HttpFields clientHeaders();

  /** Returns whether the client's address is a trusted proxy, whose forwarding headers count. */
  boolean trusted();

  /** Returns the IP address of the client's connection. */
  String peerIp();

  /** Returns the local port the client connected to. */
  int localPort();

  /** Returns whether the client's request has a body. */
  boolean clientHasBody();

  /** Returns the body a policy holds in memory (sent upstream instead of the client's), or null. */
  byte @Nullable [] requestBody();

  /** Returns the client's body as the content of an upstream request: streamed, counted, capped. */
  ClientBodyContent newClientBody();

  /**
   * Returns the trailers that ended the client's body once it was read to its end, or null (none
   * sent, or the body not read to its end yet).
   */
  @Nullable HttpFields clientTrailers();

  /**
   * Returns whether the client's connection can carry trailers both ways: HTTP/2 or later, where a
   * request's {@code te} may only be {@code trailers} and trailers are a frame of the stream.
   */
  boolean clientCarriesTrailers();

  /** Returns whether the client connection failed: nothing more is worth trying upstream. */
  boolean clientGone();

  /** Runs {@code listener} once when the exchange ends; at once if it has ended. */
  void whenFinished(Runnable listener);

  /** Returns the timer of upstream tries' connect and response timeouts. */
  Deadlines<UpstreamCall> upstreamTimeouts();

  /** Tells the observer an upstream request starts; returns its observer and trace context. */
  UpstreamHop startUpstream(String method, String uri, String endpoint);

  /**
   * An upstream request to {@code uri} starts: a client failure or a shutdown from now on aborts
   * {@code request} (null for a WebSocket handshake, which has its own).
   */
  void upstreamStarted(@Nullable Request request, String uri);

  /** The upstream answered with {@code body}: the exchange discards it unless the response carries it. */
  void upstreamResponded(UpstreamBody body);

  /** The WebSocket relay ended: both sessions closed. */
  void webSocketEnded();
}
