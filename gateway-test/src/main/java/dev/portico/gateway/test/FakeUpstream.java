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
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ConnectionFactory;
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
 * <p>For failover and health-check tests it can {@link #stop()} and {@link #restart()} on the same
 * port, {@link #hold()} its answers until {@link #release()}, {@link #failWith fail} with a status
 * until it {@link #recover()}s, and answer a {@link #answerHealth health path} apart from the
 * recorded requests. Besides HTTP/1.1 and HTTPS it speaks cleartext HTTP/2 ({@link #startH2c()})
 * and HTTP/2 over TLS ({@link #startH2}).
 *
 * <pre>{@code
 * try (FakeUpstream a = FakeUpstream.start().answerHealth("/health")) {
 *   a.healthStatus(503);        // the gateway's probes now fail
 *   a.failWith(502);            // and so do the requests it still sends
 *   a.stop();                   // connections are refused ...
 *   a.restart();                // ... until it listens again, on the same port
 *   a.recover();
 * }
 * }</pre>
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
  private final int port;
  private final Object lock = new Object();
  private final List<RecordedRequest> requests = new ArrayList<>();
  private final Deque<UpstreamAnswer> scripted = new ArrayDeque<>();
  private final List<Runnable> held = new ArrayList<>();
  private UpstreamAnswer fallback = UpstreamAnswer.text(200, "ok");
  private @Nullable Responder responder;
  private int taken;
  private boolean holding;
  private int inFlight;
  private int failStatus;
  private boolean failEarly;
  private @Nullable String healthPath;
  private int healthStatus = 200;
  private int probes;

  private enum Protocol { HTTP_1_1, H2C, HTTPS, H2 }

  private FakeUpstream(Protocol protocol, SslContextFactory.@Nullable Server tls, @Nullable Handler handler)
      throws Exception {
    server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    // Records header names and values exactly as received (Jetty's header cache ignores case by default).
    config.setHeaderCacheCaseSensitive(true);
    if (tls != null) {
      // Exposes the TLS session (and a client certificate) to a Responder; no SNI host check.
      config.addCustomizer(new SecureRequestCustomizer(false));
    }
    connector = new ServerConnector(server, connectionFactories(protocol, config, tls));
    scheme = tls == null ? "http" : "https";
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
    port = connector.getLocalPort();
  }

  private static ConnectionFactory[] connectionFactories(Protocol protocol, HttpConfiguration config,
      SslContextFactory.@Nullable Server tls) {
    switch (protocol) {
      case H2C:
        return new ConnectionFactory[] {new HTTP2CServerConnectionFactory(config)};
      case HTTPS:
        return new ConnectionFactory[] {new SslConnectionFactory(requireNonNull(tls), "http/1.1"),
            new HttpConnectionFactory(config)};
      case H2:
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2");
        alpn.setDefaultProtocol("h2");
        return new ConnectionFactory[] {new SslConnectionFactory(requireNonNull(tls), alpn.getProtocol()), alpn,
            new HTTP2ServerConnectionFactory(config)};
      default:
        return new ConnectionFactory[] {new HttpConnectionFactory(config)};
    }
  }

  /** Starts an upstream on a free loopback port. */
  public static FakeUpstream start() throws Exception {
    return new FakeUpstream(Protocol.HTTP_1_1, null, null);
  }

  /**
   * Starts an upstream on a free loopback port that speaks only cleartext HTTP/2 with prior
   * knowledge (h2c): an HTTP/1.1 request is refused.
   */
  public static FakeUpstream startH2c() throws Exception {
    return new FakeUpstream(Protocol.H2C, null, null);
  }

  /**
   * Starts an upstream on a free loopback port that speaks only HTTP/2 over TLS (it offers only
   * {@code h2} by ALPN) and presents the key in {@code identity}, protected by {@code password}.
   */
  public static FakeUpstream startH2(KeyStore identity, char[] password) throws Exception {
    return new FakeUpstream(Protocol.H2, serverTls(identity, password, null), null);
  }

  /**
   * Starts an upstream on a free loopback port that hands every request to {@code handler} and
   * records nothing: for tests that read the request body as it streams in, or answer below what a
   * {@link Responder} sees.
   */
  public static FakeUpstream start(Handler handler) throws Exception {
    return new FakeUpstream(Protocol.HTTP_1_1, null, requireNonNull(handler, "handler"));
  }

  /**
   * Starts an HTTPS upstream (HTTP/1.1 over TLS) on a free loopback port that presents the key in
   * {@code identity}, protected by {@code password}.
   */
  public static FakeUpstream startHttps(KeyStore identity, char[] password) throws Exception {
    return new FakeUpstream(Protocol.HTTPS, serverTls(identity, password, null), null);
  }

  /**
   * Starts an HTTPS upstream like {@link #startHttps(KeyStore, char[])} that also requires a client
   * certificate issued by a CA in {@code clientTrust}.
   */
  public static FakeUpstream startHttps(KeyStore identity, char[] password, KeyStore clientTrust) throws Exception {
    return new FakeUpstream(Protocol.HTTPS, serverTls(identity, password, requireNonNull(clientTrust, "clientTrust")), null);
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

  /** Returns the port the upstream listens on (the same after a {@link #restart()}). */
  public int port() {
    return port;
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

  /**
   * Answers every request from now on with {@code status}, and the headers, body and delay of the
   * default answer, instead of the scripted answers and a {@link Responder}, until
   * {@link #recover()}. The request body is read (and recorded) first.
   *
   * @throws IllegalArgumentException if {@code status} is not between 200 and 599
   */
  public FakeUpstream failWith(int status) {
    return fail(status, false);
  }

  /**
   * Answers every request from now on with {@code status} at once, before reading its body, as a
   * server that refuses a request does, until {@link #recover()}. Such a request is recorded with
   * an empty body.
   *
   * @throws IllegalArgumentException if {@code status} is not between 200 and 599
   */
  public FakeUpstream failEarlyWith(int status) {
    return fail(status, true);
  }

  private FakeUpstream fail(int status, boolean early) {
    checkStatus(status);
    synchronized (lock) {
      failStatus = status;
      failEarly = early;
    }
    return this;
  }

  private static void checkStatus(int status) {
    if (status < 200 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 200 to 599)");
    }
  }

  /** Stops failing: answers as scripted again, after {@link #failWith} or {@link #failEarlyWith}. */
  public FakeUpstream recover() {
    synchronized (lock) {
      failStatus = 0;
      failEarly = false;
    }
    return this;
  }

  /**
   * Answers requests for {@code path} (any method, any query) as a health endpoint from now on:
   * with the {@link #healthStatus health status} and no body, at once, whatever else the upstream
   * was told. They are not recorded (not in {@link #requests()}, nor taken) but counted by
   * {@link #probeCount()}.
   *
   * @throws IllegalArgumentException if {@code path} does not start with {@code /}
   */
  public FakeUpstream answerHealth(String path) {
    if (!requireNonNull(path, "path").startsWith("/")) {
      throw new IllegalArgumentException("path: " + path + " (expected: starts with /)");
    }
    synchronized (lock) {
      healthPath = path;
    }
    return this;
  }

  /**
   * Answers the {@link #answerHealth health path} with {@code status} from now on ({@code 200}
   * until then).
   *
   * @throws IllegalArgumentException if {@code status} is not between 200 and 599
   */
  public FakeUpstream healthStatus(int status) {
    checkStatus(status);
    synchronized (lock) {
      healthStatus = status;
    }
    return this;
  }

  /** Returns how many requests for the {@link #answerHealth health path} arrived so far. */
  public int probeCount() {
    synchronized (lock) {
      return probes;
    }
  }

  /**
   * Holds every answer from now on (the request is read and recorded first) until
   * {@link #release()}; no thread waits meanwhile.
   */
  public FakeUpstream hold() {
    synchronized (lock) {
      holding = true;
    }
    return this;
  }

  /** Sends the held answers, in order of arrival, and stops holding. */
  public void release() {
    List<Runnable> go;
    synchronized (lock) {
      holding = false;
      go = List.copyOf(held);
      held.clear();
    }
    go.forEach(Runnable::run);
  }

  /**
   * Returns how many requests arrived and are not answered yet: held, waiting out a delay, or still
   * with a {@link Responder}.
   */
  public int inFlight() {
    synchronized (lock) {
      return inFlight;
    }
  }

  /**
   * Stops listening: held answers are sent, then open connections are closed and new ones refused
   * until {@link #restart()}. What the upstream recorded and was told stays.
   */
  public void stop() throws Exception {
    release();
    server.stop();
  }

  /** Listens again, on the same port, after {@link #stop()}. */
  public void restart() throws Exception {
    connector.setPort(port);
    server.start();
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
   * Forgets the requests received (taken or not), the probes counted and the scripted answers; the
   * default answer, a {@link Responder}, a failure and the health path stay.
   */
  public void reset() {
    synchronized (lock) {
      requests.clear();
      scripted.clear();
      taken = 0;
      probes = 0;
    }
  }

  /**
   * Forgets everything a test set or saw: requests, scripted answers, the default answer, a
   * responder, a failure, the health path; held answers are sent.
   */
  void restore() {
    release();
    synchronized (lock) {
      reset();
      fallback = UpstreamAnswer.text(200, "ok");
      responder = null;
      failStatus = 0;
      failEarly = false;
      healthPath = null;
      healthStatus = 200;
    }
  }

  /** Sends the held answers and stops the server. */
  @Override
  public void close() throws Exception {
    release();
    server.stop();
  }

  @Override
  public String toString() {
    return "FakeUpstream{" + uri() + "}";
  }

  private void respond(Request request, Response response, Callback callback) throws Exception {
    int early;
    int probeStatus = 0;
    synchronized (lock) {
      if (Request.getPathInContext(request).equals(healthPath)) {
        probes++;
        probeStatus = healthStatus;
      }
      early = failEarly ? failStatus : 0;
    }
    if (probeStatus > 0) {
      response.setStatus(probeStatus);
      response.write(true, null, callback);
      return;
    }
    if (early > 0) {
      record(request, new byte[0]);
      response.setStatus(early);
      response.write(true, null, callback);
      return;
    }
    RecordedRequest recorded = record(request, BufferUtil.toArray(Content.Source.asByteBuffer(request)));
    UpstreamAnswer answer;
    Responder custom;
    synchronized (lock) {
      inFlight++;
      custom = failStatus > 0 ? null : responder;
      UpstreamAnswer next = custom != null || failStatus > 0 ? null : scripted.poll();
      answer = next != null ? next : failStatus > 0 ? fallback.withStatus(failStatus) : fallback;
    }
    Callback done = answered(callback);
    synchronized (lock) {
      if (holding) {
        held.add(() -> {
          try {
            send(custom, answer, recorded, request, response, done);
          } catch (Throwable failure) {
            done.failed(failure);
          }
        });
        return;
      }
    }
    try {
      send(custom, answer, recorded, request, response, done);
    } catch (Exception | Error failure) {
      synchronized (lock) {
        inFlight--;   // Jetty fails the exchange's own callback, not the counting one
      }
      throw failure;
    }
  }

  private static void send(@Nullable Responder custom, UpstreamAnswer answer, RecordedRequest recorded,
      Request request, Response response, Callback callback) throws Exception {
    if (custom != null) {
      custom.respond(recorded, request, response, callback);
    } else {
      write(answer, request, response, callback);
    }
  }

  private RecordedRequest record(Request request, byte[] body) {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (HttpField field : request.getHeaders()) {
      headers.add(Map.entry(field.getName(), field.getValue() == null ? "" : field.getValue()));
    }
    String target = request.getHttpURI().getPathQuery();
    RecordedRequest recorded = new RecordedRequest(request.getMethod(), target == null ? "" : target, headers, body,
        request.getConnectionMetaData().getHttpVersion().asString(), Request.getRemotePort(request));
    synchronized (lock) {
      requests.add(recorded);
      lock.notifyAll();
    }
    return recorded;
  }

  /** Wraps {@code callback} to count the request as answered once the answer is complete. */
  private Callback answered(Callback callback) {
    return new Callback() {
      @Override
      public void succeeded() {
        done();
        callback.succeeded();
      }

      @Override
      public void failed(Throwable failure) {
        done();
        callback.failed(failure);
      }

      @Override
      public InvocationType getInvocationType() {
        return callback.getInvocationType();
      }

      private void done() {
        synchronized (lock) {
          inFlight--;
        }
      }
    };
  }

  private static void write(UpstreamAnswer answer, Request request, Response response, Callback callback) {
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
