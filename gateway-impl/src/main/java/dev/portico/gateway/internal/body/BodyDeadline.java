package dev.portico.gateway.internal.body;

import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.ProblemType;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.io.Content;
import org.jspecify.annotations.Nullable;

/**
 * The client's request body under the route's {@link dev.portico.gateway.Timeouts#requestBody()}:
 * the clock starts at the first read or demand, by whoever reads the body (the upstream request's
 * content, or a body policy buffering it), and stops at the last chunk. When it runs out first,
 * the reader gets an {@link Expired} failure chunk, at once if it is waiting for data: the upstream
 * request is aborted with it and the exchange answers 408, whatever the client still sends. The
 * deadline sits on {@link Deadlines}, one timer for every body in flight, like the one
 * for upstream tries. Not public API.
 *
 * <p>Threading: read and demand come from the one reader, never concurrently; the timer may expire
 * the deadline at any time, and then runs the reader's pending demand callback itself.
 */
public final class BodyDeadline implements Content.Source, Deadlines.Watched, Runnable {
  private final Content.Source source;
  private final long timeoutNanos;
  private final Deadlines<BodyDeadline> deadlines;
  /** The reader's callback while it waits for data; taken exactly once, by the source or the timer. */
  private final AtomicReference<@Nullable Runnable> pending = new AtomicReference<>();
  private volatile long expireNanoTime = Long.MAX_VALUE;
  private volatile boolean started;
  private volatile boolean ended;
  private volatile boolean expired;

  public BodyDeadline(Content.Source source, long timeoutNanos, Deadlines<BodyDeadline> deadlines) {
    this.source = source;
    this.timeoutNanos = timeoutNanos;
    this.deadlines = deadlines;
  }

  @Override
  public Content.@Nullable Chunk read() {
    start();
    if (expired) {
      return Content.Chunk.from(new Expired(TimeUnit.NANOSECONDS.toMillis(timeoutNanos)), true);
    }
    Content.Chunk chunk = source.read();
    if (chunk != null && chunk.isLast()) {
      end();
    }
    return chunk;
  }

  @Override
  public void demand(Runnable demandCallback) {
    start();
    if (expired) {
      demandCallback.run();
      return;
    }
    pending.set(demandCallback);
    if (expired) {
      run();   // the timer expired the deadline before the callback was in place
      return;
    }
    source.demand(this);
  }

  /** The source has data (or failed): hands over to the reader, unless the timer did first. */
  @Override
  public void run() {
    Runnable callback = pending.getAndSet(null);
    if (callback != null) {
      callback.run();
    }
  }

  @Override
  public void fail(Throwable failure) {
    end();
    source.fail(failure);
  }

  @Override
  public void fail(Throwable failure, boolean last) {
    if (last) {
      end();
    }
    source.fail(failure, last);
  }

  @Override
  public long getLength() {
    return source.getLength();
  }

  @Override
  public boolean rewind() {
    return false;
  }

  @Override
  public long getExpireNanoTime() {
    return expireNanoTime;
  }

  /** Stops the clock: the body ended, or the exchange did. */
  public void end() {
    if (!ended) {
      ended = true;
      expireNanoTime = Long.MAX_VALUE;
      if (started) {
        deadlines.forget(this);
      }
    }
  }

  /** Called by the timer once the deadline passed; returns whether the timer may forget this body. */
  @Override
  public boolean expired() {
    if (ended) {
      return true;
    }
    if (System.nanoTime() - expireNanoTime < 0) {
      return false;
    }
    expired = true;
    ended = true;
    run();   // a reader waiting for data reads the failure now
    return true;
  }

  private void start() {
    if (!started) {
      started = true;
      if (!ended) {
        expireNanoTime = System.nanoTime() + timeoutNanos;
        deadlines.watch(this);
      }
    }
  }

  /** The request body did not arrive within the route's request body timeout. */
  public static final class Expired extends TimeoutException {
    private final long millis;

    Expired(long millis) {
      super("the request body did not arrive within " + millis + " ms");
      this.millis = millis;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;   // an expected outcome, not a bug: no stack to capture
    }

    long millis() {
      return millis;
    }
  }

  /** The answer to a body whose deadline ran out: 408, the connection closed after it. */
  public static GatewayResponse problem(Expired expired) {
    return GatewayResponse.problem(ProblemType.REQUEST_TIMEOUT.withDetail(
        "The request body did not arrive within " + expired.millis() + " ms."));
  }

  /** Returns the {@link Expired} in {@code failure}'s causes, or null. */
  public static @Nullable Expired find(@Nullable Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof Expired expired) {
        return expired;
      }
    }
    return null;
  }
}
