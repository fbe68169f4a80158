package dev.portico.gateway.benchmarks;

import dev.portico.gateway.internal.ClientExchange;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.content.ByteBufferContentSource;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * The client leg of one exchange without a socket: a bodiless request with fixed headers, and a
 * response that is counted and dropped. The engine drives it exactly as it drives the Jetty and
 * servlet adapters; every write completes at once. Reused across exchanges ({@link #reset()}),
 * one exchange at a time, so the benchmark measures the engine's allocations, not this class's.
 */
final class InMemoryClientExchange implements ClientExchange {
  private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.1", 40000);
  private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 8080);

  private final String method;
  private final String rawPath;
  private final HttpFields headers;
  private int status;
  private long bytesWritten;
  private boolean ended;
  private @Nullable Throwable failure;
  private @Nullable Consumer<Throwable> clientFailureListener;

  InMemoryClientExchange(String method, String rawPath, HttpFields headers) {
    this.method = method;
    this.rawPath = rawPath;
    this.headers = headers;
  }

  /** Makes this instance ready for the next exchange. */
  InMemoryClientExchange reset() {
    status = 0;
    bytesWritten = 0;
    ended = false;
    failure = null;
    clientFailureListener = null;
    return this;
  }

  /** Returns the status the engine answered, after checking that it ended the exchange normally. */
  int outcome() {
    if (!ended || failure != null) {
      throw new IllegalStateException("exchange not ended normally: ended=" + ended + ", failure=" + failure);
    }
    return status;
  }

  long bytesWritten() {
    return bytesWritten;
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public HttpVersion httpVersion() {
    return HttpVersion.HTTP_1_1;
  }

  @Override
  public String rawPath() {
    return rawPath;
  }

  @Override
  public @Nullable String rawQuery() {
    return null;
  }

  @Override
  public HttpFields headers() {
    return headers;
  }

  @Override
  public String authority() {
    return "api.example.com";
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return REMOTE;
  }

  @Override
  public InetSocketAddress localAddress() {
    return LOCAL;
  }

  @Override
  public boolean isSecure() {
    return false;
  }

  @Override
  public List<X509Certificate> clientCertificates() {
    return List.of();
  }

  @Override
  public long contentLength() {
    return -1;
  }

  @Override
  public boolean hasBody() {
    return false;
  }

  @Override
  public Content.Source body() {
    return new ByteBufferContentSource();
  }

  @Override
  public void onClientFailure(Consumer<Throwable> listener) {
    clientFailureListener = listener;
  }

  @Override
  public void responseHead(int status, HttpFields headers) {
    this.status = status;
  }

  @Override
  public void write(boolean last, ByteBuffer buffer, Callback callback) {
    bytesWritten += buffer.remaining();
    buffer.position(buffer.limit());
    callback.succeeded();
  }

  @Override
  public void succeeded() {
    ended = true;
  }

  @Override
  public void failed(Throwable failure) {
    ended = true;
    this.failure = failure;
  }
}
