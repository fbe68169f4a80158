package dev.portico.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.observe.ConfigurationStatus;
import dev.portico.gateway.observe.ExchangeObserver;
import dev.portico.gateway.observe.ExchangeStart;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.UpstreamAnswer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A watched file applied to a running Jetty gateway: changes under load lose nothing, bad changes change nothing. */
class ConfigWatchTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dir;
  private FakeUpstream blue;
  private FakeUpstream green;
  private GatewayServer server;
  private ConfigWatch watch;
  private GatewayConfig config;
  private Path file;

  @BeforeEach
  void start() throws Exception {
    blue = FakeUpstream.start();
    blue.answer(UpstreamAnswer.text(200, "blue"));
    green = FakeUpstream.start();
    green.answer(UpstreamAnswer.text(200, "green"));
    config = GatewayConfig.builder().environment(Map.of("BLUE", blue.uri(), "GREEN", green.uri())::get).build();
    file = dir.resolve("gateway.yaml");
    write(file, "BLUE");
    server = GatewayServer.start(config.read(file));
    watch = config.follow(file, server.handler());
  }

  @AfterEach
  void stop() throws Exception {
    watch.close();
    server.close();
    blue.close();
    green.close();
  }

  /** Replaces the file the way editors and deployment tools do: a new file moved over the old. */
  private void write(Path target, String upstream) throws Exception {
    replace(target, """
        routes:
          - id: app
            path: /app/**
            upstream: ${env:%s}
            permitAll: true
        """.formatted(upstream));
  }

  private void replace(Path target, String text) throws Exception {
    Path next = dir.resolve("next.tmp");
    Files.writeString(next, text);
    Files.move(next, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static HttpResponse<String> get(GatewayServer server) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(server.uri("/app/x")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(10); // polling with a deadline: the watch thread works on its own time
    }
  }

  @Test
  void appliesAChangedFileUnderLoadWithoutLosingARequest() throws Exception {
    ConfigWatch.Version first = watch.version();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger answered = new AtomicInteger();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    ExecutorService load = Executors.newFixedThreadPool(4);
    List<Future<?>> clients = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      clients.add(load.submit(() -> {
        while (running.get()) {
          try {
            HttpResponse<String> response = get(server);
            if (response.statusCode() != 200) {
              failures.add(response.statusCode() + " " + response.body());
            }
            answered.incrementAndGet();
          } catch (Exception e) {
            failures.add(e.toString());
          }
        }
        return null;
      }));
    }
    try {
      await(() -> answered.get() > 50, "load before the change");
      write(file, "GREEN");
      await(() -> watch.reloads() == 1, "the changed file applied");
      int atChange = answered.get();
      await(() -> answered.get() > atChange + 50, "load after the change");
    } finally {
      running.set(false);
      for (Future<?> client : clients) {
        client.get();
      }
      load.shutdown();
    }
    assertThat(failures).isEmpty();
    assertThat(get(server).body()).isEqualTo("green");
    assertThat(watch.version().sha256()).isNotEqualTo(first.sha256());
    assertThat(watch.failures()).isZero();
  }

  @Test
  void anInvalidChangeKeepsTheOldConfigurationServingAndSaysWhereItIsWrong() throws Exception {
    ConfigWatch.Version first = watch.version();
    replace(file, """
        routes:
          - id: app
            path: /app/**
            upstream: ${env:GREEN}
            permitAl: true
        """);
    await(() -> watch.failures() == 1, "the bad file refused");
    assertThat(watch.lastError()).hasValueSatisfying(e -> assertThat(e.getMessage())
        .isEqualTo(file.toAbsolutePath() + ":5:5 routes[0].permitAl: unknown key 'permitAl' (did you mean 'permitAll'?)"));
    assertThat(get(server).body()).isEqualTo("blue");
    assertThat(watch.version()).isEqualTo(first);

    write(file, "GREEN");
    await(() -> watch.reloads() == 1, "the fixed file applied");
    assertThat(watch.lastError()).isEmpty();
    assertThat(get(server).body()).isEqualTo("green");
  }

  @Test
  void theObserverIsToldOfEachReloadAndTheStatusShowsVersionCountsAndTheLastErrorWithItsPosition() throws Exception {
    record Reload(ConfigurationStatus status, boolean applied) {}
    ConcurrentLinkedQueue<Reload> reloads = new ConcurrentLinkedQueue<>();
    GatewayObserver observer = new GatewayObserver() {
      @Override
      public ExchangeObserver exchangeStarted(ExchangeStart start) {
        return ExchangeObserver.NONE;
      }

      @Override
      public void configurationReloaded(ConfigurationStatus status, boolean applied) {
        reloads.add(new Reload(status, applied));
      }
    };
    watch.close();
    watch = config.follow(file, server.handler(), observer);
    ConfigurationStatus first = watch.status();
    assertThat(first.source()).isEqualTo(file.toAbsolutePath().toString());
    assertThat(first.sha256()).isEqualTo(watch.version().sha256()).hasSize(64);
    assertThat(first.reloads()).isZero();
    assertThat(first.failures()).isZero();
    assertThat(first.lastError()).isEmpty();

    replace(file, """
        routes:
          - id: app
            path: /app/**
            upstream: ${env:GREEN}
            permitAl: true
        """);
    await(() -> reloads.size() == 1, "the refusal observed");
    Reload refused = reloads.peek();
    assertThat(refused.applied()).isFalse();
    assertThat(refused.status()).isEqualTo(watch.status());
    assertThat(refused.status().sha256()).isEqualTo(first.sha256());
    assertThat(refused.status().appliedAt()).isEqualTo(first.appliedAt());
    assertThat(refused.status().failures()).isEqualTo(1);
    assertThat(refused.status().lastError()).hasValueSatisfying(m -> assertThat(m).startsWith(file.toAbsolutePath() + ":5:5 routes[0].permitAl"));
    assertThat(get(server).body()).isEqualTo("blue");

    write(file, "GREEN");
    await(() -> reloads.size() == 2, "the fixed file observed");
    Reload applied = reloads.stream().skip(1).findFirst().orElseThrow();
    assertThat(applied.applied()).isTrue();
    assertThat(applied.status().sha256()).isNotEqualTo(first.sha256());
    assertThat(applied.status().reloads()).isEqualTo(1);
    assertThat(applied.status().failures()).isEqualTo(1);
    assertThat(applied.status().lastError()).isEmpty();
    assertThat(watch.status()).isEqualTo(applied.status());
    assertThat(get(server).body()).isEqualTo("green");
  }
}
