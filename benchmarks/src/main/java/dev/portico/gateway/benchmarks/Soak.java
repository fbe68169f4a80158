package dev.portico.gateway.benchmarks;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.observe.file.LogFile;
import dev.portico.gateway.observe.json.JsonAccessLog;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.ratelimit.bucket4j.Quota;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * A soak test: a gateway with JWT authentication, an in-memory rate limit and a JSON access log, in
 * front of a real upstream, driven at a steady rate for a fixed time, reporting every minute
 * whether anything drifts (throughput, unexpected outcomes, heap after GC, open file descriptors,
 * threads). Not part of the build; run by hand:
 *
 * <pre>{@code
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java -Xms512m -Xmx512m -cp benchmarks/target/benchmarks.jar dev.portico.gateway.benchmarks.Soak \
 *     [--rate 1000] [--duration 10m] [--settle 70s] [--work-dir /tmp]
 * }</pre>
 *
 * <p>Everything runs in this JVM on 127.0.0.1: an upstream (Jetty, answering {@code ok}), the gateway
 * (Jetty core with {@link JettyGatewayHandler}) and the load (Jetty {@link HttpClient}, one request
 * every {@code 1/rate} seconds on a fixed schedule, never waiting for answers). The mix is fixed:
 * of every 100 requests, 98 carry a valid HS256 token for one of 100 users and must get 200 with
 * the upstream's body; one carries a token signed with another key and must get 401 with a
 * {@code WWW-Authenticate} challenge; one carries a valid token of a user on the {@code exhausted}
 * plan (a quota that starts empty) and must get 429 with {@code Retry-After}. Anything else (another
 * status, a missing header, a wrong body, a failed or timed-out exchange, an access log entry
 * missing) counts as unexpected; the exit status is 1 when any was seen.
 *
 * <p>Heap is measured after {@link System#gc()}, as used heap from the {@code MemoryMXBean}; file
 * descriptors are the entries of {@code /proc/self/fd} (Linux), threads the JVM's live threads:
 * upstream, gateway and load generator together, also counted by pool ({@code upstream},
 * {@code gateway} and {@code load} are Jetty pools of at most 200 threads each;
 * {@code portico-upstream} is the gateway's upstream client). Connections and pool threads grow
 * with the requests in flight (the load generator opens up to 512 connections when answers slow
 * down), so the end figures are taken twice: right after the last answer, and after
 * {@code --settle} (70 s by default) of quiet, when idle connections have timed out. Jetty retires
 * idle pool threads slowly (one per pool per minute), so threads are judged by pool against its
 * maximum rather than against the start.
 *
 * <p>The access log is checked too: one entry for every exchange the gateway answered, and one line
 * for every entry in the file its {@link LogFile} wrote, none dropped.
 */
public final class Soak {
  private static final byte[] SECRET = "soak-secret-0123456789abcdef-0123".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] WRONG_SECRET = "wrong-secret-0123456789abcdef-012".getBytes(StandardCharsets.US_ASCII);
  private static final String BODY = "ok";
  private static final int USERS = 100;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** Requests in flight above which the schedule counts a send as missed instead of queueing it. */
  private static final int MAX_IN_FLIGHT = 5_000;
  private static final Duration LOAD_IDLE_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration GATEWAY_IDLE_TIMEOUT = Duration.ofSeconds(30);   // Jetty's default
  private static final Duration UPSTREAM_IDLE_TIMEOUT = Duration.ofSeconds(60);

  private final long rate;
  private final Duration duration;
  private final Duration settle;
  private final Path workDir;

  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong missed = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong maxInFlight = new AtomicLong();
  private final AtomicLong unexpected = new AtomicLong();
  private final AtomicLong accessLogEntries = new AtomicLong();
  /** Entries since the start, the warm-up's included: what the access log file must hold. */
  private final AtomicLong accessLogEntriesInAll = new AtomicLong();
  /** Exchanges that failed at the transport (no response): the gateway may never have seen them. */
  private final AtomicLong failedExchanges = new AtomicLong();
  private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
  private final Map<String, String> firstUnexpected = new ConcurrentHashMap<>();
  /** Latency histogram: bucket i holds exchanges that took [2^i, 2^(i+1)) microseconds. */
  private final AtomicLongArray latency = new AtomicLongArray(40);

  private Soak(long rate, Duration duration, Duration settle, Path workDir) {
    this.rate = rate;
    this.duration = duration;
    this.settle = settle;
    this.workDir = workDir;
  }

  public static void main(String[] args) throws Exception {
    long rate = 1_000;
    Duration duration = Duration.ofMinutes(10);
    Duration settle = Duration.ofSeconds(70);
    Path workDir = Path.of(System.getProperty("java.io.tmpdir"));
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--rate" -> rate = Long.parseLong(value);
        case "--duration" -> duration = parseDuration(value);
        case "--settle" -> settle = parseDuration(value);
        case "--work-dir" -> workDir = Path.of(value);
        default -> {
          System.err.println("usage: Soak [--rate REQUESTS_PER_SECOND] [--duration 10m|90s|PT10M] [--settle 70s] [--work-dir DIR]");
          System.exit(2);
        }
      }
      i++;
    }
    if (rate <= 0 || rate > 1_000_000) {
      throw new IllegalArgumentException("rate: " + rate + " (expected: 1 to 1000000)");
    }
    boolean clean = new Soak(rate, duration, settle, workDir).run();
    System.exit(clean ? 0 : 1);
  }

  static Duration parseDuration(String text) {
    if (text.startsWith("P") || text.startsWith("p")) {
      return Duration.parse(text);
    }
    long amount = Long.parseLong(text.substring(0, text.length() - 1));
    return switch (text.charAt(text.length() - 1)) {
      case 's' -> Duration.ofSeconds(amount);
      case 'm' -> Duration.ofMinutes(amount);
      case 'h' -> Duration.ofHours(amount);
      default -> throw new IllegalArgumentException("duration: " + text + " (expected: e.g. 90s, 10m, PT10M)");
    };
  }

  private boolean run() throws Exception {
    // Keep-alive on each leg is set up as it should be in production: the client side of a leg
    // gives up an idle connection before the server side does (load generator 20 s < gateway
    // host 30 s; the gateway's upstream client 30 s < upstream 60 s). With equal timeouts a
    // request can be sent on a connection the server is closing at that moment, and fails.
    Server upstream = new Server(threadPool("upstream"));
    ServerConnector upstreamConnector = connector(upstream, UPSTREAM_IDLE_TIMEOUT);
    upstream.setHandler(new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        Content.Sink.write(response, true, BODY, callback);
        return true;
      }
    });
    upstream.start();

    Path accessLogFile = workDir.resolve("soak-access.log");
    Files.deleteIfExists(accessLogFile);
    LogFile accessLog = LogFile.open(accessLogFile);
    JwtAuthenticator jwt = JwtAuthenticator.builder().hmacSecret(SECRET).audience("soak").planClaim("plan").build();
    Bucket4jRateLimiter limiter = Bucket4jRateLimiter.builder()
        .name("soak")
        .bandwidth(1_000_000, Duration.ofMinutes(1))
        .plan("exhausted", Quota.builder().bandwidth(1, Duration.ofDays(1)).initialTokens(0).build())
        .keyResolver(KeyResolver.principal())
        .build();
    Gateway gateway = Gateway.builder()
        .accessLog(JsonAccessLog.builder().sink(line -> {
          accessLogEntries.incrementAndGet();
          accessLogEntriesInAll.incrementAndGet();
          accessLog.accept(line);
        }).build())
        .route("api", r -> r.path("/api/**")
            .authenticator(jwt)
            .rateLimiter(limiter)
            .upstream("http://127.0.0.1:" + upstreamConnector.getLocalPort()))
        .build();
    Server proxy = new Server(threadPool("gateway"));
    ServerConnector proxyConnector = connector(proxy, GATEWAY_IDLE_TIMEOUT);
    proxy.setHandler(JettyGatewayHandler.create(gateway));
    proxy.start();

    HttpClient client = new HttpClient();
    client.setExecutor(threadPool("load"));
    client.setIdleTimeout(LOAD_IDLE_TIMEOUT.toMillis());
    client.setMaxConnectionsPerDestination(512);
    client.setMaxRequestsQueuedPerDestination(MAX_IN_FLIGHT * 2);
    client.start();

    long exp = Instant.now().plus(duration).plus(Duration.ofHours(1)).getEpochSecond();
    String[] good = new String[USERS];
    for (int u = 0; u < USERS; u++) {
      good[u] = "Bearer " + token(SECRET, "user-" + u, null, exp);
    }
    String forged = "Bearer " + token(WRONG_SECRET, "user-0", null, exp);
    String greedy = "Bearer " + token(SECRET, "greedy", "exhausted", exp);
    String base = "http://127.0.0.1:" + proxyConnector.getLocalPort() + "/api/items/";

    // One request of each kind before measuring, so the start figures include the loaded classes.
    for (int i = 0; i < 100; i++) {
      send(client, base, i, good, forged, greedy);
    }
    awaitIdle(Duration.ofSeconds(30));
    awaitAccessLog(Duration.ofSeconds(5));
    Sample start = Sample.take();
    System.out.printf(Locale.ROOT, "soak: %d req/s for %s, mix per 100: 98 valid (200), 1 forged token (401), "
        + "1 exhausted quota (429); gateway on :%d, upstream on :%d; java %s, %d cpus, max heap %d MiB; %s%n",
        rate, duration, proxyConnector.getLocalPort(), upstreamConnector.getLocalPort(),
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20, Instant.now());
    System.out.println("start (after warm-up and GC):   " + start);
    System.out.println("threads at the start by name: " + start.threadsByName());
    System.out.println("minute | sent | completed | req/s | 200 | 401 | 429 | unexpected | missed | max in flight "
        + "| p50 ms | p99 ms | max ms | heap after GC MiB | fds | threads");
    resetCounters();

    long periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
    long t0 = System.nanoTime();
    long end = t0 + duration.toNanos();
    long nextReport = t0 + TimeUnit.MINUTES.toNanos(1);
    long lastCompleted = 0;
    long lastReportAt = t0;
    int minute = 0;
    for (long i = 0; ; i++) {
      long due = t0 + i * periodNanos;
      if (due >= end) {
        break;
      }
      long now;
      while ((now = System.nanoTime()) < due) {
        LockSupport.parkNanos(due - now);
      }
      if (inFlight.get() >= MAX_IN_FLIGHT) {
        missed.incrementAndGet();
      } else {
        send(client, base, i, good, forged, greedy);
      }
      if (now >= nextReport) {
        minute++;
        long done = completed.get();
        report(Integer.toString(minute), done - lastCompleted, now - lastReportAt);
        for (int b = 0; b < latency.length(); b++) {
          latency.set(b, 0);
        }
        lastCompleted = done;
        lastReportAt = now;
        nextReport += TimeUnit.MINUTES.toNanos(1);
      }
    }
    long sendingEnded = System.nanoTime();
    boolean drained = awaitIdle(REQUEST_TIMEOUT.plusSeconds(5));
    awaitAccessLog(Duration.ofSeconds(5));
    report(minute == 0 ? "all" : "rest", completed.get() - lastCompleted, System.nanoTime() - lastReportAt);
    Sample drainedSample = Sample.take();
    System.out.println("after drain (and GC):           " + drainedSample);
    System.out.println("threads after drain by name:  " + drainedSample.threadsByName());
    // Idle connections time out (at most 60 s here); Jetty's pools retire idle threads slowly (one per
    // pool per 60 s), so thread counts are read by pool: each is bounded by its maximum.
    LockSupport.parkNanos(settle.toNanos());
    Sample endSample = Sample.take();
    double seconds = (sendingEnded - t0) / 1e9;

    client.stop();
    proxy.stop();
    upstream.stop();
    jwt.close();
    accessLog.close();

    // Every exchange the gateway answered has its entry, and every entry its line in the file.
    long entries = accessLogEntries.get();
    long lines;
    try (var fileLines = Files.lines(accessLogFile)) {
      lines = fileLines.count();
    }
    long answeredByGateway = completed.get() - failedExchanges.get();
    boolean accessLogExact = entries == answeredByGateway && lines == accessLogEntriesInAll.get()
        && accessLog.dropped() == 0;
    if (!drained) {
      unexpected.addAndGet(inFlight.get());
      firstUnexpected.putIfAbsent("drain", inFlight.get() + " exchanges still in flight " + REQUEST_TIMEOUT.plusSeconds(5)
          + " after the last send");
    }
    System.out.println("end (" + settle.toSeconds() + " s idle, and GC):         " + endSample);
    System.out.println("threads at the end by name:   " + endSample.threadsByName());
    System.out.printf(Locale.ROOT, "total: sent %d, completed %d, missed sends %d, average %.1f req/s over %.1f s, "
        + "outcomes %s, unexpected %d; access log entries %d for %d exchanges the gateway answered, %d lines in "
        + "the file for %d entries with the warm-up's, %d dropped (%s)%n",
        sent.get(), completed.get(), missed.get(), completed.get() / seconds, seconds,
        new TreeMap<>(outcomeCounts()), unexpected.get(), entries, answeredByGateway, lines, accessLogEntriesInAll.get(), accessLog.dropped(),
        accessLogExact ? "exact" : "NOT exact");
    System.out.printf(Locale.ROOT, "heap after GC: start %.1f MiB, end %.1f MiB; fds: start %d, end %d; "
        + "threads: start %d, end %d%n",
        start.heapMiB(), endSample.heapMiB(), start.fds(), endSample.fds(), start.threads(), endSample.threads());
    firstUnexpected.forEach((kind, example) -> System.out.println("first unexpected (" + kind + "): " + example));
    Files.deleteIfExists(accessLogFile);
    return unexpected.get() == 0 && missed.get() == 0 && accessLogExact;
  }

  private void resetCounters() {
    maxInFlight.set(0);
    sent.set(0);
    completed.set(0);
    missed.set(0);
    accessLogEntries.set(0);
    failedExchanges.set(0);
    outcomes.clear();
    for (int b = 0; b < latency.length(); b++) {
      latency.set(b, 0);
    }
  }

  private void send(HttpClient client, String base, long i, String[] good, String forged, String greedy) {
    int slot = (int) (i % 100);
    int expected;
    String authorization;
    if (slot == 37) {
      expected = 401;
      authorization = forged;
    } else if (slot == 71) {
      expected = 429;
      authorization = greedy;
    } else {
      expected = 200;
      authorization = good[(int) (i % USERS)];
    }
    sent.incrementAndGet();
    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    long startedAt = System.nanoTime();
    client.newRequest(base + i)
        .headers(h -> h.put(HttpHeader.AUTHORIZATION, authorization))
        .timeout(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .send(new BufferingResponseListener(64 * 1024) {
          @Override
          public void onComplete(Result result) {
            long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startedAt);
            latency.incrementAndGet(Math.min(latency.length() - 1, 63 - Long.numberOfLeadingZeros(Math.max(1, micros))));
            if (result.isFailed()) {
              failedExchanges.incrementAndGet();
            }
            String problem = check(result, expected, this);
            outcomes.computeIfAbsent(problem == null ? Integer.toString(expected) : "unexpected", k -> new AtomicLong())
                .incrementAndGet();
            if (problem != null) {
              unexpected.incrementAndGet();
              firstUnexpected.putIfAbsent(Integer.toString(expected), problem);
            }
            completed.incrementAndGet();
            inFlight.decrementAndGet();
          }
        });
  }

  /** Returns what is wrong with an exchange, or null when it is exactly what its kind must get. */
  private static @Nullable String check(Result result, int expected, BufferingResponseListener body) {
    if (result.isFailed()) {
      return "expected " + expected + ", failed: " + result.getFailure();
    }
    int status = result.getResponse().getStatus();
    if (status != expected) {
      return "expected " + expected + ", got " + status + ": " + body.getContentAsString();
    }
    return switch (expected) {
      case 200 -> BODY.equals(body.getContentAsString()) ? null : "200 with body " + body.getContentAsString();
      case 401 -> result.getResponse().getHeaders().contains(HttpHeader.WWW_AUTHENTICATE) ? null
          : "401 without WWW-Authenticate";
      case 429 -> result.getResponse().getHeaders().contains(HttpHeader.RETRY_AFTER) ? null : "429 without Retry-After";
      default -> "unknown expectation " + expected;
    };
  }

  private boolean awaitIdle(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight.get() > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    return true;
  }

  /** The access log is written as an exchange ends, which can be just after the client saw the response. */
  private void awaitAccessLog(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (accessLogEntries.get() < completed.get() - failedExchanges.get() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  private Map<String, Long> outcomeCounts() {
    Map<String, Long> counts = new TreeMap<>();
    outcomes.forEach((k, v) -> counts.put(k, v.get()));
    return counts;
  }

  private void report(String label, long done, long nanos) {
    Sample sample = Sample.take();
    Map<String, Long> counts = outcomeCounts();
    System.out.printf(Locale.ROOT, "%6s | %d | %d | %.1f | %d | %d | %d | %d | %d | %d | %s | %s | %s | %.1f | %d | %d%n",
        label, sent.get(), completed.get(), done / (nanos / 1e9),
        counts.getOrDefault("200", 0L), counts.getOrDefault("401", 0L), counts.getOrDefault("429", 0L),
        unexpected.get(), missed.get(), maxInFlight.getAndSet(inFlight.get()), percentile(0.50), percentile(0.99), percentile(1.0),
        sample.heapMiB(), sample.fds(), sample.threads());
  }

  /** The upper bound, in milliseconds, of the latency bucket holding the given quantile. */
  private String percentile(double quantile) {
    long total = 0;
    for (int b = 0; b < latency.length(); b++) {
      total += latency.get(b);
    }
    if (total == 0) {
      return "-";
    }
    long rank = (long) Math.ceil(quantile * total);
    long seen = 0;
    for (int b = 0; b < latency.length(); b++) {
      seen += latency.get(b);
      if (seen >= rank) {
        return String.format(Locale.ROOT, "<%.2f", (1L << (b + 1)) / 1000.0);
      }
    }
    return "-";
  }

  private static QueuedThreadPool threadPool(String name) {
    QueuedThreadPool pool = new QueuedThreadPool();   // Jetty's defaults: at most 200 threads
    pool.setName(name);
    return pool;
  }

  private static ServerConnector connector(Server server, Duration idleTimeout) {
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.setIdleTimeout(idleTimeout.toMillis());
    server.addConnector(connector);
    return connector;
  }

  static String token(byte[] secret, String subject, @Nullable String plan, long exp) throws GeneralSecurityException {
    return ProxyTargets.hs256(secret, "{\"sub\":\"" + subject + "\",\"aud\":\"soak\",\"exp\":" + exp
        + (plan == null ? "" : ",\"plan\":\"" + plan + "\"") + "}");
  }

  /** Heap used after a forced GC, open file descriptors and live threads, at one moment. */
  record Sample(double heapMiB, long fds, int threads, Map<String, Long> threadsByName) {
    static Sample take() {
      System.gc();
      System.gc();
      long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      long fds;
      try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
        fds = entries.count();
      } catch (IOException e) {
        fds = -1;
      }
      return new Sample(used / (1024.0 * 1024.0), fds, ManagementFactory.getThreadMXBean().getThreadCount(),
          threadNames());
    }

    /** Live threads counted by name without their number: {@code gateway-42} counts as {@code gateway}. */
    static Map<String, Long> threadNames() {
      Map<String, Long> counts = new TreeMap<>();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        String name = t.getName().replaceAll("@[0-9a-f]+", "").replaceAll("-[0-9]+$", "");
        counts.merge(name.contains("acceptor") || name.contains("selector") ? name.replaceAll("-.*", "") + " I/O" : name,
            1L, Long::sum);
      }
      return counts;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "heap after GC %.1f MiB, open fds %d, threads %d", heapMiB, fds, threads);
    }
  }
}
