package dev.portico.gateway.internal;

import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.io.Content;
import org.jspecify.annotations.Nullable;

/**
 * The client's request body as the upstream request's content: chunks pass straight from the
 * server's source to the client's sender, with demand flowing back, so nothing is buffered. Counts
 * the bytes and reports a broken client body to the exchange. Not public API.
 */
final class ClientBodyContent implements Request.Content {
  private final Content.Source source;
  private final long length;
  private final @Nullable String contentType;
  private final ExchangeRun run;

  ClientBodyContent(Content.Source source, long length, @Nullable String contentType, ExchangeRun run) {
    this.source = source;
    this.length = length;
    this.contentType = contentType;
    this.run = run;
  }

  @Override
  public long getLength() {
    return length;
  }

  @Override
  public @Nullable String getContentType() {
    return contentType;
  }

  @Override
  public Content.@Nullable Chunk read() {
    Content.Chunk chunk = source.read();
    if (chunk != null) {
      if (Content.Chunk.isFailure(chunk, true)) {
        run.clientBodyFailed(chunk.getFailure());
      } else {
        run.addBytesIn(chunk.remaining());
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
    source.fail(failure);
  }

  @Override
  public boolean rewind() {
    return false;
  }
}
