package dev.portico.gateway.internal;

import dev.portico.gateway.internal.body.ClientRequestBody;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of one exchange, exactly once however it ends (response sent, problem written, either
 * side failed, the WebSocket relay closed): what was held for the exchange is given back (its
 * listeners run, an unread body's deadline stops), the access log entry is written, the runtime
 * counts the exchange out, and the adapter learns how it ended. Not public API.
 */
final class ExchangeEnd {
  private static final Logger LOG = LoggerFactory.getLogger(ExchangeEnd.class);

  private final ExchangeRun run;
  private final ClientExchange client;
  private final ExchangeLog log;
  private final AtomicBoolean finished = new AtomicBoolean();
  /** Run once when the exchange ends; guarded by {@code this}, null until the first is added. */
  private @Nullable List<Runnable> listeners;

  ExchangeEnd(ExchangeRun run, ClientExchange client, ExchangeLog log) {
    this.run = run;
    this.client = client;
    this.log = log;
  }

  /**
   * Runs {@code listener} once when the exchange ends, before the adapter is told; at once if it
   * has already ended. Listeners must be quick and must not throw.
   */
  void whenFinished(Runnable listener) {
    synchronized (this) {
      if (!finished.get()) {
        if (listeners == null) {
          listeners = new ArrayList<>(2);
        }
        listeners.add(listener);
        return;
      }
    }
    runListener(listener);
  }

  /**
   * Ends the exchange with {@code outcome} (for the access log); {@code ok} and {@code failure}
   * say how the adapter completes it, unless {@code completeAdapter} is false (the WebSocket
   * upgrade already completed it). Only the first call counts.
   */
  void finish(boolean ok, String outcome, @Nullable Throwable failure, boolean completeAdapter) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    List<Runnable> toRun;
    synchronized (this) {
      toRun = listeners;
      listeners = null;
    }
    ClientRequestBody body = run.existingBody();
    if (body != null) {
      body.end();   // a body left unread: its deadline no longer matters
    }
    if (toRun != null) {
      toRun.forEach(this::runListener);
    }
    // The entry is written before the adapter completes the exchange, but the last write already went out: the client
    // may have the whole response before the entry (and the observer's metrics) exist.
    log.finished(run.abortedByShutdown() ? "shutdown" : outcome);
    run.engine().runtime().exchangeEnded(run);
    if (!completeAdapter) {
      return;
    }
    if (ok) {
      client.succeeded();
    } else {
      client.failed(failure != null ? failure : new CancellationException(outcome));
    }
  }

  private void runListener(Runnable listener) {
    try {
      listener.run();
    } catch (RuntimeException e) {
      LOG.warn("{} exchange end listener failed: {}", run.requestId(), e.toString());
    }
  }
}
