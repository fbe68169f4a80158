package dev.portico.gateway.internal.mirror;

import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.upstream.RequestMirror;
import java.net.URI;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route's {@link RequestMirror}, compiled: samples requests, bounds the copies in flight (a copy
 * holds its permit from the sample until the shadow's answer, so memory stays under
 * {@code queue × maxBodySize}), sends each copy with its own timeout and drops the answer, and
 * reports every outcome to the observer. Nothing here ever fails or waits for the primary exchange.
 * Not public API.
 */
public final class Mirror {
  private static final Logger LOG = LoggerFactory.getLogger(Mirror.class);

  static final String MIRRORED = "mirrored";
  static final String DROPPED = "dropped";
  static final String SKIPPED = "skipped";
  static final String FAILED = "failed";

  private final String routeId;
  private final RequestMirror settings;
  private final HttpClient client;
  private final GatewayObserver observer;
  private final String authority;
  private final String basePath;
  private final AtomicInteger inFlight = new AtomicInteger();

  public Mirror(String routeId, RequestMirror settings, HttpClient client, GatewayObserver observer) {
    this.routeId = routeId;
    this.settings = settings;
    this.client = client;
    this.observer = observer;
    URI target = settings.target();
    this.authority = target.getRawAuthority();
    String path = target.getRawPath() == null ? "" : target.getRawPath();
    this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /** Returns the client the copies are sent with. */
  public HttpClient client() {
    return client;
  }

  /** Returns the settings it was compiled from. */
  public RequestMirror settings() {
    return settings;
  }

  /**
   * Decides whether this request is copied: returns its copy, or null when it is not sampled, when
   * too many copies are in flight (dropped, counted) or when its declared length is over the cap
   * (skipped, counted). {@code path} is the path sent upstream without the endpoint's base path,
   * {@code headers} those forwarded to the primary, {@code bodyLength} -1 when unknown.
   */
  public @Nullable MirrorCopy start(String method, String path, @Nullable String query, HttpFields headers,
      long bodyLength) {
    double percent = settings.percent();
    if (percent < 100 && ThreadLocalRandom.current().nextDouble() * 100 >= percent) {
      return null;
    }
    if (bodyLength > settings.maxBodySize()) {
      observer.requestMirrored(routeId, SKIPPED);
      return null;
    }
    int queue = settings.queue();
    for (int now = inFlight.get(); ; now = inFlight.get()) {
      if (now >= queue) {
        observer.requestMirrored(routeId, DROPPED);
        return null;
      }
      if (inFlight.compareAndSet(now, now + 1)) {
        break;
      }
    }
    return new MirrorCopy(this, method, path, query, headers, settings.maxBodySize());
  }

  /** The copy was given up before it was sent: its permit goes back; {@code outcome} is counted if not null. */
  void abandoned(@Nullable String outcome) {
    inFlight.decrementAndGet();
    if (outcome != null) {
      observer.requestMirrored(routeId, outcome);
    }
  }

  /** Sends a copy whose body is complete; its answer is read and dropped. */
  void send(String method, String path, @Nullable String query, HttpFields headers, byte @Nullable [] body) {
    String target = basePath + path + (query == null ? "" : "?" + query);
    Request shadow;
    try {
      shadow = client.newRequest(settings.target()).path(target).method(method).version(HttpVersion.HTTP_1_1)
          .timeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
      shadow.headers(out -> {
        for (HttpField field : headers) {
          HttpHeader header = field.getHeader();
          // The shadow's own authority, and the framing of the body as copied.
          if (header != HttpHeader.HOST && header != HttpHeader.CONTENT_LENGTH && header != HttpHeader.TRANSFER_ENCODING) {
            out.add(field);
          }
        }
        out.put(HttpHeader.HOST, authority);
        out.put(RequestMirror.HEADER, "1");
      });
      if (body != null) {
        shadow.body(new BytesRequestContent((String) null, body));
      }
    } catch (RuntimeException e) {
      abandoned(FAILED);
      return;
    }
    // No content listener: the client reads the answer's body and drops it.
    shadow.send(result -> {
      inFlight.decrementAndGet();
      if (result.isFailed()) {
        if (LOG.isDebugEnabled()) {
          LOG.debug("route '{}': mirror copy failed: {}", routeId, String.valueOf(result.getFailure()));
        }
        observer.requestMirrored(routeId, FAILED);
      } else {
        observer.requestMirrored(routeId, MIRRORED);
      }
    });
  }
}
