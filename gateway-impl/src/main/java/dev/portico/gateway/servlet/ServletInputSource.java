package dev.portico.gateway.servlet;

import static java.util.Objects.requireNonNull;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.Trailers;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request body of a servlet request as a demand-driven {@link Content.Source}, read through
 * the non-blocking {@link ServletInputStream} API: it never blocks a thread.
 *
 * <p>{@link #read()} returns a chunk only when {@link ServletInputStream#isReady()} promised one
 * without blocking, and null otherwise; the container then owes a {@link ReadListener} call, which
 * runs the pending {@link #demand} callback. The {@code ReadListener} is registered on the first
 * {@code read()} or {@code demand()} (not before: Jetty sends {@code 100 Continue} when the input
 * stream is first taken).
 *
 * <p>Demand callbacks never nest: one that demands again while data is ready returns first, and
 * the thread that ran it runs the next one (a drain loop), so a reader that reads one chunk per
 * callback uses a bounded stack whatever the body size.
 */
final class ServletInputSource implements Content.Source {
  private static final Logger LOG = LoggerFactory.getLogger(ServletInputSource.class);

  private final HttpServletRequest request;
  private final ByteBufferPool.Sized buffers;
  private final long length;
  private final Consumer<Throwable> onClientFailure;
  private final AtomicReference<@Nullable Runnable> demand = new AtomicReference<>();
  private final AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
  /** Work-in-progress counter of the drain loop: non-zero while a thread runs it. */
  private final AtomicInteger drains = new AtomicInteger();
  /** Non-null once the ReadListener is registered; only then may the stream be polled. */
  private volatile @Nullable ServletInputStream input;
  private boolean registering;
  private volatile Content.@Nullable Chunk terminal;

  ServletInputSource(
      HttpServletRequest request, ByteBufferPool.Sized buffers, long length,
      Consumer<Throwable> onClientFailure) {
    this.request = request;
    this.buffers = buffers;
    this.length = length;
    this.onClientFailure = onClientFailure;
  }

  @Override
  public long getLength() {
    return length;
  }

  /**
   * The end of the body: the request's trailers (HTTP/2, a gRPC client's) as the last chunk when it
   * sent some, as Jetty's core request does, or end-of-content.
   */
  private Content.Chunk end() {
    if (request.isTrailerFieldsReady()) {
      Map<String, String> fields = request.getTrailerFields();
      if (!fields.isEmpty()) {
        HttpFields.Mutable trailers = HttpFields.build(fields.size());
        fields.forEach(trailers::add);
        return new Trailers(trailers.asImmutable());
      }
    }
    return Content.Chunk.EOF;
  }

  @Override
  public Content.@Nullable Chunk read() {
    Content.Chunk end = terminal;
    if (end != null) {
      return end;
    }
    Throwable failed = failure.get();
    if (failed != null) {
      return terminal = Content.Chunk.from(failed, true);
    }
    try {
      ServletInputStream in = listening();
      if (in == null) {
        return null;
      }
      while (true) {
        if (in.isFinished()) {
          return terminal = end();
        }
        if (!in.isReady()) {
          return null;
        }
        RetainableByteBuffer.Mutable buffer = buffers.acquire();
        ByteBuffer bytes = buffer.getByteBuffer();
        int read;
        try {
          bytes.clear();
          read = in.read(bytes.array(), bytes.arrayOffset(), bytes.capacity());
        } catch (Throwable x) {
          buffer.release();
          throw x;
        }
        if (read > 0) {
          bytes.limit(read);
          return Content.Chunk.from(buffer, false);
        }
        buffer.release();
        if (read < 0) {
          return terminal = end();
        }
      }
    } catch (Throwable x) {
      return terminal = Content.Chunk.from(broken(x), true);
    }
  }

  @Override
  public void demand(Runnable callback) {
    requireNonNull(callback, "callback");
    if (!demand.compareAndSet(null, callback)) {
      throw new IllegalStateException("demand pending");
    }
    drain();
  }

  /** Stops reading: from now on {@link #read()} returns a failure chunk. */
  @Override
  public void fail(Throwable cause) {
    failure.compareAndSet(null, requireNonNull(cause, "cause"));
    drain();
  }

  /** Returns whether nothing has read from, demanded or failed this body yet. */
  boolean unread() {
    return input == null && terminal == null && failure.get() == null;
  }

  /**
   * Reads and drops the rest of the body, then runs {@code then}: once the body ended, or failed
   * (the client went away, or the container gave up on it).
   */
  void discardThen(Runnable then) {
    new Runnable() {
      @Override
      public void run() {
        while (true) {
          Content.Chunk chunk = read();
          if (chunk == null) {
            demand(this);
            return;
          }
          chunk.release();
          if (chunk.isLast()) {
            then.run();
            return;
          }
        }
      }
    }.run();
  }

  /**
   * Runs the pending demand callback if the stream can be read without blocking (or has ended).
   * Called for every event that may make it readable; only one thread runs the loop at a time, and
   * any event that arrives meanwhile makes that thread go round once more.
   */
  private void drain() {
    if (drains.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      Runnable callback = demand.get();
      if (callback != null && readable() && demand.compareAndSet(callback, null)) {
        try {
          callback.run();
        } catch (Throwable x) {
          LOG.warn("request body demand callback failed", x);
        }
      }
      missed = drains.addAndGet(-missed);
    } while (missed != 0);
  }

  /**
   * Returns whether {@link #read()} would return a chunk now. Polling {@code isReady()} is what
   * obliges the container to call the ReadListener once it returned false.
   */
  private boolean readable() {
    if (terminal != null || failure.get() != null) {
      return true;
    }
    try {
      ServletInputStream in = listening();
      return in != null && (in.isFinished() || in.isReady());
    } catch (Throwable x) {
      broken(x);
      return true;
    }
  }

  /**
   * Records that the input stream threw {@code x}: the client went away (or the container ended
   * the exchange). Returns the failure that stands.
   */
  private Throwable broken(Throwable x) {
    if (failure.compareAndSet(null, x)) {
      onClientFailure.accept(x);
    }
    return requireNonNull(failure.get());
  }

  /**
   * Returns the input stream with this source's ReadListener registered, registering it first if
   * needed, or null while the registration is under way on this thread (a container may call the
   * listener from within {@code setReadListener}); the registering thread drains afterwards.
   */
  private @Nullable ServletInputStream listening() throws IOException {
    ServletInputStream in = input;
    if (in != null) {
      return in;
    }
    synchronized (this) {
      if (input != null || registering) {
        return input;
      }
      registering = true;
      try {
        in = request.getInputStream();
        in.setReadListener(new Listener());
        input = in;
      } finally {
        registering = false;
      }
    }
    return in;
  }

  private final class Listener implements ReadListener {
    @Override
    public void onDataAvailable() {
      drain();
    }

    @Override
    public void onAllDataRead() {
      drain();
    }

    @Override
    public void onError(Throwable cause) {
      broken(cause);
      drain();
    }
  }
}
