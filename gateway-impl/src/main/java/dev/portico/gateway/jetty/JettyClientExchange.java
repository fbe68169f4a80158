package dev.portico.gateway.jetty;

import dev.portico.gateway.internal.ClientExchange;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Consumer;
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

  JettyClientExchange(Request request, Response response, Callback callback) {
    this.request = request;
    this.response = response;
    this.callback = callback;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String rawPath() {
    String path = request.getHttpURI().getPath();
    return path == null ? "" : path;
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
    long length = request.getLength();
    return length > 0 || length < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)
        || length < 0 && "HTTP/2.0".equals(request.getConnectionMetaData().getProtocol())
            && !request.getHeaders().contains(HttpHeader.CONTENT_LENGTH);
  }

  @Override
  public Content.Source body() {
    return request;
  }

  @Override
  public void onClientFailure(Consumer<Throwable> listener) {
    request.addFailureListener(listener);
  }

  @Override
  public void responseHead(int status, HttpFields headers) {
    response.setStatus(status);
    HttpFields.Mutable out = response.getHeaders();
    // The upstream's own Date, Server... replace what the host server put there in advance.
    for (HttpField field : headers) {
      out.remove(field.getName());
    }
    for (HttpField field : headers) {
      out.add(field);
    }
    if (needsChunking(status, headers)) {
      // Without a length, a body that ends early must still look broken: chunked framing, never
      // a connection close that reads like a complete body.
      out.put(HttpHeader.TRANSFER_ENCODING, "chunked");
    }
  }

  private boolean needsChunking(int status, HttpFields headers) {
    return status >= 200 && status != 204 && status != 304
        && !HttpMethod.HEAD.is(request.getMethod())
        && !headers.contains(HttpHeader.CONTENT_LENGTH)
        && request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_1_1;
  }

  @Override
  public void write(boolean last, ByteBuffer buffer, Callback writeCallback) {
    response.write(last, buffer, writeCallback);
  }

  @Override
  public void succeeded() {
    callback.succeeded();
  }

  @Override
  public void failed(Throwable failure) {
    callback.failed(failure);
  }

  private static InetSocketAddress inet(@Nullable SocketAddress address) {
    return address instanceof InetSocketAddress inet ? inet : UNKNOWN;
  }
}
