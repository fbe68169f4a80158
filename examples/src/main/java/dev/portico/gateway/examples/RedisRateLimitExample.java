package dev.portico.gateway.examples;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.bucket4j.Refill;
import dev.portico.gateway.ratelimit.redis.RedisRateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

/**
 * Two gateway instances sharing one rate limit in Redis: a backend on port 9000, and two Jetty
 * servers on ports 8081 and 8082, each with its own {@link Gateway} and its own Redis client,
 * limiting {@code /api/**} to 10 requests per minute per client IP across both.
 *
 * <p>Start a local Redis first (Debian/Ubuntu: {@code apt-get install -y redis-server}):
 * <pre>
 * redis-server --port 6379 --save '' --appendonly no
 * </pre>
 * then run the example from the project root:
 * <pre>
 * mvn -q -pl examples -am compile exec:java@redis-example               # or -Dexec.args=redis://host:port
 * </pre>
 * and send twelve requests, alternating between the instances: ten pass, then both answer 429.
 * <pre>
 * for i in $(seq 1 12); do curl -s -o /dev/null -w '%{http_code} ' localhost:808$((i % 2 + 1))/api/hello; done
 * 200 200 200 200 200 200 200 200 200 200 429 429
 * </pre>
 * Stop Redis while it runs and the instances fail open (requests pass, a warning is logged);
 * start it again and the limit is back. Without Redis the example starts all the same, fails open
 * and logs a warning, and starts limiting once Redis is started.
 */
public final class RedisRateLimitExample {
  private RedisRateLimitExample() {}

  public static void main(String[] args) throws Exception {
    String redisUri = args.length > 0 ? args[0] : "redis://localhost:6379";
    Server backend = backend(9000);
    List<Server> instances = new ArrayList<>();
    for (int port : new int[] {8081, 8082}) {
      instances.add(gatewayInstance(port, redisUri, "http://localhost:9000"));
    }
    System.out.println("Gateways on http://localhost:8081/api/hello and http://localhost:8082/api/hello,"
        + " 10 requests per minute per client IP across both (Redis at " + redisUri + "). Ctrl-C stops.");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (Server server : instances) {
        stopQuietly(server);
      }
      stopQuietly(backend);
    }));
    backend.join();
  }

  /** One instance: its own Redis client, its own Gateway, its own Jetty server. */
  static Server gatewayInstance(int port, String redisUri, String backendUri) throws Exception {
    RedisClient redis = RedisClient.create();     // connects nothing: the instance starts with Redis down too

    Gateway gateway = Gateway.builder()
        .route("api", r -> r
            .path("/api/**")
            .stripPrefix(1)
            .upstream(backendUri)
            .rateLimiter(RedisRateLimiter.builder(redis, RedisURI.create(redisUri))
                .name("api")
                .bandwidth(10, Duration.ofMinutes(1))
                .refill(Refill.INTERVALLY)
                .keyResolver(KeyResolver.clientIp())
                .build()))
        .build();

    Server server = new Server(port);
    server.setHandler(JettyGatewayHandler.create(gateway));
    server.addBean(new org.eclipse.jetty.util.component.AbstractLifeCycle() {
      @Override
      protected void doStop() {
        redis.shutdown();       // closes the connection the limiter made, and the client's threads
      }
    });
    server.start();
    return server;
  }

  static Server backend(int port) throws Exception {
    Server server = new Server(port);
    server.setHandler(new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        Content.Sink.write(response, true, "hello from the backend\n", callback);
        return true;
      }
    });
    server.start();
    return server;
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      System.err.println("stopping " + server + ": " + e);
    }
  }
}
