package dev.portico.gateway.test;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.ByteBuffer;
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
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

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
 * <p>Thread-safe. Waiting methods wait on a monitor up to a deadline; nothing polls or sleeps.
 */
public final class FakeUpstream implements AutoCloseable {
  private final Server server;
  private final ServerConnector connector;
  private final Object lock = new Object();
  private final List<RecordedRequest> requests = new ArrayList<>();
  private final Deque<UpstreamAnswer> scripted = new ArrayDeque<>();
  private UpstreamAnswer fallback = UpstreamAnswer.text(200, "ok");

  private FakeUpstream() throws Exception {
    server = new Server();
    connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract() {
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
    return new FakeUpstream();
  }

  /** Returns {@code http://127.0.0.1:port}, what a route's {@code upstream(..)} takes. */
  public String uri() {
    return "http://127.0.0.1:" + port();
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

  /** Forgets the requests received and the scripted answers; the default answer stays. */
  public void reset() {
    synchronized (lock) {
      requests.clear();
      scripted.clear();
    }
  }

  /** Forgets everything a test set or saw: requests, scripted answers, and the default answer. */
  void restore() {
    synchronized (lock) {
      requests.clear();
      scripted.clear();
      fallback = UpstreamAnswer.text(200, "ok");
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
    synchronized (lock) {
      requests.add(recorded);
      UpstreamAnswer next = scripted.poll();
      answer = next != null ? next : fallback;
      lock.notifyAll();
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
