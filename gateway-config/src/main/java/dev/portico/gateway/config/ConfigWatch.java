package dev.portico.gateway.config;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.observe.ConfigurationStatus;
import dev.portico.gateway.observe.GatewayObserver;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a configuration file to a running gateway whenever the file changes, through
 * {@link RunningGateway#reconfigure}, so no request is lost. A file that cannot become a gateway
 * changes nothing: the old configuration keeps serving, the error is logged with its positions and
 * counted in {@link #failures()}. Made by {@link GatewayConfig#watch} or {@link GatewayConfig#follow}.
 *
 * <p>{@link #status()} is what an admin view shows ({@code AdminHandler.builder(handler)
 * .configuration(watch::status)}), and a watch given the gateway's observer tells it of each reload,
 * applied or refused ({@link GatewayObserver#configurationReloaded}), so that metrics count them.
 *
 * <p>One daemon thread per watch waits for file system events on the file's directory (so that
 * editors that replace the file are seen too), lets a burst of events settle, and reads the file
 * only when its content changed. Each applied file makes new authenticators and limiters: a
 * limiter defined in the file starts with full buckets, while objects the host registered keep
 * their state. Thread-safe; {@link #close()} stops watching.
 */
public final class ConfigWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigWatch.class);
  private static final long SETTLE_MILLIS = 50;

  /**
   * The file version a running gateway was last given.
   *
   * @param sha256 the SHA-256 of the file's bytes, in hex
   * @param appliedAt when it was applied
   */
  public record Version(String sha256, Instant appliedAt) {
    /** Checks no component is null. */
    public Version {
      requireNonNull(sha256, "sha256");
      requireNonNull(appliedAt, "appliedAt");
    }
  }

  private final GatewayConfig config;
  private final Path file;
  private final RunningGateway running;
  private final GatewayObserver observer;
  private final Clock clock;
  private final WatchService watcher;
  private final Thread thread;
  /** Written by the constructor, then by the watch thread only; read from any thread. */
  private volatile ConfigurationStatus status;
  private final AtomicReference<@Nullable RuntimeException> lastError = new AtomicReference<>();

  ConfigWatch(GatewayConfig config, Path file, RunningGateway running, GatewayObserver observer, Clock clock)
      throws IOException {
    this.config = config;
    this.file = file.toAbsolutePath();
    this.running = running;
    this.observer = observer;
    this.clock = clock;
    Gateway first = config.read(this.file);
    byte[] bytes = Files.readAllBytes(this.file);
    running.reconfigure(first);
    status = new ConfigurationStatus(this.file.toString(), sha256(bytes), clock.instant(), 0, 0, Optional.empty());
    this.watcher = this.file.getFileSystem().newWatchService();
    this.file.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
        StandardWatchEventKinds.ENTRY_DELETE);
    this.thread = new Thread(this::run, "portico-config-watch " + this.file.getFileName());
    thread.setDaemon(true);
    thread.start();
  }

  /** The watched file. */
  public Path file() {
    return file;
  }

  /** The version of the file the running gateway was last given. */
  public Version version() {
    ConfigurationStatus now = status;
    return new Version(now.sha256(), now.appliedAt());
  }

  /** How many changed files were applied since the watch started (the first read not counted). */
  public long reloads() {
    return status.reloads();
  }

  /** How many changed files could not be applied (the old configuration kept serving). */
  public long failures() {
    return status.failures();
  }

  /**
   * The file, the version the running gateway was last given, the reloads and refusals so far and
   * the last refusal's message (file, line, column and key path of each problem), in one value.
   */
  public ConfigurationStatus status() {
    return status;
  }

  /**
   * Why the last changed file could not be applied: a {@link ConfigException}, or the
   * {@link IllegalStateException} of a gateway that refused it; empty once a later file applied.
   */
  public Optional<RuntimeException> lastError() {
    return Optional.ofNullable(lastError.get());
  }

  /** Stops watching; the running gateway keeps its configuration. */
  @Override
  public void close() {
    try {
      watcher.close();
    } catch (IOException e) {
      LOG.debug("closing the watch service of {}", file, e);
    }
    thread.interrupt();
  }

  private void run() {
    try {
      while (true) {
        WatchKey key = watcher.take();
        boolean ours = concernsFile(key);
        // Let a burst settle: an editor's save is often several events, a copy many.
        WatchKey more;
        while ((more = watcher.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
          ours |= concernsFile(more);
        }
        if (ours) {
          apply();
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    }
  }

  private boolean concernsFile(WatchKey key) {
    boolean ours = false;
    for (WatchEvent<?> event : key.pollEvents()) {
      ours |= event.kind() == StandardWatchEventKinds.OVERFLOW
          || event.context() instanceof Path changed && changed.equals(file.getFileName());
    }
    key.reset();
    return ours;
  }

  private void apply() {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      // Deleted or being replaced: the next event brings the new file.
      LOG.debug("{} cannot be read now ({}); keeping the running configuration", file, e.toString());
      return;
    }
    String hash = sha256(bytes);
    ConfigurationStatus before = status;
    if (hash.equals(before.sha256())) {
      return;
    }
    ConfigurationStatus after;
    boolean applied;
    try {
      running.reconfigure(config.read(file));
      lastError.set(null);
      after = new ConfigurationStatus(before.source(), hash, clock.instant(), before.reloads() + 1, before.failures(),
          Optional.empty());
      applied = true;
      LOG.info("applied {} (sha256 {})", file, hash.substring(0, 12));
    } catch (ConfigException | IllegalStateException e) {
      lastError.set(e);
      after = new ConfigurationStatus(before.source(), before.sha256(), before.appliedAt(), before.reloads(),
          before.failures() + 1, Optional.of(String.valueOf(e.getMessage())));
      applied = false;
      LOG.warn("{} changed but cannot be applied; the running configuration keeps serving:\n{}", file, e.getMessage());
    }
    status = after;
    try {
      observer.configurationReloaded(after, applied);
    } catch (RuntimeException e) {
      LOG.warn("an observer failed on the reload of {}", file, e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
