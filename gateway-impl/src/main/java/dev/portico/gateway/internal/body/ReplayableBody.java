package dev.portico.gateway.internal.body;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.io.Content;
import org.jspecify.annotations.Nullable;

/**
 * The client's request body when the route may retry: it streams to the first try as
 * {@link ClientBodyContent} does, and keeps a copy of what passed, up to {@code cap} bytes, so a
 * later try can send it again and then go on reading the client. Past the cap the copy is dropped
 * and the body is no longer replayable. Tries run one after another, never two at once. Not public
 * API.
 */
public final class ReplayableBody {
  private final ClientBodyContent fresh;
  private final int cap;
  private byte[] copy = new byte[0];
  private int size;
  private boolean overflow;
  private boolean complete;
  private @Nullable Attempt current;
  /** The client's body takes one demand at a time: a try that replaced an aborted one may find one pending. */
  private boolean demanding;
  private @Nullable Runnable onAvailable;

  public ReplayableBody(ClientBodyContent fresh, int cap) {
    this.fresh = fresh;
    this.cap = cap;
  }

  /** Returns whether a new try can send the whole body: nothing read was dropped. */
  public synchronized boolean replayable() {
    return !overflow;
  }

  /** Returns the content of a new try; the previous try's content reads nothing more. */
  public synchronized Request.Content newAttempt() {
    if (current != null) {
      current.closed = true;
    }
    Attempt attempt = new Attempt();
    current = attempt;
    return attempt;
  }

  /**
   * The exchange is done with the upstream: if the last try's content was failed by the upstream
   * side, the client's body is failed too, as without retries (the client's unread rest is dropped).
   */
  public synchronized void done() {
    Attempt last = current;
    if (last != null && last.failure != null) {
      fresh.fail(last.failure);
    }
  }

  /**
   * Demands from the client's body for the current try. A demand an aborted try left pending is
   * reused (the client's source takes only one at a time): when it fires, the latest callback runs.
   */
  private void demandFresh(Runnable callback) {
    boolean first;
    synchronized (this) {
      onAvailable = callback;
      first = !demanding;
      demanding = true;
    }
    if (first) {
      fresh.demand(this::available);
    }
  }

  private void available() {
    Runnable callback;
    synchronized (this) {
      demanding = false;
      callback = onAvailable;
      onAvailable = null;
    }
    if (callback != null) {
      callback.run();
    }
  }

  private synchronized void keep(Content.Chunk chunk) {
    if (chunk.isLast()) {
      complete = true;
    }
    if (overflow || !chunk.hasRemaining()) {
      return;
    }
    int n = chunk.remaining();
    if (size + n > cap) {
      overflow = true;
      copy = new byte[0];
      return;
    }
    if (size + n > copy.length) {
      copy = Arrays.copyOf(copy, Math.min(cap, Math.max(size + n, copy.length * 2)));
    }
    chunk.getByteBuffer().duplicate().get(copy, size, n);
    size += n;
  }

  /** One try's view: first the kept bytes, then the rest of the client's body. */
  private final class Attempt implements Request.Content {
    private int replayed;
    volatile boolean closed;
    volatile @Nullable Throwable failure;

    @Override
    public long getLength() {
      return fresh.getLength();
    }

    @Override
    public @Nullable String getContentType() {
      return fresh.getContentType();
    }

    @Override
    public Content.@Nullable Chunk read() {
      if (closed) {
        return Content.Chunk.from(new CancellationException("a later try took over the body"), true);
      }
      synchronized (ReplayableBody.this) {
        if (replayed < size) {
          ByteBuffer kept = ByteBuffer.wrap(copy, replayed, size - replayed).slice().asReadOnlyBuffer();
          replayed = size;
          return Content.Chunk.from(kept, complete);
        }
        if (complete) {
          return Content.Chunk.EOF;
        }
      }
      Content.Chunk chunk = fresh.read();
      if (chunk != null && !Content.Chunk.isFailure(chunk)) {
        keep(chunk);
        synchronized (ReplayableBody.this) {
          replayed = size;
        }
      }
      return chunk;
    }

    @Override
    public void demand(Runnable demandCallback) {
      boolean ready;
      synchronized (ReplayableBody.this) {
        ready = closed || replayed < size || complete;
      }
      if (ready) {
        demandCallback.run();
      } else {
        demandFresh(demandCallback);
      }
    }

    @Override
    public void fail(Throwable failure) {
      // Kept until the proxy step knows whether another try follows: see done().
      this.failure = failure;
    }

    @Override
    public boolean rewind() {
      return false;
    }
  }
}
