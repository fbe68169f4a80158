package dev.portico.gateway.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import redis.embedded.core.ExecutableProvider;

/**
 * Runs the Redis example's two gateway instances against a real {@code redis-server} started on a
 * free loopback port: {@code $PORTICO_REDIS_SERVER} when set, else the one the test dependency
 * {@code embedded-redis} ships for this platform (nothing to install).
 */
class RedisRateLimitExampleTest {

  @Test
  void twoInstancesShareTheTenPerMinuteBudget() throws Exception {
    int redisPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      redisPort = probe.getLocalPort();
    }
    Process redis = new ProcessBuilder(redisServer(), "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    List<Server> servers = new ArrayList<>();
    try {
      awaitPong(redisPort);
      Server backend = RedisRateLimitExample.backend(0);
      servers.add(backend);
      String redisUri = "redis://127.0.0.1:" + redisPort;
      Server first = RedisRateLimitExample.gatewayInstance(0, redisUri, "http://127.0.0.1:" + port(backend));
      Server second = RedisRateLimitExample.gatewayInstance(0, redisUri, "http://127.0.0.1:" + port(backend));
      servers.add(first);
      servers.add(second);
      HttpClient client = HttpClient.newHttpClient();

      // Each instance connects to Redis on its first request, and a cold JVM's first decisions may
      // take longer than the limiter's 100 ms (failing open, yet spending in Redis): warm both up
      // from another client address, 127.0.0.2, which has a budget of its own.
      awaitDecidedByRedis(first);
      awaitDecidedByRedis(second);

      int allowed = 0;
      int limited = 0;
      for (int i = 0; i < 14; i++) {
        Server target = i % 2 == 0 ? first : second;
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port(target) + "/api/hello")).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          assertThat(response.body()).contains("hello from the backend");
          assertThat(response.headers().firstValue("RateLimit")).as("decided by Redis").isPresent();
          allowed++;
        } else {
          assertThat(response.statusCode()).isEqualTo(429);
          assertThat(response.headers().firstValue("Retry-After")).isPresent();
          limited++;
        }
      }

      assertThat(allowed).as("allowed by Redis, across both instances").isEqualTo(10);
      assertThat(limited).isEqualTo(4);
    } finally {
      for (Server server : servers) {
        server.stop();
      }
      redis.destroy();
      redis.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void anInstanceStartsWithoutRedisAndFailsOpen() throws Exception {
    int downPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      downPort = probe.getLocalPort();
    }
    List<Server> servers = new ArrayList<>();
    try {
      Server backend = RedisRateLimitExample.backend(0);
      servers.add(backend);
      Server instance = RedisRateLimitExample.gatewayInstance(0, "redis://127.0.0.1:" + downPort,
          "http://127.0.0.1:" + port(backend));
      servers.add(instance);
      HttpClient client = HttpClient.newHttpClient();

      for (int i = 0; i < 12; i++) {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port(instance) + "/api/hello")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("request %d, Redis down: fail open", i + 1).isEqualTo(200);
        assertThat(response.headers().firstValue("RateLimit")).isEmpty();
      }
    } finally {
      for (Server server : servers) {
        server.stop();
      }
    }
  }

  /** Sends GET /api/hello from 127.0.0.2 until the answer carries a RateLimit header (Redis decided). */
  private static void awaitDecidedByRedis(Server instance) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() - deadline < 0) {
      try (Socket socket = new Socket()) {
        socket.bind(new InetSocketAddress("127.0.0.2", 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port(instance)), 5_000);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET /api/hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        if (response.lines().anyMatch(line -> line.regionMatches(true, 0, "RateLimit:", 0, 10))) {
          return;
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    throw new AssertionError("instance on port " + port(instance) + " never answered with a RateLimit header");
  }

  /** The redis-server to run: $PORTICO_REDIS_SERVER, else the one embedded-redis ships, extracted. */
  private static String redisServer() throws IOException {
    String given = System.getenv("PORTICO_REDIS_SERVER");
    if (given != null && !given.isBlank()) {
      return given;
    }
    Path dir = Files.createTempDirectory("portico-redis-bin");
    File binary = ExecutableProvider.newJarResourceProvider(dir.toFile()).get();
    binary.deleteOnExit();
    dir.toFile().deleteOnExit();
    return binary.toString();
  }

  private static int port(Server server) {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** Polls PING until Redis answers PONG, for up to 10 s. */
  private static void awaitPong(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        socket.setSoTimeout(1000);
        OutputStream out = socket.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] reply = new byte[7];
        int n = in.read(reply);
        if (n > 0 && new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG")) {
          return;
        }
      } catch (IOException notYet) {
        Thread.onSpinWait();
      }
    }
    throw new AssertionError("redis-server did not answer PING on port " + port + " within 10 s");
  }
}
