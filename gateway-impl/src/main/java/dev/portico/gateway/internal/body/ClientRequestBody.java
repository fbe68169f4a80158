package dev.portico.gateway.internal.body;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.eclipse.jetty.io.Content;
import org.jspecify.annotations.Nullable;

/**
 * The client's request body of one exchange, as every reader of it sees it: streamed under the
 * route's request body deadline ({@link BodyDeadline}, one source for every reader), read whole
 * once for the body policies ({@link #buffer}), or replaced by what a policy made of it. Not
 * public API.
 */
public final class ClientRequestBody {
  private final Supplier<Content.Source> client;
  private final boolean hasBody;
  private final long contentLength;
  /** The route's request body limit, -1 for none: it also bounds what a body policy may hold. */
  private final long maxBytes;
  private final long timeoutNanos;
  private final Supplier<Deadlines<BodyDeadline>> deadlines;
  private final IntConsumer bytesRead;
  private final Consumer<Throwable> failed;
  // The client's body read whole under a cap, or what a policy replaced it with; sent upstream
  // instead of streaming the client's. Null: stream it.
  private volatile byte @Nullable [] held;
  /** The one read of the body whole; guarded by {@code this}. */
  private @Nullable CompletableFuture<BodyBuffer.Result> read;
  /** The client's body under its deadline, made at the first read; guarded by {@code this}. */
  private @Nullable BodyDeadline deadline;

  /**
   * A body of {@code contentLength} bytes (-1 when not declared) that {@code client} supplies, read
   * under a deadline of {@code timeoutNanos} on {@code deadlines}; {@code bytesRead} counts what
   * policies read, {@code failed} learns that the client's body broke (never of a deadline that
   * ran out, which the reader answers itself).
   */
  public ClientRequestBody(Supplier<Content.Source> client, boolean hasBody, long contentLength, long maxBytes,
      long timeoutNanos, Supplier<Deadlines<BodyDeadline>> deadlines, IntConsumer bytesRead,
      Consumer<Throwable> failed) {
    this.client = client;
    this.hasBody = hasBody;
    this.contentLength = contentLength;
    this.maxBytes = maxBytes;
    this.timeoutNanos = timeoutNanos;
    this.deadlines = deadlines;
    this.bytesRead = bytesRead;
    this.failed = failed;
  }

  /** Returns whether the client's request has a body, or a policy gave it one. */
  public boolean present() {
    byte[] body = held;
    return body != null ? body.length > 0 : hasBody;
  }

  /**
   * Reads the client's body whole, up to {@code policyCap} bytes and the route's limit, once: later
   * calls see the same bytes, or what {@link #replace} put in their place. A body declared larger
   * than the cap is not read at all. From then on the upstream gets the bytes in memory, with their
   * length. Fails when the client's body fails.
   */
  public synchronized CompletionStage<BodyBuffer.Result> buffer(long policyCap) {
    long cap = maxBytes >= 0 ? Math.min(policyCap, maxBytes) : policyCap;
    byte[] body = held;
    if (body != null) {
      return CompletableFuture.completedFuture(body.length > cap ? new BodyBuffer.Overflow(new byte[0])
          : new BodyBuffer.Complete(body));
    }
    if (read != null) {
      return read.thenApply(r -> r instanceof BodyBuffer.Complete c && c.bytes().length > cap
          ? new BodyBuffer.Overflow(new byte[0]) : r);
    }
    if (!hasBody) {
      return CompletableFuture.completedFuture(new BodyBuffer.Complete(new byte[0]));
    }
    if (contentLength > cap) {
      return CompletableFuture.completedFuture(new BodyBuffer.Overflow(new byte[0]));
    }
    CompletableFuture<BodyBuffer.Result> reading = BodyBuffer.read(source(), cap, contentLength, bytesRead);
    read = reading;
    return reading.whenComplete((result, failure) -> {
      if (failure != null) {
        if (BodyDeadline.find(failure) == null) {
          failed.accept(failure);
        }
      } else if (result instanceof BodyBuffer.Complete complete) {
        held = complete.bytes();
      }
    });
  }

  /**
   * Returns the client's body under the route's request body deadline: the same source at every
   * call, the one every reader of the body uses.
   */
  public synchronized Content.Source source() {
    BodyDeadline d = deadline;
    if (d == null) {
      d = new BodyDeadline(client.get(), timeoutNanos, deadlines.get());
      deadline = d;
    }
    return d;
  }

  /** Sends {@code body} upstream instead of the client's (already buffered) body. */
  public void replace(byte[] body) {
    held = body;
  }

  /** Returns the body to send upstream from memory, or null to stream the client's. */
  public byte @Nullable [] held() {
    return held;
  }

  /** The exchange ended: a body left unread no longer has a deadline. */
  public void end() {
    BodyDeadline d;
    synchronized (this) {
      d = deadline;
    }
    if (d != null) {
      d.end();
    }
  }
}
