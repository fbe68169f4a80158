package dev.portico.gateway.spring.boot;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real {@code redis-server} with a password on a free loopback port, started the way
 * integration-tests' {@code RedisServer} does it (no persistence, a temporary directory), with
 * {@link #kill()} and {@link #restart()} for outages. The binary is {@code $PORTICO_REDIS_SERVER},
 * else {@code redis-server} on {@code PATH}.
 */
final class RedisProcess implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final String password;
  private Process process;

  private RedisProcess(String password) throws IOException {
    this.dir = Files.createTempDirectory("portico-redis");
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      this.port = socket.getLocalPort();
    }
    this.password = password;
    this.process = launch();
    awaitPong();
  }

  /** Starts a server that requires {@code password}. */
  static RedisProcess start(String password) {
    try {
      return new RedisProcess(password);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server", e);
    }
  }

  int port() {
    return port;
  }

  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new AssertionError("redis-server did not die within 10 s");
    }
  }

  void restart() throws IOException {
    process = launch();
    awaitPong();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  private Process launch() throws IOException {
    return new ProcessBuilder(List.of(binary(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--requirepass", password))
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
        .start();
  }

  private static String binary() {
    String given = System.getenv("PORTICO_REDIS_SERVER");
    if (given != null && !given.isBlank()) {
      return given;
    }
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, "redis-server"))) {
        return Path.of(d, "redis-server").toString();
      }
    }
    throw new AssertionError("no redis-server on PATH; point PORTICO_REDIS_SERVER at one");
  }

  /** Polls AUTH + PING until the server answers PONG, the process dies, or 15 s pass. */
  private void awaitPong() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() - deadline < 0) {
      if (!process.isAlive()) {
        throw new AssertionError("redis-server exited with " + process.exitValue() + ": "
            + Files.readString(dir.resolve("redis.log")));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
        socket.setSoTimeout(5_000);
        OutputStream out = socket.getOutputStream();
        out.write(("*2\r\n$4\r\nAUTH\r\n$" + password.length() + "\r\n" + password + "\r\n*1\r\n$4\r\nPING\r\n")
            .getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        String replies = new String(in.readNBytes("+OK\r\n+PONG\r\n".length()), StandardCharsets.UTF_8);
        if (replies.contains("+PONG")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    throw new AssertionError("redis-server did not answer PING within 15 s");
  }
}
