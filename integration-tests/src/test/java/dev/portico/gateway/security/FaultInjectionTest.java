package dev.portico.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RawClient;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.RefusingPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstreams and key servers that fail in the ways real ones do. For each: the client gets the
 * documented answer within the configured timeout, the failing side sees its connection closed,
 * a good request succeeds afterwards, and once the host stops no gateway, Jetty pool or client
 * thread it started is left alive.
 */
class FaultInjectionTest {
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  private Set<Thread> threadsBefore;
  private FaultyUpstream faulty;
  private FakeUpstream good;
  private GatewayServer host;

  @BeforeEach
  void snapshotThreads() throws Exception {
    threadsBefore = Set.copyOf(Thread.getAllStackTraces().keySet());
    good = FakeUpstream.start();
  }

  @AfterEach
  void noThreadOutlivesTheHost() throws Exception {
    if (host != null) {
      host.close();
    }
    good.close();
    if (faulty != null) {
      faulty.close();
    }
    Await.until("gateway and Jetty threads of this test stopped", Duration.ofSeconds(15),
        () -> leakedThreads().isEmpty());
  }

  private Set<String> leakedThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !threadsBefore.contains(t))
        .map(Thread::getName)
        .filter(n -> n.startsWith("portico-") || n.startsWith("qtp") || n.startsWith("HttpClient"))
        .collect(Collectors.toSet());
  }

  /** A route {@code /bad/**} to {@code badUri} with short timeouts, and {@code /good/**} to a healthy upstream. */
  private void startGateway(String badUri) throws Exception {
    host = GatewayServer.builder().gateway(Gateway.builder()
        .route("bad", r -> r.path("/bad/**").connectTimeout(TIMEOUT).responseTimeout(TIMEOUT).idleTimeout(TIMEOUT).upstream(badUri))
        .route("good", r -> r.path("/good/**").upstream(good.uri()))
        .build()).permissiveUris(true).hostAnswer().start();
  }

  private RawClient.Response get(String path) throws IOException {
    return RawClient.exchange(host.port(), "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  }

  private void assertServesNormally() throws Exception {
    assertThat(get("/good/after").status()).isEqualTo(200);
    assertThat(good.takeRequest().target()).isEqualTo("/good/after");
  }

  private static long millisSince(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  @Test
  void refusedConnectionIs502() throws Exception {
    startGateway("http://127.0.0.1:" + RefusingPort.reserve());

    RawClient.Response response = get("/bad/x");

    assertThat(response.status()).isEqualTo(502);
    assertThat(response.body()).contains("upstream").doesNotContain("127.0.0.1:");
    assertServesNormally();
  }

  @Test
  void upstreamThatNeverAnswersIs504WithinTheResponseTimeout() throws Exception {
    faulty = new FaultyUpstream((in, out) -> awaitClose(in));
    startGateway(faulty.uri());

    long start = System.nanoTime();
    RawClient.Response response = get("/bad/x");

    assertThat(response.status()).isEqualTo(504);
    assertThat(millisSince(start)).isBetween(TIMEOUT.toMillis() - 50, TIMEOUT.toMillis() + 5_000);
    faulty.awaitAllClosed();
    assertServesNormally();
  }

  @Test
  void headersThenSilenceBreaksTheClientResponseAfterTheIdleTimeout() throws Exception {
    faulty = new FaultyUpstream((in, out) -> {
      readHead(in);
      out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      awaitClose(in);
    });
    startGateway(faulty.uri());

    RawClient.Response response = get("/bad/x");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).as("fewer bytes than Content-Length: the client sees a broken response").isEqualTo("first");
    faulty.awaitAllClosed();
    assertServesNormally();
  }

  @Test
  void resetMidBodyBreaksTheClientResponse() throws Exception {
    faulty = new FaultyUpstream((in, out) -> {
      readHead(in);
      out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      throw new ResetConnection();
    });
    startGateway(faulty.uri());

    RawClient.Response response = get("/bad/x");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body().length()).isLessThan(100);
    assertServesNormally();
  }

  @Test
  void garbageStatusLineIs502() throws Exception {
    faulty = new FaultyUpstream((in, out) -> {
      readHead(in);
      out.write("SSH-2.0-OpenSSH_9.6\r\nnot http at all\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      awaitClose(in);
    });
    startGateway(faulty.uri());

    assertThat(get("/bad/x").status()).isEqualTo(502);
    faulty.awaitAllClosed();
    assertServesNormally();
  }

  @Test
  void responseHeaderLargerThanTheClientBufferIs502() throws Exception {
    faulty = new FaultyUpstream((in, out) -> {
      readHead(in);
      out.write(("HTTP/1.1 200 OK\r\nX-Huge: " + "h".repeat(64 * 1024) + "\r\nContent-Length: 2\r\n\r\nok")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      awaitClose(in);
    });
    startGateway(faulty.uri());

    assertThat(get("/bad/x").status()).isEqualTo(502);
    faulty.awaitAllClosed();
    assertServesNormally();
  }

  @Test
  void jwksEndpointDownIs503WithRetryAfter() throws Exception {
    try (JwtAuthenticator jwt = JwtAuthenticator.builder().jwksUri("http://127.0.0.1:" + RefusingPort.reserve() + "/jwks")
        .issuer("https://idp.test").fetchTimeout(TIMEOUT).build()) {
      assertJwksFailureIs503(jwt);
    }
  }

  @Test
  void jwksEndpointThatNeverAnswersIs503WithinTheFetchTimeout() throws Exception {
    faulty = new FaultyUpstream((in, out) -> awaitClose(in));
    try (JwtAuthenticator jwt = JwtAuthenticator.builder().jwksUri(faulty.uri() + "/jwks")
        .issuer("https://idp.test").fetchTimeout(TIMEOUT).build()) {
      long start = System.nanoTime();
      assertJwksFailureIs503(jwt);
      assertThat(millisSince(start)).isLessThan(TIMEOUT.toMillis() + 5_000);
    }
    faulty.awaitAllClosed();
  }

  private void assertJwksFailureIs503(JwtAuthenticator jwt) throws Exception {
    host = GatewayServer.builder().gateway(Gateway.builder()
        .route("api", r -> r.path("/api/**").authenticator(jwt).upstream(good.uri()))
        .route("good", r -> r.path("/good/**").upstream(good.uri()))
        .build()).permissiveUris(true).hostAnswer().start();
    // A structurally valid RS256 token: the key set must be fetched to judge it.
    String token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJhIn0." + "A".repeat(342);

    RawClient.Response response = RawClient.exchange(host.port(), "GET /api/x HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
        + token + "\r\nConnection: close\r\n\r\n");

    assertThat(response.status()).isEqualTo(503);
    assertThat(response.text()).containsIgnoringCase("\r\nRetry-After:");
    assertThat(good.pollRequest()).isEmpty();
    assertServesNormally();
  }

  private static void readHead(InputStream in) throws IOException {
    int state = 0;
    int c;
    while (state < 4 && (c = in.read()) >= 0) {
      state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
    }
  }

  /** Reads until the peer closes the connection (or resets it). */
  private static void awaitClose(InputStream in) throws IOException {
    byte[] buffer = new byte[4096];
    while (in.read(buffer) >= 0) {
      // discard
    }
  }

  private static final class ResetConnection extends IOException {}

  @FunctionalInterface
  private interface Behaviour {
    void run(InputStream in, OutputStream out) throws IOException;
  }

  /** A plain socket server that runs {@link Behaviour} on each connection and counts the connections still open. */
  private static final class FaultyUpstream implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final AtomicInteger open = new AtomicInteger();
    private final CountDownLatch accepted = new CountDownLatch(1);

    FaultyUpstream(Behaviour behaviour) throws IOException {
      Thread acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket socket = server.accept();
            open.incrementAndGet();
            accepted.countDown();
            Thread t = new Thread(() -> {
              try (socket) {
                socket.setSoTimeout(30_000);
                behaviour.run(socket.getInputStream(), socket.getOutputStream());
              } catch (ResetConnection e) {
                try {
                  socket.setSoLinger(true, 0);
                } catch (IOException ignored) {
                  // closing resets anyway
                }
              } catch (IOException e) {
                // the gateway closed or reset the connection
              } finally {
                open.decrementAndGet();
              }
            }, "faulty-upstream-conn");
            t.setDaemon(true);
            t.start();
          } catch (IOException e) {
            return;
          }
        }
      }, "faulty-upstream");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    String uri() {
      return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Waits until a connection was made and every connection was closed by the gateway. */
    void awaitAllClosed() throws InterruptedException {
      assertThat(accepted.await(10, TimeUnit.SECONDS)).as("the gateway connected").isTrue();
      Await.until("the gateway closed its upstream connections", () -> open.get() == 0);
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
