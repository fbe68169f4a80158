package dev.portico.gateway.observe.file;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file of lines, appended by a thread of its own, so that the threads handing it lines wait
 * neither for the disk nor for each other. It is the sink for an access log written to a file.
 *
 * <pre>{@code
 * LogFile accessLogFile = LogFile.open(Path.of("/var/log/portico/access.log"));
 * Gateway gateway = Gateway.builder()
 *     .accessLog(JsonAccessLog.builder().sink(accessLogFile).build())
 *     .route("orders", r -> r.path("/api/orders/**").upstream("http://orders:8080"))
 *     .build();
 * ...
 * server.stop();
 * accessLogFile.close();   // writes what is queued, then closes the file
 * }</pre>
 *
 * <p>{@link #accept} queues the line and returns: no lock, no system call, no wait. The writer
 * thread takes the queued lines in batches, encodes each as UTF-8 followed by {@code '\n'}, and
 * appends them with a few large writes, at least once per {@linkplain Builder#flushInterval flush
 * interval} (1 s by default) and sooner when lines pile up. The lines of one thread keep their
 * order. The data reaches the operating system, not necessarily the disk: nothing is synced.
 *
 * <p>It never blocks a caller and never holds more than its {@linkplain Builder#capacity capacity}
 * of lines. When the queue is full (the disk stalls), a line is dropped and counted in
 * {@link #dropped()}; so are the lines of a write that fails (a full disk) and those accepted after
 * {@link #close()}. The writer says so in the log, through SLF4J, at most every 10 s, and goes on
 * with the next batch, reopening the file when a write or an open failed.
 *
 * <p>To rotate, move the file and call {@link #reopen()} (from logrotate's {@code postrotate},
 * say): the lines written before go to the moved file, the next ones to a new file at the path.
 *
 * <p>Its thread is a daemon: a JVM that exits without {@link #close()} loses what was queued.
 */
public final class LogFile implements Consumer<String>, Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(LogFile.class);
  private static final int BUFFER_BYTES = 64 * 1024;
  private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final Path path;
  private final int capacity;
  /** At this many queued lines the caller wakes the writer rather than let it sleep out its interval. */
  private final int wakeAt;
  private final long flushIntervalNanos;
  private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final LongAdder dropped = new LongAdder();
  private final Thread writer;
  /** Held by close(): a private lock, so that no caller's lock on this object can hold it up. */
  private final Object closing = new Object();
  private volatile boolean closed;
  private volatile boolean reopenRequested;

  // The writer thread's alone.
  private @Nullable FileChannel channel;
  // On the heap: a line goes in with an array copy, and the channel copies the buffer out in one go
  // (a direct buffer takes a native copy per line).
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
  private int linesInBuffer;
  private boolean failing;
  private long droppedReported;
  private long lastWarnNanos = System.nanoTime() - WARN_EVERY_NANOS;

  private LogFile(Builder b, FileChannel channel) {
    this.path = b.path;
    this.capacity = b.capacity;
    this.wakeAt = Math.max(1, Math.min(b.capacity / 2, 8192));
    this.flushIntervalNanos = b.flushInterval.toNanos();
    this.channel = channel;
    this.writer = new Thread(this::run, "portico-log-file-" + path.getFileName());
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * Opens {@code path} for appending (creating the file, not its directory), with the defaults:
   * 65,536 lines at most queued, written at least every second.
   *
   * @throws IOException when the file cannot be opened for writing
   */
  public static LogFile open(Path path) throws IOException {
    return builder(path).open();
  }

  /** Returns a builder for a log file at {@code path}. */
  public static Builder builder(Path path) {
    return new Builder(requireNonNull(path, "path"));
  }

  /** Returns the path written to. */
  public Path path() {
    return path;
  }

  /** Returns how many lines were dropped so far: queue full, a failed write, or accepted after close. */
  public long dropped() {
    return dropped.sum();
  }

  /** Queues {@code line} (without its line break) to be appended, or drops and counts it when the queue is full. */
  @Override
  public void accept(String line) {
    requireNonNull(line, "line");
    if (closed) {
      dropped.increment();
      return;
    }
    int n = queued.incrementAndGet();
    if (n > capacity) {
      queued.decrementAndGet();
      dropped.increment();
      return;
    }
    queue.offer(line);
    if (n == wakeAt) {
      LockSupport.unpark(writer);
    }
  }

  /**
   * Has the writer close the file and open the path again, for log rotation: what was queued
   * before goes to the old file. Returns at once.
   */
  public void reopen() {
    reopenRequested = true;
    LockSupport.unpark(writer);
  }

  /**
   * Writes the lines queued, closes the file and stops the writer, waiting for it. Lines accepted
   * afterwards are dropped and counted. Calling it again does nothing.
   */
  @Override
  public void close() {
    synchronized (closing) {   // a second caller waits for the first to finish
      if (closed) {
        return;
      }
      closed = true;
      LockSupport.unpark(writer);
      boolean interrupted = false;
      while (writer.isAlive()) {
        try {
          writer.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      // Lines from threads that found the file open just as it closed.
      while (queue.poll() != null) {
        queued.decrementAndGet();
        dropped.increment();
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }


  @Override
  public String toString() {
    return "LogFile[" + path + "]";
  }

  private void run() {
    try {
      while (true) {
        boolean last = closed;
        try {
          if (reopenRequested || channel == null) {
            reopenRequested = false;
            reopenChannel();
          }
          drain();
          warnAboutDrops();
        } catch (RuntimeException e) {
          LOG.error("Log file {}: the writer failed ({}); it goes on with the next batch", path, e.toString());
        }
        if (last) {
          return;
        }
        LockSupport.parkNanos(this, flushIntervalNanos);
      }
    } finally {
      closeChannel();
    }
  }

  private void drain() {
    for (String line; (line = queue.poll()) != null; ) {
      queued.decrementAndGet();
      append(line.getBytes(StandardCharsets.UTF_8));
    }
    flush();
  }

  private void append(byte[] line) {
    if (line.length + 1 > buffer.remaining()) {
      flush();
    }
    if (line.length + 1 > buffer.capacity()) {   // larger than the buffer: written by itself
      write(ByteBuffer.allocate(line.length + 1).put(line).put((byte) '\n').flip(), 1);
      return;
    }
    buffer.put(line).put((byte) '\n');
    linesInBuffer++;
  }

  private void flush() {
    buffer.flip();
    write(buffer, linesInBuffer);
    buffer.clear();
    linesInBuffer = 0;
  }

  private void write(ByteBuffer bytes, int lines) {
    if (!bytes.hasRemaining()) {
      return;
    }
    FileChannel out = channel;
    if (out == null) {
      dropped.add(lines);
      return;
    }
    try {
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
      if (failing) {
        failing = false;
        LOG.info("Log file {}: writes succeed again", path);
      }
    } catch (IOException e) {
      dropped.add(lines);
      if (!failing) {
        failing = true;
        LOG.warn("Log file {}: a write failed ({}); lines are dropped and counted until one succeeds", path, e.toString());
      }
      closeChannel();   // opened again at the next batch
    }
  }

  private void reopenChannel() {
    if (channel != null) {
      flush();
      closeChannel();
    }
    try {
      channel = openChannel(path);
    } catch (IOException e) {
      if (!failing) {
        failing = true;
        LOG.warn("Log file {}: cannot open it ({}); lines are dropped and counted until it opens", path, e.toString());
      }
    }
  }

  private void closeChannel() {
    FileChannel out = channel;
    channel = null;
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        LOG.warn("Log file {}: closing it failed ({})", path, e.toString());
      }
    }
  }

  private void warnAboutDrops() {
    long total = dropped.sum();
    long now = System.nanoTime();
    if (total > droppedReported && now - lastWarnNanos >= WARN_EVERY_NANOS) {
      LOG.warn("Log file {}: {} lines dropped ({} in all): the queue was full ({} lines) or writes failed",
          path, total - droppedReported, total, capacity);
      droppedReported = total;
      lastWarnNanos = now;
    }
  }

  private static FileChannel openChannel(Path path) throws IOException {
    return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  /** Builds a {@link LogFile}. */
  public static final class Builder {
    private final Path path;
    private int capacity = 65_536;
    private Duration flushInterval = Duration.ofSeconds(1);

    Builder(Path path) {
      this.path = path;
    }

    /**
     * Sets how many lines may wait for the writer (default 65,536); beyond, a line is dropped and
     * counted. The memory it bounds is about this many times the length of a line.
     */
    public Builder capacity(int lines) {
      this.capacity = lines;
      return this;
    }

    /** Sets how long queued lines may wait before the writer appends them (default 1 s, at most 1 h). */
    public Builder flushInterval(Duration interval) {
      this.flushInterval = requireNonNull(interval, "interval");
      return this;
    }

    /**
     * Opens the file for appending, creating it (not its directory) when missing, and starts the
     * writer.
     *
     * @throws IllegalArgumentException when the capacity or the flush interval is not positive, or the
     *     interval is over an hour
     * @throws IOException when the file cannot be opened for writing
     */
    public LogFile open() throws IOException {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity: " + capacity + " lines (expected: at least 1)");
      }
      if (flushInterval.isNegative() || flushInterval.isZero()) {
        throw new IllegalArgumentException("flushInterval: " + flushInterval + " (expected: positive)");
      }
      if (flushInterval.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("flushInterval: " + flushInterval + " (expected: at most 1 h)");
      }
      return new LogFile(this, openChannel(path));
    }
  }
}
