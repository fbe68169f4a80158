package dev.portico.gateway.test;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.ByteBuffer;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
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
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.jspecify.annotations.Nullable;

/**
 * A backend service for tests: a real Jetty server on an ephemeral port on {@code 127.0.0.1} that
 * records every request it receives ({@link RecordedRequest}) and answers what the test scripts.
 * By default it answers {@code 200} with the text {@code ok}; {@link #answer} changes the default,
 * {@link #enqueue} scripts the next answers one by one.
 *
 * <pre>{@code
 * try (FakeUpstream orders = FakeUpstream.start()) {
 *   Gateway gateway = Gateway.builder()
 *       .route("orders", r -> r.path("/api/orders/**").stripPrefix(1).upstream(orders.uri()))
 *       .build();
 *   orders.enqueue(UpstreamAnswer.json(201, "{\"id\":7}"));
 *   // ... send POST /api/orders through the gateway ...
 *   RecordedRequest received = orders.awaitRequests(1, Duration.ofSeconds(5)).get(0);
 *   assertThat(received.target()).isEqualTo("/orders");
 * }
 * }</pre>
 *
 * <p>A test that must answer in its own way (hold the answer, stream it, look at the connection)
 * sets a {@link Responder}; one that must read the request body itself starts the upstream with a
 * Jetty {@link Handler} of its own. {@link #takeRequest()} hands out the recorded requests one by
 * one, in order of arrival.
 *
 * <p>Thread-safe. Waiting methods wait on a monitor up to a deadline; nothing polls or sleeps.
 */
public final class FakeUpstream implements AutoCloseable {
  private static final Duration TAKE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Answers a request in a test's own way, instead of the {@link UpstreamAnswer}s.
   *
   * <pre>{@code
   * upstream.respondWith((recorded, request, response, callback) -> {
   *   response.setStatus(502);
   *   callback.succeeded();
   * });
   * }</pre>
   */
  @FunctionalInterface
  public interface Responder {
    /**
     * Answers {@code request}, whose body was already read and recorded as {@code recorded}, by
     * writing {@code response} and completing {@code callback} (now or later).
     *
     * @throws Exception to fail the exchange (Jetty answers 500 if nothing was committed yet)
     */
    void respond(RecordedRequest recorded, Request request, Response response, Callback callback) throws Exception;
  }

  private final Server server;
  private final ServerConnector connector;
  private final String scheme;
  private final Object lock = new Object();
  private final List<RecordedRequest> requests = new ArrayList<>();
  private final Deque<UpstreamAnswer> scripted = new ArrayDeque<>();
  private UpstreamAnswer fallback = UpstreamAnswer.text(200, "ok");
  private @Nullable Responder responder;
  private int taken;

  private FakeUpstream(SslContextFactory.@Nullable Server tls, @Nullable Handler handler) throws Exception {
    server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    // Records header names and values exactly as received (Jetty's header cache ignores case by default).
    config.setHeaderCacheCaseSensitive(true);
    if (tls == null) {
      connector = new ServerConnector(server, new HttpConnectionFactory(config));
      scheme = "http";
    } else {
      // Exposes the TLS session (and a client certificate) to a Responder; no SNI host check.
      config.addCustomizer(new SecureRequestCustomizer(false));
      connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(config));
      scheme = "https";
    }
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(handler != null ? handler : new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        respond(request, response, callback);
        return true;
      }
    });
    server.start();
  }

  /** Starts an upstream on a free loopback port. */
  public static FakeUpstream start() throws Exception {
    return new FakeUpstream(null, null);
  }

  /**
   * Starts an upstream on a free loopback port that hands every request to {@code handler} and
   * records nothing: for tests that read the request body as it streams in, or answer below what a
   * {@link Responder} sees.
   */
  public static FakeUpstream start(Handler handler) throws Exception {
    return new FakeUpstream(null, requireNonNull(handler, "handler"));
  }

  /**
   * Starts an HTTPS upstream (HTTP/1.1 over TLS) on a free loopback port that presents the key in
   * {@code identity}, protected by {@code password}.
   */
  public static FakeUpstream startHttps(KeyStore identity, char[] password) throws Exception {
    return new FakeUpstream(serverTls(identity, password, null), null);
  }

  /**
   * Starts an HTTPS upstream like {@link #startHttps(KeyStore, char[])} that also requires a client
   * certificate issued by a CA in {@code clientTrust}.
   */
  public static FakeUpstream startHttps(KeyStore identity, char[] password, KeyStore clientTrust) throws Exception {
    return new FakeUpstream(serverTls(identity, password, requireNonNull(clientTrust, "clientTrust")), null);
  }

  private static SslContextFactory.Server serverTls(KeyStore identity, char[] password, @Nullable KeyStore clientTrust) {
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStore(requireNonNull(identity, "identity"));
    tls.setKeyStorePassword(new String(requireNonNull(password, "password")));
    if (clientTrust != null) {
      tls.setTrustStore(clientTrust);
      tls.setNeedClientAuth(true);
    }
    return tls;
  }

  /**
   * Returns {@code http://127.0.0.1:port} ({@code https://} for an HTTPS upstream), what a route's
   * {@code upstream(..)} takes.
   */
  public String uri() {
    return scheme + "://127.0.0.1:" + port();
  }

  /** Returns {@link #uri()} as a {@link URI}. */
  public URI baseUri() {
    return URI.create(uri());
  }

  /** Returns the port the upstream listens on. */
  public int port() {
    return connector.getLocalPort();
  }

  /** Answers every request not {@link #enqueue scripted} otherwise with {@code answer}. */
  public FakeUpstream answer(UpstreamAnswer answer) {
    requireNonNull(answer, "answer");
    synchronized (lock) {
      fallback = answer;
    }
    return this;
  }

  /**
   * Answers every request with {@code responder}, instead of the scripted and default answers,
   * until {@link #respondWith} is called again.
   */
  public FakeUpstream respondWith(Responder responder) {
    requireNonNull(responder, "responder");
    synchronized (lock) {
      this.responder = responder;
    }
    return this;
  }

  /** Answers the next requests with {@code answers}, one each, in order; then the default again. */
  public FakeUpstream enqueue(UpstreamAnswer... answers) {
    synchronized (lock) {
      for (UpstreamAnswer answer : answers) {
        scripted.add(requireNonNull(answer, "answer"));
      }
    }
    return this;
  }

  /** Returns the requests received so far, in order of arrival. */
  public List<RecordedRequest> requests() {
    synchronized (lock) {
      return List.copyOf(requests);
    }
  }

  /** Returns how many requests arrived so far. */
  public int requestCount() {
    synchronized (lock) {
      return requests.size();
    }
  }

  /** Returns how many client connections to this upstream are open now. */
  public int openConnections() {
    return connector.getConnectedEndPoints().size();
  }

  /**
   * Returns the next request not taken yet, in order of arrival, waiting for it up to 10 seconds.
   *
   * @throws AssertionError if none arrived in time
   * @throws InterruptedException if interrupted while waiting
   */
  public RecordedRequest takeRequest() throws InterruptedException {
    return takeRequest(TAKE_TIMEOUT);
  }

  /**
   * Returns the next request not taken yet, in order of arrival, waiting for it up to
   * {@code timeout}.
   *
   * @throws AssertionError if none arrived in time
   * @throws InterruptedException if interrupted while waiting
   */
  public RecordedRequest takeRequest(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + requireNonNull(timeout, "timeout").toNanos();
    synchronized (lock) {
      while (requests.size() <= taken) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("upstream " + uri() + " received no request within " + timeout
              + " (" + taken + " taken before)");
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return requests.get(taken++);
    }
  }

  /** Returns the next request not taken yet if it already arrived, and takes it; does not wait. */
  public Optional<RecordedRequest> pollRequest() {
    synchronized (lock) {
      return requests.size() <= taken ? Optional.empty() : Optional.of(requests.get(taken++));
    }
  }

  /** Returns the last request received, if any. */
  public Optional<RecordedRequest> lastRequest() {
    synchronized (lock) {
      return requests.isEmpty() ? Optional.empty() : Optional.of(requests.get(requests.size() - 1));
    }
  }

  /**
   * Waits until at least {@code count} requests arrived, at most {@code timeout}, and returns all
   * received so far.
   *
   * @throws AssertionError if fewer arrived in time, naming how many did
   * @throws InterruptedException if interrupted while waiting
   */
  public List<RecordedRequest> awaitRequests(int count, Duration timeout) throws InterruptedException {
    if (count < 0) {
      throw new IllegalArgumentException("count: " + count + " (expected: >= 0)");
    }
    long deadline = System.nanoTime() + requireNonNull(timeout, "timeout").toNanos();
    synchronized (lock) {
      while (requests.size() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("upstream " + uri() + " received " + requests.size() + " of " + count
              + " requests within " + timeout + ": " + requests);
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return List.copyOf(requests);
    }
  }

  /**
   * Forgets the requests received (taken or not) and the scripted answers; the default answer and a
   * {@link Responder} stay.
   */
  public void reset() {
    synchronized (lock) {
      requests.clear();
      scripted.clear();
      taken = 0;
    }
  }

  /** Forgets everything a test set or saw: requests, scripted answers, the default answer, a responder. */
  void restore() {
    synchronized (lock) {
      reset();
      fallback = UpstreamAnswer.text(200, "ok");
      responder = null;
    }
  }

  /** Stops the server. */
  @Override
  public void close() throws Exception {
    server.stop();
  }

  @Override
  public String toString() {
    return "FakeUpstream{" + uri() + "}";
  }

  private void respond(Request request, Response response, Callback callback) throws Exception {
    ByteBuffer content = Content.Source.asByteBuffer(request);
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (HttpField field : request.getHeaders()) {
      headers.add(Map.entry(field.getName(), field.getValue() == null ? "" : field.getValue()));
    }
    String target = request.getHttpURI().getPathQuery();
    RecordedRequest recorded = new RecordedRequest(request.getMethod(), target == null ? "" : target, headers,
        BufferUtil.toArray(content));
    UpstreamAnswer answer;
    Responder custom;
    synchronized (lock) {
      requests.add(recorded);
      custom = responder;
      UpstreamAnswer next = custom != null ? null : scripted.poll();
      answer = next != null ? next : fallback;
      lock.notifyAll();
    }
    if (custom != null) {
      custom.respond(recorded, request, response, callback);
      return;
    }
    Runnable write = () -> {
      response.setStatus(answer.statusCode());
      for (Map.Entry<String, String> header : answer.headers()) {
        response.getHeaders().add(header.getKey(), header.getValue());
      }
      response.write(true, ByteBuffer.wrap(answer.rawBody()), callback);
    };
    Duration delay = answer.delayTime();
    if (delay.isZero()) {
      write.run();
    } else {
      request.getComponents().getScheduler().schedule(write, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
  }
}
