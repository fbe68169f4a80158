package dev.portico.gateway.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import redis.embedded.core.ExecutableProvider;

/**
 * A real {@code redis-server} on a free loopback port, without persistence ({@code --save ''
 * --appendonly no}), in a temporary directory. {@link #start()} returns once it answers PING;
 * {@link #kill()} and {@link #restart()} simulate an outage on the same port.
 *
 * <p>The binary is {@code $PORTICO_REDIS_SERVER} when set (a path, to test against another Redis,
 * {@code PORTICO_REDIS_SERVER=/usr/bin/redis-server}); else the redis-server 6.2 that the test
 * dependency {@code com.github.codemonstur:embedded-redis} ships for this platform (Linux and
 * macOS, amd64 and arm64), extracted once per JVM; else {@code redis-server} on {@code PATH}. The
 * bundled one comes first so that every machine, a bare one with only a JDK and Maven as well as
 * CI, runs the same Redis; nothing needs installing.
 */
public final class RedisServer implements AutoCloseable {
  private static final Duration START_DEADLINE = Duration.ofSeconds(15);
  private static Path binary;

  private final Path dir;
  private final int port;
  private final List<String> extraArgs;
  private Process process;

  private RedisServer(Path dir, int port, List<String> extraArgs) throws IOException {
    this.dir = dir;
    this.port = port;
    this.extraArgs = extraArgs;
    this.process = launch();
    awaitPing();
  }

  /** Starts a standalone server on a free port. */
  public static RedisServer start() throws IOException {
    return new RedisServer(Files.createTempDirectory("portico-redis"), freePort(), List.of());
  }

  /** Starts a standalone server on {@code port} (one that was free, see {@link #freePort()}). */
  public static RedisServer start(int port) throws IOException {
    return new RedisServer(Files.createTempDirectory("portico-redis"), port, List.of());
  }

  /** Starts a server on {@code port} with extra arguments (cluster nodes). */
  static RedisServer start(Path dir, int port, List<String> extraArgs) throws IOException {
    return new RedisServer(dir, port, extraArgs);
  }

  public int port() {
    return port;
  }

  /** Returns {@code redis://127.0.0.1:port}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Kills the server at once (SIGKILL), as a crash would, and waits until it is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new AssertionError("redis-server on port " + port + " did not die within 10 s");
    }
  }

  /** Starts the server again on the same port (empty: nothing was persisted). */
  public void restart() throws IOException {
    if (process.isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is still running");
    }
    process = launch();
    awaitPing();
  }

  /** Sends one command and returns its reply line by line (RESP, as text). */
  public String command(String... args) throws IOException {
    return command(port, args);
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  private Process launch() throws IOException {
    List<String> command = new ArrayList<>(List.of(binary().toString(),
        "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--dir", dir.toString(), "--daemonize", "no", "--logfile", ""));
    command.addAll(extraArgs);
    return new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis-" + port + ".log").toFile()))
        .start();
  }

  /** Polls PING until the server answers, the process dies, or the deadline passes. */
  private void awaitPing() throws IOException {
    long deadline = System.nanoTime() + START_DEADLINE.toNanos();
    IOException last = null;
    while (System.nanoTime() - deadline < 0) {
      if (!process.isAlive()) {
        throw new AssertionError("redis-server on port " + port + " exited with " + process.exitValue()
            + "; its log: " + log());
      }
      try {
        if (command(port, "PING").startsWith("+PONG")) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    throw new AssertionError("redis-server on port " + port + " did not answer PING within " + START_DEADLINE
        + " (" + last + "); its log: " + log());
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("redis-" + port + ".log"));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** Sends a RESP command to {@code port} and reads one reply (simple, error, integer or bulk string). */
  static String command(int port, String... args) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      socket.setSoTimeout(5_000);
      StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
      for (String arg : args) {
        request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
      }
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      String first = readLine(in);
      if (first.startsWith("$")) {
        int length = Integer.parseInt(first.substring(1));
        if (length < 0) {
          return "";
        }
        byte[] body = in.readNBytes(length + 2);
        return new String(body, 0, length, StandardCharsets.UTF_8);
      }
      return first;
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    if (c < 0 && line.length() == 0) {
      throw new IOException("connection closed before a reply");
    }
    return line.toString();
  }

  /** Returns the redis-server to run (see the class comment), extracting the bundled one on first use. */
  static synchronized Path binary() {
    if (binary == null) {
      binary = findBinary();
    }
    return binary;
  }

  private static Path findBinary() {
    String given = System.getenv("PORTICO_REDIS_SERVER");
    if (given != null && !given.isBlank()) {
      Path path = Path.of(given);
      if (!Files.isExecutable(path)) {
        throw new AssertionError("PORTICO_REDIS_SERVER=" + given + " is not an executable file");
      }
      return path;
    }
    try {
      Path dir = Files.createTempDirectory("portico-redis-bin");
      dir.toFile().deleteOnExit();
      File extracted = ExecutableProvider.newJarResourceProvider(dir.toFile()).get();
      extracted.deleteOnExit();
      return extracted.toPath();
    } catch (IOException | RuntimeException bundledMissing) {
      for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        Path candidate = d.isEmpty() ? null : Path.of(d, "redis-server");
        if (candidate != null && Files.isExecutable(candidate)) {
          return candidate;
        }
      }
      throw new AssertionError("no redis-server for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
          + ": embedded-redis ships none for this platform (" + bundledMissing + ") and none is on PATH."
          + " Install one, or point PORTICO_REDIS_SERVER at it.");
    }
  }

  /** Returns a loopback port that was free a moment ago. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
