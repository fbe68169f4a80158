package dev.portico.gateway.servlet;

import static java.util.Objects.requireNonNull;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritePendingException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a servlet response body through the non-blocking {@link ServletOutputStream} API, one
 * write at a time, never blocking a thread.
 *
 * <p>Each write hands its bytes to the stream when {@link ServletOutputStream#isReady()} says so,
 * then flushes (or, for the last write, closes) the stream, and completes its callback only when
 * {@code isReady()} is true once more: only then has the container finished with the bytes (Jetty
 * writes large arrays without copying them) and may the caller reuse its buffer. Flushing every
 * write sends each chunk on as it comes, as Jetty core's {@code Response.write} does.
 *
 * <p>Callbacks never nest: one that writes again returns first, and the thread that completed it
 * carries the next write on (a drain loop).
 */
final class ServletOutputSink {
  private static final Logger LOG = LoggerFactory.getLogger(ServletOutputSink.class);

  private final HttpServletResponse response;
  private final int sliceSize;
  private final Consumer<Throwable> onClientFailure;
  private final AtomicReference<@Nullable Write> pending = new AtomicReference<>();
  private final AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
  /** Work-in-progress counter of the drain loop: non-zero while a thread runs it. */
  private final AtomicInteger drains = new AtomicInteger();
  private volatile @Nullable ServletOutputStream output;
  private boolean registering;
  private volatile boolean closed;
  /** Holds the bytes of buffers without an accessible array; used by the draining thread only. */
  private byte @Nullable [] slice;

  ServletOutputSink(HttpServletResponse response, int sliceSize, Consumer<Throwable> onClientFailure) {
    this.response = response;
    this.sliceSize = sliceSize;
    this.onClientFailure = onClientFailure;
  }

  /** Writes {@code buffer}, consuming it; {@code last} closes the stream after it. */
  void write(boolean last, ByteBuffer buffer, Callback callback) {
    requireNonNull(buffer, "buffer");
    requireNonNull(callback, "callback");
    Throwable failed = failure.get();
    if (failed != null) {
      callback.failed(failed);
      return;
    }
    if (closed) {
      callback.failed(new IOException("response body already ended"));
      return;
    }
    if (!pending.compareAndSet(null, new Write(last, buffer, callback))) {
      callback.failed(new WritePendingException());
      return;
    }
    if (last) {
      closed = true;
    }
    drain();
  }

  /** Fails the pending write and every later one with {@code cause}. */
  void fail(Throwable cause) {
    failure.compareAndSet(null, cause);
    drain();
  }

  private void drain() {
    if (drains.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      progress();
      missed = drains.addAndGet(-missed);
    } while (missed != 0);
  }

  /** Carries the pending write as far as the stream allows, and completes it when done. */
  private void progress() {
    Write write = pending.get();
    if (write == null) {
      return;
    }
    Throwable failed = failure.get();
    if (failed == null) {
      try {
        ServletOutputStream out = listening();
        if (out == null || !advance(write, out)) {
          return; // the container calls onWritePossible once isReady() is true again
        }
      } catch (Throwable x) {
        failed = broken(x);
      }
    }
    if (!pending.compareAndSet(write, null)) {
      return;
    }
    try {
      if (failed == null) {
        write.callback.succeeded();
      } else {
        write.callback.failed(failed);
      }
    } catch (Throwable x) {
      LOG.warn("response write callback failed", x);
    }
  }

  /** Returns true when {@code write} is complete, false when it waits for the container. */
  private boolean advance(Write write, ServletOutputStream out) throws IOException {
    while (out.isReady()) {
      switch (write.stage) {
        case BYTES -> {
          ByteBuffer buffer = write.buffer;
          if (!buffer.hasRemaining()) {
            write.stage = write.last ? Stage.CLOSE : Stage.FLUSH;
          } else if (buffer.hasArray()) {
            int length = buffer.remaining();
            out.write(buffer.array(), buffer.arrayOffset() + buffer.position(), length);
            buffer.position(buffer.limit());
          } else {
            byte[] bytes = slice;
            if (bytes == null) {
              bytes = slice = new byte[sliceSize];
            }
            int length = Math.min(bytes.length, buffer.remaining());
            buffer.get(bytes, 0, length);
            out.write(bytes, 0, length);
          }
        }
        case FLUSH -> {
          out.flush();
          write.stage = Stage.SETTLE;
        }
        case CLOSE -> {
          out.close();
          write.stage = Stage.SETTLE;
        }
        case SETTLE -> {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Records that the output stream threw {@code x}: the client went away (or the container ended
   * the exchange). Returns the failure that stands.
   */
  private Throwable broken(Throwable x) {
    if (failure.compareAndSet(null, x)) {
      onClientFailure.accept(x);
    }
    return requireNonNull(failure.get());
  }

  private @Nullable ServletOutputStream listening() throws IOException {
    ServletOutputStream out = output;
    if (out != null) {
      return out;
    }
    synchronized (this) {
      if (output != null || registering) {
        return output;
      }
      registering = true;
      try {
        out = response.getOutputStream();
        out.setWriteListener(new Listener());
        output = out;
      } finally {
        registering = false;
      }
    }
    return out;
  }

  private enum Stage { BYTES, FLUSH, CLOSE, SETTLE }

  private static final class Write {
    final boolean last;
    final ByteBuffer buffer;
    final Callback callback;
    Stage stage = Stage.BYTES;

    Write(boolean last, ByteBuffer buffer, Callback callback) {
      this.last = last;
      this.buffer = buffer;
      this.callback = callback;
    }
  }

  private final class Listener implements WriteListener {
    @Override
    public void onWritePossible() {
      drain();
    }

    @Override
    public void onError(Throwable cause) {
      broken(cause);
      drain();
    }
  }
}
