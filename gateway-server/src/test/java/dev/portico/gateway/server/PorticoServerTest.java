package dev.portico.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.test.FakeUpstream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone server started in this JVM the way {@code main} starts it ({@link Launcher}), on
 * free loopback ports, with a YAML file in front of a fake upstream.
 */
class PorticoServerTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  @TempDir Path dir;
  private FakeUpstream upstream;
  private Path file;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<StandaloneServer> servers = new ArrayList<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = FakeUpstream.start();
    file = dir.resolve("gateway.yaml");
    write(file, """
        routes:
          - id: api
            path: /api/**
            upstream: %s
        """.formatted(upstream.uri()));
  }

  @AfterEach
  void stopAll() throws Exception {
    servers.forEach(StandaloneServer::shutdown);
    upstream.close();
  }

  @Test
  void proxiesARequestToTheUpstreamTheFileNamesAndAnswersOthers404Problem() throws Exception {
    StandaloneServer server = start();

    HttpResponse<String> proxied = get(server.port(), "/api/orders/42");
    assertThat(proxied.statusCode()).isEqualTo(200);
    assertThat(upstream.takeRequest(DEADLINE).path()).isEqualTo("/api/orders/42");

    HttpResponse<String> unrouted = get(server.port(), "/elsewhere");
    assertThat(unrouted.statusCode()).isEqualTo(404);
    assertThat(unrouted.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(unrouted.body()).contains("no-route");
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @Test
  void requestsJettyCannotParseAreAnsweredWithProblemsNotHtmlAndWithoutTheServerVersion() throws Exception {
    StandaloneServer server = start();

    String badHeader = raw(server.port(), "GET /api/x HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n");
    assertThat(badHeader).startsWith("HTTP/1.1 400 ").contains("Content-Type: application/problem+json")
        .contains("{\"type\":\"https://portico.dev/problems/bad-request\",\"title\":\"Bad request\",\"status\":400}")
        .doesNotContain("<html").doesNotContainIgnoringCase("Server: Jetty");
    String hugeHeader = raw(server.port(), "GET /api/x HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
    assertThat(hugeHeader).startsWith("HTTP/1.1 431 ")
        .contains("{\"type\":\"about:blank\",\"title\":\"Request Header Fields Too Large\",\"status\":431}");
    String adminBad = raw(server.adminPort(), "GET /routes HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
    assertThat(adminBad).startsWith("HTTP/1.1 400 ").contains("application/problem+json").doesNotContain("<html");
    assertThat(upstream.requestCount()).isZero();
    // The gateway's own answers name no server (a proxied answer keeps the upstream's Server header).
    assertThat(get(server.port(), "/elsewhere").headers().firstValue("Server")).isEmpty();
    assertThat(get(server.adminPort(), "/ready").headers().firstValue("Server")).isEmpty();
  }

  /** Sends {@code request} as bytes, as a client library would not, and reads the answer to the end. */
  private static String raw(int port, String request) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) DEADLINE.toMillis());
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void theAdminViewAnswersOnItsOwnPortOnly() throws Exception {
    StandaloneServer server = start();

    HttpResponse<String> routes = get(server.adminPort(), "/routes");
    assertThat(routes.statusCode()).isEqualTo(200);
    assertThat(routes.body()).contains("\"api\"").contains("/api/**");
    assertThat(get(server.adminPort(), "/ready").statusCode()).isEqualTo(200);
    // Not on the public port: there /routes is just a path no route matches.
    assertThat(get(server.port(), "/routes").statusCode()).isEqualTo(404);
    assertThat(server.adminPort()).isNotEqualTo(server.port());
  }

  @Test
  void withoutAdminThereIsNoAdminPort() throws Exception {
    StandaloneServer server = start("--no-admin");
    assertThat(server.adminPort()).isEqualTo(-1);
    assertThat(get(server.port(), "/api/x").statusCode()).isEqualTo(200);
  }

  @Test
  void aChangedFileIsAppliedLiveAndAnInvalidChangeKeepsTheOldConfigurationServing() throws Exception {
    StandaloneServer server = start();
    assertThat(get(server.port(), "/v2/x").statusCode()).isEqualTo(404);

    write(file, """
        routes:
          - id: v2
            path: /v2/**
            upstream: %s
        """.formatted(upstream.uri()));
    await(() -> get(server.port(), "/v2/x").statusCode() == 200);
    assertThat(get(server.port(), "/api/x").statusCode()).isEqualTo(404);
    assertThat(server.watch().reloads()).isEqualTo(1);

    write(file, """
        routes:
          - id: v3
            pth: /v3/**
            upstream: %s
        """.formatted(upstream.uri()));
    await(() -> server.watch().failures() == 1);
    assertThat(server.watch().lastError()).hasValueSatisfying(
        e -> assertThat(e.getMessage()).contains("gateway.yaml:3:5").contains("unknown key 'pth'"));
    assertThat(get(server.port(), "/v2/x").statusCode()).isEqualTo(200);
    assertThat(get(server.port(), "/v3/x").statusCode()).isEqualTo(404);
  }

  @Test
  void theAdminViewShowsTheFileVersionAndARefusedReloadAndMetricsCountReloadsByOutcome() throws Exception {
    StandaloneServer server = start();
    String first = server.watch().version().sha256();
    String initial = get(server.adminPort(), "/configuration").body();
    assertThat(initial).contains("\"sha256\" : \"" + first + "\"").contains("\"reloads\" : 0")
        .contains("\"failures\" : 0").contains("\"lastError\" : null")
        .contains("\"source\" : \"" + file.toAbsolutePath().toString().replace("\\", "\\\\") + "\"");

    write(file, """
        routes:
          - id: v3
            pth: /v3/**
            upstream: %s
        """.formatted(upstream.uri()));
    await(() -> server.watch().failures() == 1);

    String refused = get(server.adminPort(), "/configuration").body();
    assertThat(refused).contains("\"sha256\" : \"" + first + "\"").contains("\"failures\" : 1")
        .contains("gateway.yaml:3:5 routes[0].pth: unknown key 'pth'");
    assertThat(get(server.port(), "/api/x").statusCode()).isEqualTo(200);
    String metrics = get(server.adminPort(), "/metrics").body();
    assertThat(metrics).contains("portico_config_reloads_total{outcome=\"refused\"} 1.0")
        .contains("portico_config_reloads_total{outcome=\"applied\"} 0.0");

    write(file, """
        routes:
          - id: v3
            path: /v3/**
            upstream: %s
        """.formatted(upstream.uri()));
    await(() -> server.watch().reloads() == 1);

    String applied = get(server.adminPort(), "/configuration").body();
    assertThat(applied).doesNotContain(first).contains("\"sha256\" : \"" + server.watch().version().sha256() + "\"")
        .contains("\"reloads\" : 1").contains("\"failures\" : 1").contains("\"lastError\" : null");
    assertThat(get(server.adminPort(), "/metrics").body())
        .contains("portico_config_reloads_total{outcome=\"applied\"} 1.0")
        .contains("portico_config_reloads_total{outcome=\"refused\"} 1.0");
  }

  @Test
  void shutdownLetsTheRequestInFlightFinishAndAnswersNewRequests503() throws Exception {
    StandaloneServer server = start();
    upstream.hold();
    CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(
        request(server.port(), "/api/slow"), HttpResponse.BodyHandlers.ofString());
    await(() -> upstream.inFlight() == 1);

    CompletableFuture<Void> shutdown = CompletableFuture.runAsync(server::shutdown);
    await(() -> get(server.adminPort(), "/ready").statusCode() == 503);
    HttpResponse<String> refused = get(server.port(), "/api/new");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body()).contains("shutting-down");
    assertThat(inFlight).isNotDone();
    assertThat(shutdown).isNotDone();

    upstream.release();
    assertThat(inFlight.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    shutdown.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @Test
  void aDrainTimeoutAbortsTheRequestsStillInFlight() throws Exception {
    StandaloneServer server = start("--drain-timeout", "200ms");
    upstream.hold();
    CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(
        request(server.port(), "/api/slow"), HttpResponse.BodyHandlers.ofString());
    await(() -> upstream.inFlight() == 1);

    long start = System.nanoTime();
    server.shutdown();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(DEADLINE);
    // Aborted before its response began: 503, or the connection closed under it.
    try {
      assertThat(inFlight.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(503);
    } catch (java.util.concurrent.ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(java.io.IOException.class);
    }
  }

  @Test
  void aBadFileAtStartupExitsNonZeroWithThePositionedErrorAndNoStackTrace() throws Exception {
    write(file, """
        routes:
          - id: api
            pth: /api/**
            upstream: %s
        """.formatted(upstream.uri()));

    int status = Launcher.launch(args(), print(out), print(err));

    assertThat(status).isEqualTo(Launcher.FAILED);
    String message = err.toString(StandardCharsets.UTF_8);
    assertThat(message).contains("gateway.yaml:3:5 routes[0].pth: unknown key 'pth' (did you mean 'path'?)");
    assertThat(message).doesNotContain("\tat ").doesNotContain("Exception");
  }

  @Test
  void aMissingFileAndWrongOptionsExitNonZeroWithTheReason() {
    assertThat(Launcher.launch(new String[] {dir.resolve("none.yaml").toString()}, print(out), print(err)))
        .isEqualTo(Launcher.FAILED);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("none.yaml").contains("cannot read the file");

    err.reset();
    assertThat(Launcher.launch(new String[] {"--port", "http", file.toString()}, print(out), print(err)))
        .isEqualTo(Launcher.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--port http: expected a port").contains("Usage:");

    err.reset();
    assertThat(Launcher.launch(new String[] {"--drain-timeout", "soon", file.toString()}, print(out), print(err)))
        .isEqualTo(Launcher.USAGE);
    assertThat(Launcher.launch(new String[] {"--verbose", file.toString()}, print(out), print(err)))
        .isEqualTo(Launcher.USAGE);
    assertThat(Launcher.launch(new String[0], print(out), print(err))).isEqualTo(Launcher.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option --verbose")
        .contains("no configuration file given");
  }

  @Test
  void aPortInUseExitsNonZeroNamingIt() throws Exception {
    StandaloneServer first = start();
    String[] args = {"--host", "127.0.0.1", "--port", String.valueOf(first.port()), "--no-admin", file.toString()};

    assertThat(Launcher.launch(args, print(out), print(err))).isEqualTo(Launcher.FAILED);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot start the server");
  }

  @Test
  void theExampleFileOfTheReadmeStartsAServer() throws Exception {
    file = Path.of("../examples/gateway.yaml");
    StandaloneServer server = start();

    assertThat(get(server.adminPort(), "/routes").body()).contains("shop-orders").contains("shop-events");
    // Whether a demo runs on 8080 here or not, the admin view tells where the request would go.
    assertThat(get(server.adminPort(), "/explain?method=GET&uri=/shop/orders/42").body())
        .contains("shop-orders").contains("/api/orders/42");
  }

  private StandaloneServer start(String... extra) {
    List<String> all = new ArrayList<>(List.of(args()).subList(0, 6));
    all.addAll(List.of(extra));
    all.add(file.toString());
    Launcher.Outcome outcome = Launcher.start(all.toArray(String[]::new), print(out), print(err));
    assertThat(outcome.status()).as(err.toString(StandardCharsets.UTF_8)).isZero();
    StandaloneServer server = outcome.server();
    assertThat(server).isNotNull();
    servers.add(server);
    return server;
  }

  private String[] args() {
    return new String[] {"--host", "127.0.0.1", "--port", "0", "--admin-port", "0", file.toString()};
  }

  private static PrintStream print(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }

  /** Replaces the file the way editors do: a new file moved over the old one. */
  private static void write(Path file, String yaml) throws Exception {
    Path next = file.resolveSibling(file.getFileName() + ".next");
    Files.writeString(next, yaml);
    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private HttpRequest request(int port, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(DEADLINE).build();
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return client.send(request(port, path), HttpResponse.BodyHandlers.ofString());
  }

  @FunctionalInterface
  interface Condition {
    boolean holds() throws Exception;
  }

  private static void await(Condition condition) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + DEADLINE);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));   // a poll, not a wait for a guessed time
    }
  }
}
