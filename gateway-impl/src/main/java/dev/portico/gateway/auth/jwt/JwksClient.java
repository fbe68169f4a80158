package dev.portico.gateway.auth.jwt;

import dev.portico.gateway.internal.proxy.UndecodedContent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Fetches small JSON documents (a JWK set, an OpenID provider configuration) over HTTP(S) with a
 * Jetty {@link HttpClient} of its own: created with the authenticator, started on first use (from
 * whichever thread gets there first, once), stopped by {@link #close()}. Its threads are daemons,
 * so a host that forgets to close the authenticator still exits.
 *
 * <p>A document must answer 200 within the timeout and fit in the size cap; redirects are not
 * followed; TLS certificates and host names are verified with the JVM's trust store.
 */
final class JwksClient implements AutoCloseable {
  private final HttpClient client;
  private final QueuedThreadPool threads;
  private final ScheduledExecutorScheduler scheduler;
  private final Duration timeout;
  private final Object lifecycle = new Object();
  private boolean started;
  private boolean closed;

  JwksClient(Duration timeout) {
    this.timeout = timeout;
    threads = new QueuedThreadPool(8, 1);
    threads.setName("portico-jwks");
    threads.setDaemon(true);
    scheduler = new ScheduledExecutorScheduler("portico-jwks-scheduler", true);
    ClientConnector connector = new ClientConnector();
    connector.setSslContextFactory(new SslContextFactory.Client());
    connector.setExecutor(threads);
    connector.setScheduler(scheduler);
    connector.setConnectTimeout(timeout);
    connector.setSelectors(1);
    client = new HttpClient(new HttpClientTransportOverHTTP(connector));
    client.setExecutor(threads);
    client.setScheduler(scheduler);
    client.setFollowRedirects(false);
    client.setHttpCookieStore(new HttpCookieStore.Empty());
    client.setConnectTimeout(timeout.toMillis());
    client.setIdleTimeout(30_000);
    client.setMaxConnectionsPerDestination(2);
  }

  /**
   * Fetches {@code uri}; completes with the body as text, or exceptionally when the server cannot
   * be reached, answers other than 200, is too slow, or sends more than {@code maxBytes}.
   */
  CompletableFuture<String> get(URI uri, int maxBytes) {
    try {
      start();
      Request request = client.newRequest(uri)
          .headers(h -> h.put(HttpHeader.ACCEPT, "application/json"))
          .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new CompletableResponseListener(request, maxBytes).send().thenApply(response -> {
        if (response.getStatus() != 200) {
          throw new IllegalStateException("HTTP status " + response.getStatus());
        }
        return new String(response.getContent(), StandardCharsets.UTF_8);
      });
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Runs {@code task} on the client's threads after {@code delay}, unless the returned action
   * cancelled it first. Does nothing once the client is stopped. Never blocks.
   */
  Runnable schedule(Runnable task, Duration delay) {
    Scheduler.Task timer;
    try {
      timer = scheduler.schedule(() -> {
        try {
          threads.execute(task);
        } catch (RejectedExecutionException e) {
          task.run(); // stopping: the scheduler's thread runs it rather than dropping it
        }
      }, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return () -> {}; // stopped meanwhile: the fetch fails at once, and waiters go on with it
    }
    return timer::cancel;
  }

  private void start() throws Exception {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException("the authenticator is closed");
      }
      if (!started) {
        UndecodedContent.start(client);
        started = true;
      }
    }
  }

  @Override
  public void close() {
    synchronized (lifecycle) {
      closed = true;
      if (!started) {
        return;
      }
    }
    try {
      client.stop();
    } catch (Exception e) {
      org.slf4j.LoggerFactory.getLogger(JwksClient.class).warn("stopping the JWK set client failed", e);
    }
  }
}
