package dev.portico.gateway.jetty;

import dev.portico.gateway.internal.ClientExchange;
import dev.portico.gateway.internal.routing.PathInContext;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/** The client leg over Jetty core's request, response and callback. */
final class JettyClientExchange implements ClientExchange {
  private static final InetSocketAddress UNKNOWN = InetSocketAddress.createUnresolved("0.0.0.0", 0);

  private final Request request;
  private final Response response;
  private final Callback callback;
  private Content.Source body;
  private @Nullable Boolean hasBody;

  JettyClientExchange(Request request, Response response, Callback callback) {
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.body = request;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public HttpVersion httpVersion() {
    return request.getConnectionMetaData().getHttpVersion();
  }

  /**
   * Returns the raw path below the context path Jetty dispatched to (the whole path outside any
   * {@code ContextHandler}); a target that is no path ({@code *}, authority-form) as it is, for the
   * engine to refuse.
   */
  @Override
  public @Nullable String rawPath() {
    String path = request.getHttpURI().getPath();
    if (path == null || !path.startsWith("/")) {
      return path == null ? "" : path;
    }
    String inContext = Request.getPathInContext(request);
    return inContext == null ? null : PathInContext.rawPath(path, inContext, true);
  }

  @Override
  public @Nullable String rawQuery() {
    return request.getHttpURI().getQuery();
  }

  @Override
  public HttpFields headers() {
    return request.getHeaders();
  }

  @Override
  public String authority() {
    HttpURI uri = request.getHttpURI();
    String host = request.getHeaders().get(HttpHeader.HOST);
    if (host != null) {
      return host;
    }
    String authority = uri.getAuthority();
    return authority == null ? "" : authority;
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return inet(request.getConnectionMetaData().getRemoteSocketAddress());
  }

  @Override
  public InetSocketAddress localAddress() {
    return inet(request.getConnectionMetaData().getLocalSocketAddress());
  }

  @Override
  public boolean isSecure() {
    return request.isSecure();
  }

  @Override
  public List<X509Certificate> clientCertificates() {
    // Present when the host's connector has a SecureRequestCustomizer (the usual TLS setup).
    if (request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData ssl) {
      X509Certificate[] chain = ssl.peerCertificates();
      if (chain != null && chain.length > 0) {
        return List.of(chain);
      }
    }
    return List.of();
  }

  @Override
  public long contentLength() {
    return request.getLength();
  }

  @Override
  public boolean hasBody() {
    Boolean known = hasBody;
    if (known == null) {
      known = findBody();
      hasBody = known;
    }
    return known;
  }

  /**
   * HTTP/1 declares a body with {@code Content-Length} or {@code Transfer-Encoding}. HTTP/2 and
   * HTTP/3 frame it themselves and may declare no length; a request without a body ended its stream
   * with its headers, which Jetty shows as an end-of-content chunk ready to read. Reading it tells
   * the two apart without waiting; a chunk read that way is put back in front of the body.
   */
  private boolean findBody() {
    long length = request.getLength();
    if (length >= 0) {
      return length > 0;
    }
    if (request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)) {
      return true;
    }
    if (request.getConnectionMetaData().getHttpVersion().getVersion() < 20) {
      return false;
    }
    Content.Chunk first = request.read();
    if (first == null) {
      return true;
    }
    if (first.isLast() && !first.hasRemaining() && first.getFailure() == null) {
      first.release();
      return false;
    }
    body = new ReadAheadSource(first, request);
    return true;
  }

  @Override
  public Content.Source body() {
    hasBody();
    return body;
  }

  @Override
  public void onClientFailure(Consumer<Throwable> listener) {
    request.addFailureListener(listener);
  }

  @Override
  public void responseHead(int status, HttpFields headers) {
    response.setStatus(status);
    HttpFields.Mutable out = response.getHeaders();
    // The upstream's own Date, Server... replace what the host server put there in advance. Jetty
    // keeps those as persistent fields that remove() leaves alone but put() replaces, so the first
    // field of such a name is put; every other field is added, without a search of the list.
    int preset = out.size();
    int index = 0;
    boolean hasLength = false;
    for (HttpField field : headers) {
      if (preset > 0 && isPreset(out, preset, field) && isFirstOfItsName(headers, field, index)) {
        out.put(field);
      } else {
        out.add(field);
      }
      hasLength |= field.getHeader() == HttpHeader.CONTENT_LENGTH;
      index++;
    }
    if (!hasLength && needsChunking(status)) {
      // Without a length, a body that ends early must still look broken: chunked framing, never
      // a connection close that reads like a complete body.
      out.put(HttpHeader.TRANSFER_ENCODING, "chunked");
    }
  }

  /** Returns whether one of the first {@code preset} fields of {@code out} has {@code field}'s name. */
  private static boolean isPreset(HttpFields out, int preset, HttpField field) {
    for (int i = 0; i < preset; i++) {
      if (out.getField(i).isSameName(field)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isFirstOfItsName(HttpFields headers, HttpField field, int index) {
    for (int i = 0; i < index; i++) {
      if (headers.getField(i).is(field.getName())) {
        return false;
      }
    }
    return true;
  }

  /** Returns whether a response with this status and no length needs chunked framing. */
  private boolean needsChunking(int status) {
    return status >= 200 && status != 204 && status != 304
        && !HttpMethod.HEAD.is(request.getMethod())
        && request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_1_1;
  }

  @Override
  public void responseTrailers(Supplier<@Nullable HttpFields> trailers) {
    response.setTrailersSupplier(trailers);
  }

  @Override
  public void write(boolean last, ByteBuffer buffer, Callback writeCallback) {
    response.write(last, buffer, writeCallback);
  }

  @Override
  public boolean canUpgradeToWebSocket() {
    return JettyWebSocketUpgrade.AVAILABLE;
  }

  @Override
  public boolean upgradeToWebSocket(dev.portico.gateway.internal.websocket.WebSocketUpgrade upgrade) {
    return JettyWebSocketUpgrade.upgrade(request, response, callback, upgrade);
  }

  @Override
  public void succeeded() {
    callback.succeeded();
  }

  @Override
  public void failed(Throwable failure) {
    callback.failed(failure);
  }

  /** A request body with its first chunk, already read, put back in front. */
  private static final class ReadAheadSource implements Content.Source {
    private final AtomicReference<Content.@Nullable Chunk> first;
    private final Content.Source rest;

    ReadAheadSource(Content.Chunk first, Content.Source rest) {
      this.first = new AtomicReference<>(first);
      this.rest = rest;
    }

    @Override
    public long getLength() {
      return rest.getLength();
    }

    @Override
    public Content.@Nullable Chunk read() {
      Content.Chunk chunk = first.getAndSet(null);
      return chunk != null ? chunk : rest.read();
    }

    @Override
    public void demand(Runnable demandCallback) {
      if (first.get() != null) {
        demandCallback.run();
      } else {
        rest.demand(demandCallback);
      }
    }

    @Override
    public void fail(Throwable failure) {
      Content.Chunk chunk = first.getAndSet(null);
      if (chunk != null) {
        chunk.release();
      }
      rest.fail(failure);
    }
  }

  private static InetSocketAddress inet(@Nullable SocketAddress address) {
    return address instanceof InetSocketAddress inet ? inet : UNKNOWN;
  }
}
