package dev.portico.gateway.observe;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.observe.file.LogFile;
import dev.portico.gateway.observe.json.JsonAccessLog;
import dev.portico.gateway.observe.json.JsonAccessLog.Field;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class LogFileTest {
  @TempDir
  Path dir;

  @Test
  void writesEachLineAsUtf8FollowedByALineBreakInOrder() throws Exception {
    Path path = dir.resolve("access.log");
    List<String> lines = IntStream.range(0, 10_000).mapToObj(i -> "line " + i + " é—✓").toList();
    try (LogFile file = LogFile.open(path)) {
      lines.forEach(file);
    }
    assertThat(Files.readString(path, UTF_8)).isEqualTo(String.join("\n", lines) + "\n");
  }

  @Test
  void appendsToAnExistingFile() throws Exception {
    Path path = dir.resolve("access.log");
    Files.writeString(path, "before\n");
    try (LogFile file = LogFile.open(path)) {
      file.accept("after");
    }
    assertThat(Files.readAllLines(path)).containsExactly("before", "after");
  }

  @Test
  void keepsEveryLineAndEachThreadsOrderUnderConcurrentWriters() throws Exception {
    Path path = dir.resolve("access.log");
    int threads = 8;
    int perThread = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try (LogFile file = LogFile.builder(path).capacity(threads * perThread).open()) {
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        writers.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            file.accept(thread + ":" + i);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> writer : writers) {
        writer.get(30, TimeUnit.SECONDS);
      }
      file.close();
      assertThat(file.dropped()).isZero();
    } finally {
      pool.shutdownNow();
    }
    Map<Integer, Integer> next = new HashMap<>();
    List<String> written = Files.readAllLines(path);
    assertThat(written).hasSize(threads * perThread);
    for (String line : written) {
      int colon = line.indexOf(':');
      int thread = Integer.parseInt(line.substring(0, colon));
      int i = Integer.parseInt(line.substring(colon + 1));
      assertThat(i).as("thread %d's next line", thread).isEqualTo(next.getOrDefault(thread, 0));
      next.put(thread, i + 1);
    }
  }

  @Test
  void writesWithinTheFlushIntervalWithoutBeingClosed() throws Exception {
    Path path = dir.resolve("access.log");
    try (LogFile file = LogFile.builder(path).flushInterval(Duration.ofMillis(20)).open()) {
      file.accept("first");
      Await.until("the first line in the file", () -> read(path).equals("first\n"));
      file.accept("second");
      Await.until("the second line in the file", () -> read(path).equals("first\nsecond\n"));
    }
  }

  @Test
  @Timeout(60)   // a caller blocked by the stalled writer would hang here
  void dropsAndCountsLinesInsteadOfBlockingWhenTheDiskStalls() throws Exception {
    // A named pipe nobody reads stalls the writer the way a hung disk would.
    Path fifo = dir.resolve("stalled.log");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    CompletableFuture<BufferedReader> reader = CompletableFuture.supplyAsync(() -> {
      try {
        return new BufferedReader(new InputStreamReader(Files.newInputStream(fifo), UTF_8));
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    LogFile file = LogFile.builder(fifo).capacity(16).flushInterval(Duration.ofMillis(5)).open();
    String padding = "x".repeat(1000);
    int accepted = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (file.dropped() == 0) {
      assertThat(System.nanoTime()).as("lines dropped before the deadline").isLessThan(deadline);
      file.accept(accepted++ + " " + padding);
    }
    // Every accept returned although nothing could be written. Now the pipe is read again, and
    // close() writes what the writer still holds, then closes the pipe: the reader sees its end.
    BufferedReader in = reader.get(10, TimeUnit.SECONDS);
    CompletableFuture<List<String>> read = CompletableFuture.supplyAsync(() -> in.lines().toList());
    file.close();
    List<String> lines = read.get(10, TimeUnit.SECONDS);
    assertThat(lines.size() + file.dropped()).isEqualTo(accepted);
    assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line).endsWith(" " + padding));
    int previous = -1;
    for (String line : lines) {
      int i = Integer.parseInt(line.substring(0, line.indexOf(' ')));
      assertThat(i).isGreaterThan(previous);
      previous = i;
    }
  }

  @Test
  void countsTheLinesOfAFailedWriteAndGoesOn() throws Exception {
    // /dev/full fails every write with "No space left on device".
    LogFile file = LogFile.builder(Path.of("/dev/full")).flushInterval(Duration.ofMillis(5)).open();
    file.accept("lost");
    Await.until("the failed line counted", () -> file.dropped() == 1);
    file.accept("lost too");
    Await.until("the next failed line counted", () -> file.dropped() == 2);
    file.close();
    assertThat(file.dropped()).isEqualTo(2);
  }

  @Test
  void reopensThePathForRotation() throws Exception {
    Path path = dir.resolve("access.log");
    Path rotated = dir.resolve("access.log.1");
    try (LogFile file = LogFile.builder(path).flushInterval(Duration.ofMillis(5)).open()) {
      file.accept("before rotation");
      Await.until("the first line written", () -> read(path).equals("before rotation\n"));
      Files.move(path, rotated);
      file.reopen();
      file.accept("after rotation");
      Await.until("a new file at the path", () -> Files.exists(path) && read(path).equals("after rotation\n"));
    }
    assertThat(Files.readAllLines(rotated)).containsExactly("before rotation");
  }

  @Test
  void dropsAndCountsLinesAcceptedAfterClose() throws Exception {
    Path path = dir.resolve("access.log");
    LogFile file = LogFile.open(path);
    file.accept("kept");
    file.close();
    file.close();   // again: nothing happens
    file.accept("too late");
    assertThat(file.dropped()).isEqualTo(1);
    assertThat(Files.readAllLines(path)).containsExactly("kept");
  }

  @Test
  void writesALineLargerThanItsBufferWhole() throws Exception {
    Path path = dir.resolve("access.log");
    String large = "y".repeat(200_000);
    try (LogFile file = LogFile.open(path)) {
      file.accept("small");
      file.accept(large);
      file.accept("small again");
    }
    assertThat(Files.readAllLines(path)).containsExactly("small", large, "small again");
  }

  @Test
  void refusesAMissingDirectoryAndSettingsThatAreNotPositive() {
    assertThatThrownBy(() -> LogFile.open(dir.resolve("missing/access.log")))
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> LogFile.builder(dir.resolve("a.log")).capacity(0).open())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity: 0 lines (expected: at least 1)");
    assertThatThrownBy(() -> LogFile.builder(dir.resolve("a.log")).flushInterval(Duration.ZERO).open())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("flushInterval: PT0S (expected: positive)");
    assertThatThrownBy(() -> LogFile.builder(dir.resolve("a.log")).flushInterval(Duration.ofHours(2)).open())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("flushInterval: PT2H (expected: at most 1 h)");
    assertThat(dir.resolve("a.log")).doesNotExist();
  }

  @Test
  void takesAGatewaysJsonAccessLog() throws Exception {
    Path path = dir.resolve("access.log");
    LogFile file = LogFile.open(path);
    try (FakeUpstream upstream = FakeUpstream.start();
        GatewayServer host = GatewayServer.builder().gateway(Gateway.builder()
            .accessLog(JsonAccessLog.builder().fields(Field.ROUTE, Field.PATH, Field.STATUS).sink(file).build())
            .route("api", r -> r.path("/api/**").upstream(upstream.uri()))
            .build()).permissiveUris(true).hostAnswer().start()) {
      assertThat(host.client().GET(host.uri("/api/orders")).getStatus()).isEqualTo(200);
      assertThat(host.client().GET(host.uri("/api/items")).getStatus()).isEqualTo(200);
    } finally {
      file.close();
    }
    assertThat(Files.readAllLines(path)).containsExactly(
        "{\"route\":\"api\",\"path\":\"/api/orders\",\"status\":200}",
        "{\"route\":\"api\",\"path\":\"/api/items\",\"status\":200}");
  }

  private static String read(Path path) {
    try {
      return Files.readString(path, UTF_8);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }
}
