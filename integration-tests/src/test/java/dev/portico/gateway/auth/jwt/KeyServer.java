package dev.portico.gateway.auth.jwt;

import dev.portico.gateway.test.FakeUpstream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * An identity provider's key endpoints on a real Jetty server on a loopback port: a JWK set at
 * {@code /jwks} and an OpenID provider configuration at {@code /.well-known/openid-configuration}
 * (issuer: the server's own base URL), each counting its hits. Tests switch what they answer.
 */
final class KeyServer implements AutoCloseable {
  private final FakeUpstream server;
  private final Object hits = new Object();
  private int jwksHits;
  private final AtomicInteger discoveryHits = new AtomicInteger();
  private volatile String jwks = "{\"keys\":[]}";
  private volatile int jwksStatus = 200;
  private volatile String discoveryIssuer;
  private volatile CountDownLatch release = new CountDownLatch(0);

  private KeyServer() throws Exception {
    server = FakeUpstream.start(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (path.equals("/jwks")) {
          // The answer is the set as it was when the request arrived, however long it is held.
          String body = jwks;
          int status = jwksStatus;
          synchronized (hits) {
            jwksHits++;
            hits.notifyAll();
          }
          // A slow identity provider: hold the answer until the test lets it go.
          if (!release.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test never released the JWK set response");
          }
          response.setStatus(status);
          response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
          Content.Sink.write(response, true, body, callback);
        } else if (path.equals("/.well-known/openid-configuration")) {
          discoveryHits.incrementAndGet();
          response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
          Content.Sink.write(response, true, "{\"issuer\":\"" + discoveryIssuer + "\",\"jwks_uri\":\"" + jwksUri()
              + "\",\"id_token_signing_alg_values_supported\":[\"RS256\"]}", callback);
        } else {
          response.setStatus(404);
          callback.succeeded();
        }
        return true;
      }
    });
    discoveryIssuer = issuer();
  }

  static KeyServer start() throws Exception {
    return new KeyServer();
  }

  /** The issuer whose discovery document this server serves: its base URL. */
  String issuer() {
    return server.uri();
  }

  String jwksUri() {
    return server.uri() + "/jwks";
  }

  KeyServer serve(String jwksJson) {
    this.jwks = jwksJson;
    this.jwksStatus = 200;
    return this;
  }

  /** Answers the JWK set with {@code status} and {@code body}, as a broken provider would. */
  KeyServer fail(int status, String body) {
    this.jwks = body;
    this.jwksStatus = status;
    return this;
  }

  /** Makes the discovery document name {@code issuer}. */
  KeyServer discoveryIssuer(String issuer) {
    this.discoveryIssuer = issuer;
    return this;
  }

  /** Holds JWK set responses until {@link #release()}. */
  KeyServer hold() {
    release = new CountDownLatch(1);
    return this;
  }

  void release() {
    release.countDown();
  }

  /** Waits up to 10 s until the JWK set was requested {@code count} times; returns whether it was. */
  boolean awaitJwksHits(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    synchronized (hits) {
      while (jwksHits < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(hits, left);
      }
      return true;
    }
  }

  int jwksHits() {
    synchronized (hits) {
      return jwksHits;
    }
  }

  int discoveryHits() {
    return discoveryHits.get();
  }

  @Override
  public void close() throws Exception {
    release.countDown();
    server.close();
  }
}
