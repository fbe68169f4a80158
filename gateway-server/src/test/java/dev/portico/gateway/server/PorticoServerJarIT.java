package dev.portico.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.test.FakeUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code target/portico-server.jar} run as a real process with {@code java -jar}, stopped with
 * SIGTERM ({@link Process#destroy()} on Linux and macOS). Runs after {@code package}, in the
 * {@code integration-test} phase, so the jar is there.
 */
class PorticoServerJarIT {
  private static final Pattern GATEWAY_PORT = Pattern.compile("gateway on http://127\\.0\\.0\\.1:(\\d+)/");
  private static final Pattern ADMIN_PORT = Pattern.compile("admin view on http://127\\.0\\.0\\.1:(\\d+)/");
  private static final Pattern TLS_PORT = Pattern.compile("gateway on https://127\\.0\\.0\\.1:(\\d+)/ \\(ssl, alpn, h2, http/1\\.1\\)");
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void theRunnableJarServesTheFileAndDrainsOnSigterm() throws Exception {
    Path jar = Path.of("target", "portico-server.jar");
    assertThat(jar).as("built by mvn package").exists();
    try (FakeUpstream upstream = FakeUpstream.start()) {
      Path file = dir.resolve("gateway.yaml");
      Files.writeString(file, """
          routes:
            - id: api
              path: /api/**
              upstream: %s
          """.formatted(upstream.uri()));
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      // The output goes to a file the test reads, not a pipe: what the shutdown hook logs is kept
      // whenever the process ends.
      Path log = dir.resolve("server.log");
      Process process = new ProcessBuilder(java.toString(), "-jar", jar.toString(),
          "--host", "127.0.0.1", "--port", "0", "--admin-port", "0", file.toString())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      try {
        int port = Integer.parseInt(awaitLine(log, GATEWAY_PORT).group(1));
        int adminPort = Integer.parseInt(awaitLine(log, ADMIN_PORT).group(1));
        HttpClient client = HttpClient.newHttpClient();

        HttpResponse<String> proxied = send(client, port, "/api/hello");
        assertThat(proxied.statusCode()).isEqualTo(200);
        assertThat(upstream.takeRequest(DEADLINE).path()).isEqualTo("/api/hello");
        assertThat(send(client, adminPort, "/routes").body()).contains("/api/**");
        assertThat(send(client, adminPort, "/configuration").body()).contains("\"sha256\"").contains("gateway.yaml");

        process.destroy();   // SIGTERM
        assertThat(process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("exited").isTrue();
        List<String> lines = Files.readAllLines(log);
        // 128 + 15: the JVM ends on SIGTERM after its shutdown hooks ran.
        assertThat(process.exitValue()).isEqualTo(143);
        assertThat(lines).anyMatch(line -> line.contains("drained: every request in flight ended"));
        assertThat(lines).anyMatch(line -> line.contains("PorticoServer - stopped"));
        assertThat(lines).noneMatch(line -> line.contains("Exception"));
      } finally {
        process.destroyForcibly();
      }
    }
  }

  @Test
  void theRunnableJarServesHttp2OverTlsFromPemFiles() throws Exception {
    Path jar = Path.of("target", "portico-server.jar");
    assertThat(jar).as("built by mvn package").exists();
    TestTlsFiles tls = TestTlsFiles.create(dir);
    try (FakeUpstream upstream = FakeUpstream.start()) {
      Path file = dir.resolve("gateway.yaml");
      Files.writeString(file, """
          routes:
            - id: api
              path: /api/**
              upstream: %s
          """.formatted(upstream.uri()));
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      Path log = dir.resolve("server.log");
      Process process = new ProcessBuilder(java.toString(), "-jar", jar.toString(),
          "--host", "127.0.0.1", "--port", "0", "--no-admin",
          "--tls-cert", tls.certificate.toString(), "--tls-key", tls.key.toString(), file.toString())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      try {
        int port = Integer.parseInt(awaitLine(log, TLS_PORT).group(1));

        HttpResponse<String> h2 = tls.client(HttpClient.Version.HTTP_2, false).send(
            HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/api/h2")).timeout(DEADLINE).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(h2.statusCode()).isEqualTo(200);
        assertThat(h2.version()).as("h2 chosen by ALPN, so the shaded jar has Jetty's ALPN server")
            .isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(upstream.takeRequest(DEADLINE).path()).isEqualTo("/api/h2");

        process.destroy();   // SIGTERM
        assertThat(process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("exited").isTrue();
        assertThat(process.exitValue()).isEqualTo(143);
        assertThat(Files.readAllLines(log)).noneMatch(line -> line.contains("Exception"));
      } finally {
        process.destroyForcibly();
      }
    }
  }

  /** Polls the log until a line matches, up to the deadline. */
  private static Matcher awaitLine(Path log, Pattern pattern) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      List<String> lines = Files.readAllLines(log);
      for (String line : lines) {
        Matcher m = pattern.matcher(line);
        if (m.find()) {
          return m;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no line matching " + pattern + " within " + DEADLINE + "; output: " + lines);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));   // a poll of the log, not a wait for a guessed time
    }
  }

  private static HttpResponse<String> send(HttpClient client, int port, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(DEADLINE).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
