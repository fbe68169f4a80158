package dev.portico.gateway.servlet;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.internal.ClientExchange;
import dev.portico.gateway.internal.http.GrpcStatus;
import dev.portico.gateway.internal.routing.PathInContext;
import dev.portico.gateway.internal.websocket.WebSocketUpgrade;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client leg over a servlet request in asynchronous mode: {@link AsyncContext}, a
 * {@code ReadListener} for the body ({@link ServletInputSource}), a {@code WriteListener} for the
 * response ({@link ServletOutputSink}) and a container-specific {@link ConnectionAbort}. Nothing
 * here blocks.
 *
 * <p>The request line, headers and addresses are copied when the exchange starts, on the
 * container's thread, so that the engine may read them from any thread, even after the container
 * recycled its request object.
 */
final class ServletClientExchange implements ClientExchange {
  private static final Logger LOG = LoggerFactory.getLogger(ServletClientExchange.class);
  private static final InetSocketAddress UNKNOWN = InetSocketAddress.createUnresolved("0.0.0.0", 0);
  /** Whether the Jakarta WebSocket server API is on the class path (the container may still not offer it). */
  private static final boolean JAKARTA_WEBSOCKET = isPresent("jakarta.websocket.server.ServerContainer");
  /**
   * The largest declared HTTP/2 request body that is read and dropped when the exchange ends
   * without reading it: one initial flow-control window.
   */
  private static final long DISCARD_LIMIT = 64 * 1024;

  private final HttpServletResponse response;
  /** The container's own response, under any wrappers. */
  private final HttpServletResponse container;
  private final ConnectionAbort abort;
  private final HttpServletRequest request;
  /** Set when the engine takes the exchange ({@link #taken()}), on the container thread. */
  private volatile @Nullable AsyncContext async;
  /** The response's trailers, when the engine relays some ({@link #responseTrailers}). */
  private volatile @Nullable Supplier<@Nullable HttpFields> trailers;
  private final String method;
  private final @Nullable String rawPath;
  private final @Nullable String rawQuery;
  private final HttpFields headers;
  private final String authority;
  private final InetSocketAddress remoteAddress;
  private final InetSocketAddress localAddress;
  private final boolean secure;
  private final List<X509Certificate> clientCertificates;
  private final long contentLength;
  private final boolean hasBody;
  private final HttpVersion httpVersion;
  private final boolean http11;
  /** Whether an unread body is small enough to read and drop before the response ends; see write(). */
  private final boolean discardUnreadBody;
  private final ServletInputSource body;
  private final ServletOutputSink sink;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile boolean containerCompleted;
  private @Nullable Throwable clientFailure; // guarded by this
  private List<Consumer<Throwable>> failureListeners = new ArrayList<>(2); // guarded by this

  private ServletClientExchange(
      HttpServletRequest request, HttpServletResponse response, ByteBufferPool.Sized buffers) {
    this.response = response;
    this.container = (HttpServletResponse) ConnectionAbort.unwrap(response);
    this.abort = ConnectionAbort.of(container);
    this.request = request;
    method = request.getMethod();
    rawPath = PathInContext.rawPath(request.getRequestURI(), dispatchedPath(request), false);
    rawQuery = request.getQueryString();
    headers = headers(request);
    secure = request.isSecure();
    clientCertificates = secure ? clientCertificates(request) : List.of();
    authority = authority(headers.get(HttpHeader.HOST), request.getServerName(),
        request.getServerPort(), secure);
    remoteAddress = address(request.getRemoteAddr(), request.getRemotePort());
    localAddress = address(request.getLocalAddr(), request.getLocalPort());
    contentLength = request.getContentLengthLong();
    hasBody = contentLength > 0
        || contentLength < 0 && headers.contains(HttpHeader.TRANSFER_ENCODING)
        || contentLength < 0 && isMultiplexed(request.getProtocol())
            && (headers.contains(HttpHeader.EXPECT) || !inputFinished(request));
    httpVersion = httpVersion(request.getProtocol());
    http11 = httpVersion == HttpVersion.HTTP_1_1;
    // Not with Expect: 100-continue: a client told no before it sent the body never sends it.
    discardUnreadBody = contentLength > 0 && contentLength <= DISCARD_LIMIT
        && isMultiplexed(request.getProtocol()) && !headers.contains(HttpHeader.EXPECT);
    body = new ServletInputSource(request, buffers, contentLength, this::clientFailed);
    sink = new ServletOutputSink(response, buffers.getSize(), this::clientFailed);
  }

  /**
   * Returns the exchange of {@code request}, read on the container thread that runs
   * {@code service} or {@code doFilter}; the request stays untouched (its body unread, its response
   * unwritten) until the engine takes the exchange, so that a filter may still pass it down its chain.
   */
  static ServletClientExchange of(
      HttpServletRequest request, HttpServletResponse response, ByteBufferPool.Sized buffers) {
    return new ServletClientExchange(request, response, buffers);
  }

  /**
   * The engine takes the exchange: puts the request into asynchronous mode without a container
   * timeout (the engine owns timeouts). Runs on the container thread, inside {@code service} or
   * {@code doFilter}, as {@code startAsync} requires.
   */
  @Override
  public void taken() {
    AsyncContext context = request.startAsync(request, response);
    context.setTimeout(0);
    context.addListener(new Listener());
    async = context;
  }

  /** The asynchronous context; set before the engine calls anything that needs it. */
  private AsyncContext async() {
    AsyncContext context = async;
    if (context == null) {
      throw new IllegalStateException("the exchange was not taken");
    }
    return context;
  }

  @Override
  public HttpVersion httpVersion() {
    return httpVersion;
  }

  /** The container's {@code HTTP/1.1}, {@code HTTP/2.0}...; one Jetty does not know counts as HTTP/1.0. */
  private static HttpVersion httpVersion(String protocol) {
    HttpVersion version = HttpVersion.fromString(protocol);
    return version == null ? HttpVersion.HTTP_1_0 : version;
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public @Nullable String rawPath() {
    return rawPath;
  }

  @Override
  public @Nullable String rawQuery() {
    return rawQuery;
  }

  @Override
  public HttpFields headers() {
    return headers;
  }

  @Override
  public String authority() {
    return authority;
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return remoteAddress;
  }

  @Override
  public InetSocketAddress localAddress() {
    return localAddress;
  }

  @Override
  public boolean isSecure() {
    return secure;
  }

  @Override
  public List<X509Certificate> clientCertificates() {
    return clientCertificates;
  }

  @Override
  public long contentLength() {
    return contentLength;
  }

  @Override
  public boolean hasBody() {
    return hasBody;
  }

  @Override
  public Content.Source body() {
    return body;
  }

  @Override
  public void onClientFailure(Consumer<Throwable> listener) {
    requireNonNull(listener, "listener");
    Throwable failure;
    synchronized (this) {
      failure = clientFailure;
      if (failure == null) {
        if (!ended.get()) {
          failureListeners.add(listener);
        }
        return;
      }
    }
    notify(listener, failure);
  }

  /** Keeps the trailers for {@link #responseHead}, which hands them to the container. */
  @Override
  public void responseTrailers(Supplier<@Nullable HttpFields> trailers) {
    this.trailers = trailers;
  }

  /**
   * Hands the response's trailers to the container (Servlet 6 {@code setTrailerFields}, HTTP/2 on
   * Jetty ee10 and Tomcat 11), which asks for them when the output closes. A gRPC head that carries
   * the status itself (a trailers-only answer: the gateway's refusal, or the upstream's) is sent as a
   * head and then trailers that repeat its metadata ({@code grpc-status}, {@code grpc-message}, the
   * rest): Tomcat's servlet
   * response always ends an HTTP/2 stream with a DATA frame, never with the head, and a gRPC client
   * reads the status of a stream that did not end with its head from trailers only.
   */
  private void sendTrailers(HttpFields head) {
    Supplier<@Nullable HttpFields> relayed = trailers;
    HttpFields statusOnly = httpVersion.getVersion() >= 20 ? grpcStatus(head) : null;
    if (relayed == null && statusOnly == null) {
      return;
    }
    try {
      response.setTrailerFields(() -> {
        HttpFields fields = relayed == null ? null : relayed.get();
        if (fields == null) {
          fields = statusOnly;
        }
        if (fields == null) {
          return Map.of();
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (HttpField field : fields) {
          // Servlet trailers are one value per name: repeated fields are joined, as a list.
          map.merge(field.getLowerCaseName(), field.getValue(), (a, b) -> a + ", " + b);
        }
        return map;
      });
    } catch (IllegalStateException e) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("no trailers on {} {}: {}", method, rawPath, e.toString());
      }
    }
  }

  /**
   * Returns the metadata of a trailers-only gRPC head (one with {@code grpc-status}): all its fields
   * but the framing ones, as a gRPC client reads a trailers-only answer; null for any other head.
   */
  private static @Nullable HttpFields grpcStatus(HttpFields head) {
    if (!head.contains(GrpcStatus.STATUS) || !GrpcStatus.isGrpc(head)) {
      return null;
    }
    HttpFields.Mutable fields = HttpFields.build(head.size());
    for (HttpField field : head) {
      HttpHeader known = field.getHeader();
      if (known != HttpHeader.CONTENT_TYPE && known != HttpHeader.CONTENT_LENGTH && known != HttpHeader.DATE
          && known != HttpHeader.SERVER && known != HttpHeader.TRANSFER_ENCODING) {
        fields.add(field);
      }
    }
    return fields.asImmutable();
  }

  @Override
  public void responseHead(int status, HttpFields fields) {
    sendTrailers(fields);
    response.setStatus(status);
    // The first value of a name replaces what the container put there in advance (Jetty's Server).
    Set<String> names = new HashSet<>();
    for (HttpField field : fields) {
      if (names.add(field.getLowerCaseName())) {
        response.setHeader(field.getName(), field.getValue());
      } else {
        response.addHeader(field.getName(), field.getValue());
      }
    }
    if (needsChunking(status, fields)) {
      // Without a length, a body that ends early must still look broken: chunked framing, never a
      // connection close that reads as the end of the body.
      abort.frameUnknownLength(response);
    }
  }

  private boolean needsChunking(int status, HttpFields fields) {
    return status >= 200 && status != 204 && status != 304
        && http11
        && !"HEAD".equals(method)
        && !fields.contains(HttpHeader.CONTENT_LENGTH)
        && !fields.contains(HttpHeader.TRANSFER_ENCODING);
  }

  /**
   * Writes response bytes. Before the last write closes the response, an HTTP/2 request body that
   * was never read, and that declared at most {@link #DISCARD_LIMIT} bytes, is read and dropped,
   * as Jetty does on its own: Tomcat would otherwise end the stream with
   * {@code RST_STREAM(NO_ERROR)} after the response (it refuses reads once the response is
   * closed). RFC 9113 section 8.1 allows that reset, but some clients (Jetty's HttpClient 12.1
   * among them) take it for a failure of the whole exchange when it overtakes their upload.
   */
  @Override
  public void write(boolean last, ByteBuffer buffer, Callback callback) {
    if (last && discardUnreadBody && body.unread()) {
      sink.write(false, buffer,
          Callback.from(() -> body.discardThen(callback::succeeded), callback::failed));
    } else {
      sink.write(last, buffer, callback);
    }
  }

  /**
   * Returns whether the container offers Jakarta WebSocket in this context (its server container
   * is in the {@code ServletContext}); only asked for upgrades on {@code websocket()} routes.
   */
  @Override
  public boolean canUpgradeToWebSocket() {
    return JAKARTA_WEBSOCKET
        && request.getServletContext().getAttribute(ServletWebSocketUpgrade.SERVER_CONTAINER_ATTRIBUTE) != null;
  }

  /**
   * Hands the upgrade to a dispatch back into the servlet ({@link ServletWebSocketUpgrade}), where the
   * container switches the connection; from here on this exchange is the dispatch's. Returns false,
   * having sent nothing, when the container already ended the exchange. The engine checked the
   * handshake before it opened the upstream's WebSocket ({@code WebSocketHandshake}); the
   * container checks it again when it switches.
   */
  @Override
  public boolean upgradeToWebSocket(WebSocketUpgrade upgrade) {
    synchronized (this) {
      if (clientFailure != null || !ended.compareAndSet(false, true)) {
        return false;
      }
    }
    try {
      AsyncContext context = async();
      context.getRequest().setAttribute(ServletWebSocketUpgrade.ATTRIBUTE, new ServletWebSocketUpgrade(upgrade, String.valueOf(rawPath)));
      context.dispatch();
      return true;
    } catch (IllegalStateException e) {
      LOG.debug("cannot dispatch the websocket upgrade of {}: {}", rawPath, e.toString());
      ended.set(false);
      return false;
    }
  }

  /** Returns whether {@code className} can be loaded by the adapter's class loader. */
  static boolean isPresent(String className) {
    try {
      Class.forName(className, false, ServletClientExchange.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  @Override
  public void succeeded() {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    complete();
  }

  @Override
  public void failed(Throwable failure) {
    requireNonNull(failure, "failure");
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("aborting client response {} {}", method, rawPath, failure);
    }
    boolean aborted = false;
    if (!containerCompleted) {
      try {
        aborted = abort.abort(container, failure);
        if (!aborted && !container.isCommitted()) {
          // No abort: at least say that it broke, and that the connection is done.
          container.reset();
          container.setStatus(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
          container.setHeader("Connection", "close");
        }
      } catch (Throwable x) {
        LOG.debug("{} abort failed", abort, x);
      }
    }
    body.fail(failure);
    sink.fail(failure);
    complete();
  }

  private void complete() {
    if (containerCompleted) {
      return;
    }
    try {
      async().complete();
    } catch (IllegalStateException x) {
      LOG.debug("async context already completed", x);
    }
  }

  /** The client connection broke (or the container ended the exchange) before we ended it. */
  private void clientFailed(Throwable failure) {
    List<Consumer<Throwable>> listeners;
    synchronized (this) {
      if (clientFailure != null || ended.get()) {
        return;
      }
      clientFailure = failure;
      listeners = failureListeners;
      failureListeners = List.of();
    }
    for (Consumer<Throwable> listener : listeners) {
      notify(listener, failure);
    }
  }

  private static void notify(Consumer<Throwable> listener, Throwable failure) {
    try {
      listener.accept(failure);
    } catch (Throwable x) {
      LOG.warn("client failure listener failed", x);
    }
  }

  /**
   * Returns the path below the context path as the container decoded and dispatched it: the
   * servlet path and the path info (one of them empty, depending on the servlet's mapping).
   */
  private static String dispatchedPath(HttpServletRequest request) {
    String pathInfo = request.getPathInfo();
    return pathInfo == null ? request.getServletPath() : request.getServletPath() + pathInfo;
  }

  /** Copies the request headers, each name's values in order (the servlet API groups by name). */
  private static HttpFields headers(HttpServletRequest request) {
    HttpFields.Mutable fields = HttpFields.build();
    for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements(); ) {
      String name = names.nextElement();
      for (Enumeration<String> values = request.getHeaders(name); values.hasMoreElements(); ) {
        fields.add(name, values.nextElement());
      }
    }
    return fields.asImmutable();
  }

  /** Returns the chain the container verified, from the attribute the Servlet spec defines. */
  private static List<X509Certificate> clientCertificates(HttpServletRequest request) {
    if (request.getAttribute("jakarta.servlet.request.X509Certificate") instanceof X509Certificate[] chain
        && chain.length > 0) {
      return List.of(chain);
    }
    return List.of();
  }

  static String authority(@Nullable String host, String serverName, int port, boolean secure) {
    if (host != null && !host.isEmpty()) {
      return host;
    }
    String name = serverName.indexOf(':') >= 0 && !serverName.startsWith("[")
        ? "[" + serverName + "]"
        : serverName;
    boolean defaultPort = port <= 0 || port == (secure ? 443 : 80);
    return defaultPort ? name : name + ":" + port;
  }

  /**
   * Returns the socket address of an IP literal without any name lookup; anything else (a
   * container may report a host name) stays unresolved.
   */
  static InetSocketAddress address(@Nullable String host, int port) {
    if (host == null || host.isEmpty() || port < 0 || port > 0xFFFF) {
      return UNKNOWN;
    }
    byte[] v4 = ipv4(host);
    try {
      if (v4 != null) {
        return new InetSocketAddress(InetAddress.getByAddress(v4), port);
      }
      if (host.indexOf(':') >= 0) {
        // A name with ':' can only be an IPv6 literal: InetAddress never looks it up.
        String literal = host.startsWith("[") && host.endsWith("]")
            ? host.substring(1, host.length() - 1)
            : host;
        return new InetSocketAddress(InetAddress.getByName(literal), port);
      }
    } catch (UnknownHostException e) {
      LOG.debug("not an IP literal: {}", host);
    }
    return InetSocketAddress.createUnresolved(host, port);
  }

  private static byte @Nullable [] ipv4(String host) {
    byte[] address = new byte[4];
    int part = 0;
    int value = -1;
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c >= '0' && c <= '9') {
        value = value < 0 ? c - '0' : value * 10 + (c - '0');
        if (value > 255) {
          return null;
        }
      } else if (c == '.' && value >= 0 && part < 3) {
        address[part++] = (byte) value;
        value = -1;
      } else {
        return null;
      }
    }
    if (part != 3 || value < 0) {
      return null;
    }
    address[3] = (byte) value;
    return address;
  }

  /**
   * Returns whether the request body is known to have ended already: an HTTP/2 request whose
   * headers ended the stream has no body, though it declares no length. Tomcat knows before the
   * first read; Jetty says false until a read saw the end, so there such a request counts as having
   * a body. (Not asked when the client expects {@code 100 Continue}: Jetty would send it.)
   */
  private static boolean inputFinished(HttpServletRequest request) {
    try {
      return request.getInputStream().isFinished();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean isMultiplexed(String protocol) {
    return protocol.startsWith("HTTP/2") || protocol.startsWith("HTTP/3");
  }

  private final class Listener implements AsyncListener {
    @Override
    public void onComplete(AsyncEvent event) {
      containerCompleted = true;
      if (!ended.get()) {
        EofException failure = new EofException("the container completed the exchange");
        clientFailed(failure);
        body.fail(failure);
        sink.fail(failure);
      }
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      onFailure(new TimeoutException("container async timeout"));
    }

    @Override
    public void onError(AsyncEvent event) {
      Throwable cause = event.getThrowable();
      onFailure(cause != null ? cause : new EofException("client connection failed"));
    }

    @Override
    public void onStartAsync(AsyncEvent event) {}

    private void onFailure(Throwable failure) {
      clientFailed(failure);
      body.fail(failure);
      sink.fail(failure);
    }
  }
}
