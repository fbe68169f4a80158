package dev.portico.gateway.internal.body;

import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.Trailers;
import org.eclipse.jetty.io.Content;
import org.jspecify.annotations.Nullable;

/**
 * The client's request body as the upstream request's content: chunks pass straight from the
 * server's source to the client's sender, with demand flowing back, so nothing is buffered. Counts
 * the bytes and reports a broken client body to the exchange. The client's trailers (HTTP/2, a gRPC
 * call's) end the content as its last chunk; they are handed to a listener, which the upstream
 * request's trailers supplier reads once the content ended. A body that grows past the route's
 * maximum ends in a {@link TooLargeException} failure chunk instead: the Jetty client aborts the
 * upstream request with it, and the try answers 413. Not public API.
 */
public final class ClientBodyContent implements Request.Content {
  private final Content.Source source;
  private final long length;
  private final IntConsumer bytesRead;
  private final Consumer<Throwable> failed;
  private final Consumer<HttpFields> trailers;
  /** The most bytes passed on, or -1 for no limit. */
  private final long maxBytes;
  /** Bytes passed on so far; read() is never called concurrently. */
  private long received;

  /**
   * The client's body {@code source} of {@code length} bytes (-1 when not declared), cut off past
   * {@code maxBytes} (-1 for no limit); {@code bytesRead} counts what passes, {@code failed} learns
   * that the client's body broke, {@code trailers} receives the client's trailers if it sends any.
   */
  public ClientBodyContent(Content.Source source, long length, long maxBytes, IntConsumer bytesRead,
      Consumer<Throwable> failed, Consumer<HttpFields> trailers) {
    this.source = source;
    this.trailers = trailers;
    this.length = length;
    this.maxBytes = maxBytes;
    this.bytesRead = bytesRead;
    this.failed = failed;
  }

  @Override
  public long getLength() {
    return length;
  }

  /**
   * None: the upstream request's headers say what the body is (the client's {@code Content-Type},
   * as the filters left it), and a body sent without one goes without one.
   */
  @Override
  public @Nullable String getContentType() {
    return null;
  }

  @Override
  public Content.@Nullable Chunk read() {
    Content.Chunk chunk = source.read();
    if (chunk != null) {
      if (Content.Chunk.isFailure(chunk, true)) {
        failed.accept(chunk.getFailure());
      } else if (chunk instanceof Trailers last) {
        // Before the chunk is passed on: the sender asks for the trailers once it saw the last chunk.
        trailers.accept(last.getTrailers());
      } else {
        int n = chunk.remaining();
        if (maxBytes >= 0 && received + n > maxBytes) {
          chunk.release();
          return Content.Chunk.from(new TooLargeException(maxBytes), true);
        }
        received += n;
        bytesRead.accept(n);
      }
    }
    return chunk;
  }

  @Override
  public void demand(Runnable demandCallback) {
    source.demand(demandCallback);
  }

  @Override
  public void fail(Throwable failure) {
    // The upstream request failed (the upstream closed or reset, the body grew too large, a timeout):
    // the client did nothing wrong, and its request is answered 502, 504 or 413. Failing the client's
    // body here would fail the host's request too, which Jetty answers with a bare 500 before the
    // gateway's problem; the server deals with the unread rest of the body when the exchange ends.
    // A client whose own connection broke fails its body itself, and the exchange sees that.
  }

  @Override
  public boolean rewind() {
    return false;
  }

  /** The client's body grew past the route's maximum. */
  public static final class TooLargeException extends RuntimeException {
    private final long maxBytes;

    TooLargeException(long maxBytes) {
      super("request body over " + maxBytes + " bytes", null, false, false);
      this.maxBytes = maxBytes;
    }

    public long maxBytes() {
      return maxBytes;
    }
  }
}
