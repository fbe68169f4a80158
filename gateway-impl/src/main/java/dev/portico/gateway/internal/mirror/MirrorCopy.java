package dev.portico.gateway.internal.mirror;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.jspecify.annotations.Nullable;

/**
 * One request's copy for the mirror: {@link #tap} wraps the primary's body and keeps what passes,
 * up to the cap, while it streams (the primary reads as fast as ever: copying is a memory copy of
 * each chunk); when the body ends the copy is sent. A body that grows past the cap is skipped, and
 * a copy whose body never ends (the primary gave up) is abandoned when the exchange ends. Not
 * public API.
 */
public final class MirrorCopy {
  private final Mirror mirror;
  private final String method;
  private final String path;
  private final @Nullable String query;
  private final HttpFields headers;
  private final long cap;
  private final AtomicBoolean settled = new AtomicBoolean();
  private byte[] copy = new byte[0];
  private int size;

  MirrorCopy(Mirror mirror, String method, String path, @Nullable String query, HttpFields headers, long cap) {
    this.mirror = mirror;
    this.method = method;
    this.path = path;
    this.query = query;
    this.headers = headers;
    this.cap = cap;
  }

  /** Sends the copy now, with {@code body} (null for none): the primary's body is already complete. */
  public void sendWhole(byte @Nullable [] body) {
    if (settled.compareAndSet(false, true)) {
      mirror.send(method, path, query, headers, body);
    }
  }

  /** Returns {@code body}, unchanged for its reader, with this copy keeping what passes. */
  public Request.Content tap(Request.Content body) {
    return new Tapped(body);
  }

  /** The exchange ended: a copy still waiting for its body is given up, uncounted. */
  public void abandon() {
    if (settled.compareAndSet(false, true)) {
      mirror.abandoned(null);
    }
  }

  private void keep(Content.Chunk chunk) {
    if (settled.get()) {
      return;
    }
    if (Content.Chunk.isFailure(chunk)) {
      abandon();
      return;
    }
    int n = chunk.remaining();
    if (n > 0) {
      synchronized (this) {
        if (size + (long) n > cap) {
          copy = new byte[0];
          if (settled.compareAndSet(false, true)) {
            mirror.abandoned(Mirror.SKIPPED);
          }
          return;
        }
        if (size + n > copy.length) {
          copy = Arrays.copyOf(copy, (int) Math.min(cap, Math.max(size + n, copy.length * 2L)));
        }
        chunk.getByteBuffer().duplicate().get(copy, size, n);
        size += n;
      }
    }
    if (chunk.isLast()) {
      byte[] body;
      synchronized (this) {
        body = size == copy.length ? copy : Arrays.copyOf(copy, size);
      }
      sendWhole(body);
    }
  }

  /** The primary's body, read through. */
  private final class Tapped implements Request.Content {
    private final Request.Content body;

    Tapped(Request.Content body) {
      this.body = body;
    }

    @Override
    public long getLength() {
      return body.getLength();
    }

    @Override
    public @Nullable String getContentType() {
      return body.getContentType();
    }

    @Override
    public Content.@Nullable Chunk read() {
      Content.Chunk chunk = body.read();
      if (chunk != null) {
        keep(chunk);
      }
      return chunk;
    }

    @Override
    public void demand(Runnable demandCallback) {
      body.demand(demandCallback);
    }

    @Override
    public void fail(Throwable failure) {
      abandon();
      body.fail(failure);
    }

    @Override
    public boolean rewind() {
      return false;
    }
  }
}
