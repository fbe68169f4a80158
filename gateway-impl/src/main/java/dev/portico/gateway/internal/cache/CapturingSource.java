package dev.portico.gateway.internal.cache;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;
import org.jspecify.annotations.Nullable;

/**
 * An upstream body on its way to the client that also keeps a copy, up to a cap: when the whole
 * body (its declared length, or up to its last chunk) has been read within the cap,
 * {@code onComplete} gets the bytes, before the last of them is passed on; when the body
 * grows past the cap or fails, the copy is dropped and {@code onAbandoned} runs, and the rest
 * streams through untouched. Never holds more than the cap. Not public API.
 */
final class CapturingSource implements Content.Source {
  private final Content.Source source;
  private final int cap;
  private final Consumer<byte[]> onComplete;
  private final Runnable onAbandoned;
  private final long declaredLength;
  private byte @Nullable [] copy;
  private int size;
  private boolean done;

  CapturingSource(Content.Source source, int cap, long declaredLength, Consumer<byte[]> onComplete,
      Runnable onAbandoned) {
    this.source = source;
    this.cap = cap;
    this.onComplete = onComplete;
    this.onAbandoned = onAbandoned;
    this.declaredLength = declaredLength;
    this.copy = new byte[(int) Math.min(cap, declaredLength >= 0 ? declaredLength : Math.min(cap, 8192))];
  }

  @Override
  public Content.@Nullable Chunk read() {
    Content.Chunk chunk = source.read();
    if (chunk == null || done) {
      return chunk;
    }
    if (Content.Chunk.isFailure(chunk)) {
      abandon();
      return chunk;
    }
    ByteBuffer buffer = chunk.getByteBuffer();
    int n = buffer.remaining();
    if (n > 0) {
      if ((long) size + n > cap) {
        abandon();
        return chunk;
      }
      byte[] c = copy;
      if (c.length < size + n) {
        c = java.util.Arrays.copyOf(c, (int) Math.min(cap, Math.max((long) size + n, 2L * c.length)));
        copy = c;
      }
      buffer.duplicate().get(c, size, n);
      size += n;
    }
    // Complete at the last byte a Content-Length declares, before the client (which counts the
    // bytes) can see the response end and ask again; else at the last chunk.
    if (chunk.isLast() || declaredLength >= 0 && size == declaredLength) {
      done = true;
      byte[] c = copy;
      copy = null;
      onComplete.accept(c.length == size ? c : java.util.Arrays.copyOf(c, size));
    }
    return chunk;
  }

  private void abandon() {
    if (!done) {
      done = true;
      copy = null;
      onAbandoned.run();
    }
  }

  @Override
  public void demand(Runnable demandCallback) {
    source.demand(demandCallback);
  }

  @Override
  public void fail(Throwable failure) {
    abandon();
    source.fail(failure);
  }

  @Override
  public void fail(Throwable failure, boolean last) {
    abandon();
    source.fail(failure, last);
  }

  @Override
  public long getLength() {
    return source.getLength();
  }
}
