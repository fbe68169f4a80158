package dev.portico.gateway.testing;

import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpHeader;
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
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.jspecify.annotations.Nullable;

/**
 * One instance of a backend on a loopback port that a test controls: it can be stopped and started
 * again on the same port, slowed down, held until released, told to fail with a status, and have its
 * health endpoint fail. It answers {@code 200} with its name as the body, reads every request body
 * whole (kept in {@link #bodies()}), and counts requests apart from health probes.
 */
public final class Backend implements AutoCloseable {
  /** The path that answers the health probes. */
  public static final String HEALTH = "/health";

  private final String name;
  private final Server server;
  private final ServerConnector connector;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger probes = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final List<String> versions = new CopyOnWriteArrayList<>();
  private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
  private volatile int status = 200;
  private volatile int healthStatus = 200;
  private volatile int earlyStatus;
  private volatile long delayMillis;
  private volatile @Nullable CountDownLatch hold;
  private volatile int port;

  private Backend(String name, ConnectionFactory... factories) throws Exception {
    this.name = name;
    server = new Server();
    connector = new ServerConnector(server, factories);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        return answer(request, response, callback);
      }
    });
    server.start();
    port = connector.getLocalPort();
  }

  /** Starts a backend named {@code name} speaking HTTP/1.1. */
  public static Backend start(String name) throws Exception {
    return new Backend(name, new HttpConnectionFactory());
  }

  /** Starts a backend that speaks only cleartext HTTP/2 with prior knowledge (h2c). */
  public static Backend startH2c(String name) throws Exception {
    return new Backend(name, new HTTP2CServerConnectionFactory(new HttpConfiguration()));
  }

  /** Starts a TLS backend presenting {@code identity} that offers only h2 by ALPN. */
  public static Backend startH2(String name, KeyStore identity) throws Exception {
    HttpConfiguration config = new HttpConfiguration();
    config.addCustomizer(new SecureRequestCustomizer(false));
    HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(config);
    ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2");
    alpn.setDefaultProtocol("h2");
    return new Backend(name, new SslConnectionFactory(serverTls(identity), alpn.getProtocol()), alpn, h2);
  }

  private static SslContextFactory.Server serverTls(KeyStore identity) {
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStore(identity);
    tls.setKeyStorePassword(new String(TestCertificates.PASSWORD));
    return tls;
  }

  private boolean answer(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    if (path.equals(HEALTH)) {
      probes.incrementAndGet();
      response.setStatus(healthStatus);
      response.write(true, null, callback);
      return true;
    }
    requests.incrementAndGet();
    int early = earlyStatus;
    if (early > 0) {
      // Answers at once, without reading the request body (as a backend that refuses a request does).
      response.setStatus(early);
      response.write(true, null, callback);
      return true;
    }
    inFlight.incrementAndGet();
    versions.add(request.getConnectionMetaData().getHttpVersion().asString());
    clientPorts.add(Request.getRemotePort(request));
    String body = Content.Source.asString(request, StandardCharsets.UTF_8);
    if (!body.isEmpty()) {
      bodies.add(body);
    }
    CountDownLatch latch = hold;
    if (latch != null && !latch.await(20, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " was held for more than 20 s");
    }
    long delay = delayMillis;
    if (delay > 0) {
      Thread.sleep(delay);   // the backend is slow; this thread is the backend's, not the gateway's
    }
    inFlight.decrementAndGet();
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
    response.getHeaders().put("X-Served-By", name);
    Content.Sink.write(response, true, name, callback);
    return true;
  }

  public String name() {
    return name;
  }

  public String uri() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Answers every request with {@code status} from now on (200 again to recover). */
  public Backend status(int status) {
    this.status = status;
    return this;
  }

  /** Answers requests with {@code status} at once, before reading their bodies (0 to stop). */
  public Backend earlyStatus(int status) {
    this.earlyStatus = status;
    return this;
  }

  /** Answers health probes with {@code status}. */
  public Backend healthStatus(int status) {
    this.healthStatus = status;
    return this;
  }

  /** Delays each answer by {@code millis}. */
  public Backend delay(long millis) {
    this.delayMillis = millis;
    return this;
  }

  /** Holds every request until {@link #release()}. */
  public Backend hold() {
    this.hold = new CountDownLatch(1);
    return this;
  }

  /** Lets held requests go, and stops holding. */
  public void release() {
    CountDownLatch latch = hold;
    hold = null;
    if (latch != null) {
      latch.countDown();
    }
  }

  /** Returns how many requests (health probes apart) reached it. */
  public int requests() {
    return requests.get();
  }

  /** Returns how many health probes reached it. */
  public int probes() {
    return probes.get();
  }

  /** Returns how many requests it is working on (held or delayed). */
  public int inFlight() {
    return inFlight.get();
  }

  /** Returns the non-empty request bodies it received, in order. */
  public List<String> bodies() {
    return bodies;
  }

  /** Returns the HTTP versions of the requests it received. */
  public List<String> versions() {
    return versions;
  }

  /** Returns the distinct client ports (connections) requests came from. */
  public Set<Integer> clientPorts() {
    return clientPorts;
  }

  /** Stops listening: connections are refused until {@link #restart()}. */
  public void stop() throws Exception {
    release();
    server.stop();
  }

  /** Listens again, on the same port. */
  public void restart() throws Exception {
    connector.setPort(port);
    server.start();
  }

  @Override
  public void close() throws Exception {
    release();
    server.stop();
  }

  @Override
  public String toString() {
    return name + "@" + port;
  }
}
