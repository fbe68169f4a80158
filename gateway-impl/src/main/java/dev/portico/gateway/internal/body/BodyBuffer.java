package dev.portico.gateway.internal.body;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;
import org.eclipse.jetty.io.Content;

/**
 * Reads a {@link Content.Source} whole into memory, but never more than a cap: the one place the
 * engine holds a body, for the policies that need one (JSON Schema validation, JSON transforms).
 * Non-blocking: it reads what is there and demands the rest. Not public API.
 */
public final class BodyBuffer implements Runnable {

  /** What reading found. */
  public sealed interface Result permits Complete, Overflow {}

  /** The whole body, at most the cap. */
  public record Complete(byte[] bytes) implements Result {}

  /**
   * The body is larger than the cap. {@code prefix} holds what was read (the cap plus at most one
   * chunk; empty when the declared length alone said so); the source continues after it.
   */
  public record Overflow(byte[] prefix) implements Result {}

  private final Content.Source source;
  private final long cap;
  private final IntConsumer onBytes;
  private final CompletableFuture<Result> result = new CompletableFuture<>();
  private byte[] bytes;
  private int size;

  private BodyBuffer(Content.Source source, long cap, long declaredLength, IntConsumer onBytes) {
    this.source = source;
    this.cap = cap;
    this.onBytes = onBytes;
    this.bytes = new byte[(int) Math.min(Math.max(declaredLength, 0) > 0 ? declaredLength : 8192, Math.min(cap + 1, 1 << 20))];
  }

  /**
   * Reads {@code source} up to {@code cap} bytes; {@code onBytes} counts what arrives. The future
   * fails with the source's failure (the sender went away or sent a broken body).
   */
  public static CompletableFuture<Result> read(Content.Source source, long cap, long declaredLength, IntConsumer onBytes) {
    BodyBuffer buffer = new BodyBuffer(source, cap, declaredLength, onBytes);
    buffer.run();
    return buffer.result;
  }

  @Override
  public void run() {
    while (true) {
      Content.Chunk chunk;
      try {
        chunk = source.read();
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
        return;
      }
      if (chunk == null) {
        source.demand(this);
        return;
      }
      if (Content.Chunk.isFailure(chunk)) {
        Throwable failure = chunk.getFailure();
        if (!chunk.isLast()) {
          source.fail(failure);
        }
        result.completeExceptionally(failure);
        return;
      }
      ByteBuffer data = chunk.getByteBuffer();
      int n = data.remaining();
      if (n > 0) {
        append(data, n);
        onBytes.accept(n);
      }
      boolean last = chunk.isLast();
      chunk.release();
      if (size > cap) {
        result.complete(new Overflow(Arrays.copyOf(bytes, size)));
        return;
      }
      if (last) {
        result.complete(new Complete(size == bytes.length ? bytes : Arrays.copyOf(bytes, size)));
        return;
      }
    }
  }

  private void append(ByteBuffer data, int n) {
    if (size + n > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(size + n, bytes.length * 2));
    }
    data.get(bytes, size, n);
    size += n;
  }
}
