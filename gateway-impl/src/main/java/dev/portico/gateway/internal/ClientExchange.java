package dev.portico.gateway.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * The client leg of one exchange, as a host adapter (Jetty core handler, servlet) presents it to
 * the engine ({@link GatewayRuntime#handle}). Not public API.
 *
 * <p>Threading: the engine calls the response methods from any thread, but never concurrently and
 * never a {@link #write} before the previous write's callback completed. Every method must return
 * without blocking.
 *
 * <p>Completion: the engine ends every exchange it accepted with exactly one call to
 * {@link #succeeded()} or {@link #failed(Throwable)}.
 */
public interface ClientExchange extends Content.Sink {

  /** Returns the request method as sent. */
  String method();

  /** Returns the HTTP version the request arrived with ({@code HTTP/1.0}, {@code HTTP/1.1}, {@code HTTP/2}...). */
  HttpVersion httpVersion();

  /**
   * Returns the raw path of the request target, still percent-encoded as the client sent it, relative
   * to the adapter's mount point: the part below the context path the host dispatched the request
   * to ({@link dev.portico.gateway.internal.routing.PathInContext}). Null when that part cannot be
   * found in the target (the engine refuses the request as {@code bad-path}).
   */
  @Nullable String rawPath();

  /** Returns the raw query (without {@code ?}), or null when the target had none. */
  @Nullable String rawQuery();

  /** Returns the request headers; not modified by the engine. */
  HttpFields headers();

  /** Returns the authority the client addressed: {@code Host}, or the HTTP/2 {@code :authority}. */
  String authority();

  /** Returns the peer's address. */
  InetSocketAddress remoteAddress();

  /** Returns the local address the request arrived on. */
  InetSocketAddress localAddress();

  /** Returns whether the request arrived over TLS. */
  boolean isSecure();

  /**
   * Returns the client certificate chain the host's TLS connector verified (leaf first), or an
   * empty list.
   */
  java.util.List<java.security.cert.X509Certificate> clientCertificates();

  /** Returns the request body length when declared ({@code Content-Length}), -1 when unknown. */
  long contentLength();

  /** Returns whether the request has a body (declared length above 0, or chunked). */
  boolean hasBody();

  /**
   * Returns the request body as a demand-driven source. The engine reads it at most once; a
   * failure chunk reports that the client went away or sent a broken body.
   */
  Content.Source body();

  /**
   * Registers {@code listener} to run once if the client connection fails before the exchange ends
   * (client disconnect, stream reset). May run on any thread.
   */
  void onClientFailure(Consumer<Throwable> listener);

  /**
   * Sets the response status and headers. They are sent with the first {@link #write}; hop-by-hop
   * headers have already been removed by the engine.
   */
  void responseHead(int status, HttpFields headers);

  /**
   * Sends the response's trailers that {@code trailers} returns (null for none) after the last body
   * bytes; called before {@link #responseHead}, and only on HTTP/2 or later, where trailers are a
   * frame of the stream. The supplier is asked once, when the last {@link #write} ends the body. An
   * adapter whose host cannot send trailers ignores the call (the default).
   */
  default void responseTrailers(Supplier<@Nullable HttpFields> trailers) {
  }

  /**
   * Writes response body bytes without blocking; {@code last} ends the body. The callback
   * completes when {@code buffer} may be reused, or fails when the client cannot be written to.
   */
  @Override
  void write(boolean last, ByteBuffer buffer, Callback callback);

  /**
   * Called once when the engine takes the exchange over (it answers or forwards it), on the thread
   * that called {@link GatewayRuntime#handle} and before any response method: an adapter that may
   * hand an unmatched request back to its host puts off until here what taking it costs (a servlet
   * filter starts asynchronous mode here). Not called for a request handed back.
   */
  default void taken() {
  }

  /** Returns whether this adapter can switch a connection to WebSocket ({@link #upgradeToWebSocket}). */
  default boolean canUpgradeToWebSocket() {
    return false;
  }

  /**
   * Switches the client's connection to WebSocket with {@code upgrade}'s frame handler, answering
   * 101 itself, instead of a response through {@link #responseHead} and {@link #write}. Returns false,
   * having sent nothing, when the request is not a valid WebSocket upgrade or the adapter cannot
   * switch. After true, the adapter completes the exchange on its side: the engine calls neither
   * {@link #succeeded()} nor {@link #failed(Throwable)}.
   */
  default boolean upgradeToWebSocket(dev.portico.gateway.internal.websocket.WebSocketUpgrade upgrade) {
    return false;
  }

  /** Ends the exchange normally, after the last write succeeded. */
  void succeeded();

  /**
   * Ends the exchange abnormally. If the response was already committed the connection (or HTTP/2
   * stream) is aborted, so the client sees a broken response and never a truncated body that looks
   * complete.
   */
  void failed(Throwable failure);
}
