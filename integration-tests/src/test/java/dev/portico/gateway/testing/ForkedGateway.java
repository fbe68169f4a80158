package dev.portico.gateway.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs {@link ForkedGatewayMain} in a JVM of its own (the current {@code java}, the test class path,
 * the given JVM options) and reads its port and, once stopped, its measurements. Its output is
 * echoed to this JVM's, prefixed with {@code [gateway]}.
 */
public final class ForkedGateway implements AutoCloseable {

  /** How the forked gateway ended: its exit code and every {@code KEY=value} it printed. */
  public record Report(int exitCode, Map<String, String> values) {
    public long number(String key) {
      String value = values.get(key);
      if (value == null) {
        throw new AssertionError("the forked gateway did not report " + key + "; it reported " + values);
      }
      return Long.parseLong(value);
    }
  }

  private final Process process;
  private final Map<String, String> values = new ConcurrentHashMap<>();
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();

  private ForkedGateway(Process process) {
    this.process = process;
  }

  /** Starts a gateway routing {@code /**} to {@code upstreamUri} and waits up to 30 s for it to serve. */
  public static ForkedGateway start(String upstreamUri, List<String> jvmOptions) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ForkedGatewayMain.class.getName());
    command.add(upstreamUri);
    ForkedGateway gateway = new ForkedGateway(new ProcessBuilder(command).start());
    gateway.pump(gateway.process.getInputStream(), System.out, gateway::onLine);
    gateway.pump(gateway.process.getErrorStream(), System.err, line -> {});
    try {
      gateway.port.get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      gateway.close();
      throw new AssertionError("the forked gateway did not report its port within 30 s");
    }
    return gateway;
  }

  private void onLine(String line) {
    int eq = line.indexOf('=');
    if (eq <= 0) {
      return;
    }
    String key = line.substring(0, eq);
    String value = line.substring(eq + 1);
    values.put(key, value);
    if (key.equals("PORT")) {
      port.complete(Integer.parseInt(value));
    } else if (key.equals("DONE")) {
      done.complete(null);
    }
  }

  private void pump(InputStream from, PrintStream to, Consumer<String> lines) {
    Thread thread = new Thread(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(from, StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          to.println("[gateway] " + line);
          lines.accept(line);
        }
      } catch (IOException e) {
        to.println("[gateway] output lost: " + e);
      } finally {
        port.completeExceptionally(new IllegalStateException("the forked gateway exited before serving"));
      }
    }, "forked-gateway-output");
    thread.setDaemon(true);
    thread.start();
  }

  public int port() {
    return port.join();
  }

  public String uri(String pathQuery) {
    return "http://127.0.0.1:" + port() + pathQuery;
  }

  /** Returns whether the forked JVM is still running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Says whether the forked JVM runs, or how it exited (3: out of memory with -XX:+ExitOnOutOfMemoryError). */
  public String state() {
    return process.isAlive() ? "forked gateway running" : "forked gateway exited with " + process.exitValue();
  }

  /**
   * Sends {@code stop}, then waits up to {@code deadline} for the measurements and the exit.
   *
   * @throws AssertionError if the gateway does not exit in time (it is then killed)
   */
  public Report stop(Duration deadline) throws Exception {
    if (process.isAlive()) {
      try (OutputStream stdin = process.getOutputStream()) {
        stdin.write("stop\n".getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // The process is exiting anyway; its exit code tells.
      }
    }
    if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the forked gateway did not exit within " + deadline + " of being told to stop");
    }
    try {
      // Its output may still be in the pipe when the process has gone.
      done.get(5, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      // Report what there is: the exit code says what went wrong.
    }
    return new Report(process.exitValue(), Map.copyOf(values));
  }

  /** Kills the forked JVM if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
