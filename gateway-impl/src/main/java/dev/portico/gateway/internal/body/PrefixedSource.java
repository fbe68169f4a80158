package dev.portico.gateway.internal.body;

import java.nio.ByteBuffer;
import org.eclipse.jetty.io.Content;

/**
 * A source that first yields bytes already read from another, then the rest of it: how a response
 * that turned out too large to transform still goes to the client whole, streamed. Not public API.
 */
public final class PrefixedSource implements Content.Source {
  private final Content.Source rest;
  private volatile byte[] prefix;

  public PrefixedSource(byte[] prefix, Content.Source rest) {
    this.prefix = prefix;
    this.rest = rest;
  }

  @Override
  public Content.Chunk read() {
    byte[] p = prefix;
    if (p != null) {
      prefix = null;
      return Content.Chunk.from(ByteBuffer.wrap(p), false);
    }
    return rest.read();
  }

  @Override
  public void demand(Runnable demandCallback) {
    if (prefix != null) {
      demandCallback.run();
    } else {
      rest.demand(demandCallback);
    }
  }

  @Override
  public void fail(Throwable failure) {
    prefix = null;
    rest.fail(failure);
  }

  @Override
  public long getLength() {
    return rest.getLength();
  }
}
