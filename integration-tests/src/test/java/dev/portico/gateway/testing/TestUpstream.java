package dev.portico.gateway.testing;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.jspecify.annotations.Nullable;

/**
 * A real Jetty server on an ephemeral loopback port that records every request it receives and
 * answers with a pluggable handler (by default: 200 with a small text body). Speaks plain HTTP/1.1,
 * or HTTPS with {@link #startHttps}.
 */
public final class TestUpstream implements AutoCloseable {

  /** What the upstream received. */
  public record Received(String method, String pathQuery, HttpFields headers, String body) {
    public String header(String name) {
      return headers.get(name);
    }
  }

  /** Answers a request; the request's body was already read into {@code received}. */
  @FunctionalInterface
  public interface Responder {
    void respond(Received received, Request request, Response response, Callback callback) throws Exception;
  }

  private final Server server;
  private final ServerConnector connector;
  private final String scheme;
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private volatile Responder responder = (r, req, resp, cb) -> {
    resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
    Content.Sink.write(resp, true, "hello from upstream", cb);
  };

  private TestUpstream(Handler handler) throws Exception {
    this(null, handler);
  }

  private TestUpstream(SslContextFactory.@Nullable Server tls, Handler handler) throws Exception {
    server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    // Records header values exactly as received (Jetty's header cache matches ignoring case by default).
    config.setHeaderCacheCaseSensitive(true);
    if (tls == null) {
      connector = new ServerConnector(server, new HttpConnectionFactory(config));
      scheme = "http";
    } else {
      // Exposes the TLS session (and a client certificate) as EndPoint.SslSessionData.ATTRIBUTE. The SNI
      // host check is off: whether the gateway accepts the certificate is what the tests look at.
      config.addCustomizer(new SecureRequestCustomizer(false));
      connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(config));
      scheme = "https";
    }
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(handler);
    server.start();
  }

  /** Starts an upstream that reads each request body fully (as text) and records it. */
  public static TestUpstream start() throws Exception {
    return startRecording(null);
  }

  /**
   * Starts a recording HTTPS upstream presenting {@code identity} (a key store protected by
   * {@link TestCertificates#PASSWORD}).
   */
  public static TestUpstream startHttps(KeyStore identity) throws Exception {
    return startRecording(serverTls(identity, null));
  }

  /**
   * Starts a recording HTTPS upstream presenting {@code identity} that requires a client certificate
   * issued by a CA in {@code clientTrust}.
   */
  public static TestUpstream startHttps(KeyStore identity, KeyStore clientTrust) throws Exception {
    return startRecording(serverTls(identity, clientTrust));
  }

  /** Server-side TLS with {@code identity}; requires client certificates when {@code clientTrust} is given. */
  public static SslContextFactory.Server serverTls(KeyStore identity, @Nullable KeyStore clientTrust) {
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStore(identity);
    tls.setKeyStorePassword(new String(TestCertificates.PASSWORD));
    if (clientTrust != null) {
      tls.setTrustStore(clientTrust);
      tls.setNeedClientAuth(true);
    }
    return tls;
  }

  private static TestUpstream startRecording(SslContextFactory.@Nullable Server tls) throws Exception {
    TestUpstream[] self = new TestUpstream[1];
    self[0] = new TestUpstream(tls, new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String body = Content.Source.asString(request, StandardCharsets.UTF_8);
        String target = request.getHttpURI().getPathQuery();
        Received r = new Received(request.getMethod(), target, HttpFields.build(request.getHeaders()).asImmutable(), body);
        self[0].received.add(r);
        self[0].responder.respond(r, request, response, callback);
        return true;
      }
    });
    return self[0];
  }

  /** Starts an upstream with a raw handler that records nothing. */
  public static TestUpstream start(Handler handler) throws Exception {
    return new TestUpstream(handler);
  }

  public TestUpstream responder(Responder responder) {
    this.responder = responder;
    return this;
  }

  /** Returns how many client connections are open to this upstream right now. */
  public int openConnections() {
    return connector.getConnectedEndPoints().size();
  }

  public int port() {
    return connector.getLocalPort();
  }

  /** Returns {@code http://127.0.0.1:port}, or {@code https://...} for an HTTPS upstream. */
  public String uri() {
    return scheme + "://127.0.0.1:" + port();
  }

  public URI baseUri() {
    return URI.create(uri());
  }

  /** Waits up to 10 s for the next recorded request. */
  public Received take() throws InterruptedException {
    Received r = received.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("upstream received no request within 10 s");
    }
    return r;
  }

  /** Returns the next recorded request if one is already there. */
  public Received poll() {
    return received.poll();
  }

  public int receivedCount() {
    return received.size();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
