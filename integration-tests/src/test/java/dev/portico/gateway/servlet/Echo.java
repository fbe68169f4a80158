package dev.portico.gateway.servlet;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;

/**
 * Streams the request body back as the response body the way the engine pumps an upstream body:
 * read a chunk, write it, read the next one when the write completed, demand when nothing is
 * ready. Each step runs on {@code executor}: inline, as when the engine reacts on the thread that
 * called it back, or on a thread of its own, as when an upstream client thread drives the exchange.
 * Records how deeply its own steps nested on one stack.
 */
final class Echo {
  private final ServletClientExchange exchange;
  private final Content.Source body;
  private final AtomicInteger depth = new AtomicInteger();
  private final AtomicInteger maxDepth;
  private final Executor executor;

  private Echo(ServletClientExchange exchange, AtomicInteger maxDepth, Executor executor) {
    this.exchange = exchange;
    this.body = exchange.body();
    this.maxDepth = maxDepth;
    this.executor = executor;
  }

  static void start(ServletClientExchange exchange, AtomicInteger maxDepth, Executor executor) {
    exchange.responseHead(200, HttpFields.build()
        .add(HttpHeader.CONTENT_TYPE, "application/octet-stream"));
    Echo echo = new Echo(exchange, maxDepth, executor);
    executor.execute(echo::pump);
  }

  private void pump() {
    maxDepth.accumulateAndGet(depth.incrementAndGet(), Math::max);
    try {
      Content.Chunk chunk = body.read();
      if (chunk == null) {
        body.demand(() -> executor.execute(this::pump));
        return;
      }
      if (Content.Chunk.isFailure(chunk)) {
        exchange.failed(chunk.getFailure());
        return;
      }
      boolean last = chunk.isLast();
      ByteBuffer bytes = chunk.getByteBuffer();
      exchange.write(last, bytes, Callback.from(() -> {
        chunk.release();
        if (last) {
          exchange.succeeded();
        } else {
          executor.execute(this::pump);
        }
      }, failure -> {
        chunk.release();
        exchange.failed(failure);
      }));
    } finally {
      depth.decrementAndGet();
    }
  }
}
