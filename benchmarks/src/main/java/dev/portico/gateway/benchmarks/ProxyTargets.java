package dev.portico.gateway.benchmarks;

import dev.portico.gateway.AccessLog;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.observe.file.LogFile;
import dev.portico.gateway.observe.json.JsonAccessLog;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Starts one JVM target of the load test ({@code benchmarks/run.sh}) on 127.0.0.1 and runs until
 * killed:
 *
 * <pre>{@code
 * java -cp benchmarks.jar dev.portico.gateway.benchmarks.ProxyTargets TARGET PORT UPSTREAM_URL [WORK_DIR]
 * }</pre>
 *
 * <ul>
 *   <li>{@code portico-plain}: a gateway with one catch-all route to the upstream, no policies, no
 *       access log, in Jetty core ({@link JettyGatewayHandler});
 *   <li>{@code portico-full}: the same with HS256 JWT authentication, an in-memory rate limit per
 *       client IP (high enough never to refuse) and a JSON access log written to
 *       {@code WORK_DIR/access.log} through a {@link LogFile}; the bearer token to send is written
 *       to {@code WORK_DIR/token}. {@code -Dbench.policies=jwt,rate-limit,access-log} (the default)
 *       keeps only those named; {@code access-log-locked} instead of {@code access-log} writes the
 *       lines through a {@code BufferedWriter} behind a lock, as this target did before
 *       {@code LogFile}, to compare the two;
 *   <li>{@code jetty-proxy}: Jetty 12's own {@code ProxyHandler.Reverse} to the upstream;
 *   <li>{@code jetty-static}: no proxy at all, Jetty answering {@code /1k} and {@code /64k} itself
 *       from memory ({@link StaticBodies}): what the host server alone costs a request, the floor
 *       under any gateway it hosts. {@code UPSTREAM_URL} is ignored.
 * </ul>
 *
 * <p>{@code -Dbench.dump=true} prints Jetty's component tree (thread pool, buffer pools,
 * connections) when the JVM is stopped.
 */
public final class ProxyTargets {
  static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private ProxyTargets() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: ProxyTargets portico-plain|portico-full|jetty-proxy|jetty-static PORT UPSTREAM_URL [WORK_DIR]");
      System.exit(2);
    }
    String target = args[0];
    int port = Integer.parseInt(args[1]);
    URI upstream = URI.create(args[2]);
    Path workDir = Path.of(args.length > 3 ? args[3] : System.getProperty("java.io.tmpdir"));

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    // run.sh idle holds connections idle longer than Jetty's default 30 s: -Dbench.idleTimeoutMs=...
    connector.setIdleTimeout(Long.getLong("bench.idleTimeoutMs", connector.getIdleTimeout()));
    server.addConnector(connector);
    Closeable accessLog = null;
    switch (target) {
      case "portico-plain" -> server.setHandler(JettyGatewayHandler.create(Gateway.builder()
          .accessLog(AccessLog.disabled())
          .route("all", r -> r.path("/**").upstream(upstream.toString()))
          .build()));
      case "portico-full" -> {
        // -Dbench.policies=jwt,rate-limit,access-log (the default: all three) keeps only some, to
        // tell what each one costs.
        Set<String> policies = Set.of(System.getProperty("bench.policies", "jwt,rate-limit,access-log").split(","));
        Files.writeString(workDir.resolve("token"), token());
        Gateway.Builder gateway = Gateway.builder().accessLog(AccessLog.disabled());
        if (policies.contains("access-log")) {
          LogFile file = LogFile.open(workDir.resolve("access.log"));
          accessLog = file;
          gateway.accessLog(JsonAccessLog.builder().sink(file).build());
        } else if (policies.contains("access-log-locked")) {
          BufferedWriter out = Files.newBufferedWriter(workDir.resolve("access.log"));
          accessLog = () -> {
            synchronized (out) {
              out.close();
            }
          };
          gateway.accessLog(JsonAccessLog.builder().sink(line -> write(out, line)).build());
        }
        if (policies.contains("jwt")) {
          gateway.authenticator(JwtAuthenticator.builder().hmacSecret(SECRET).audience("bench").build());
        }
        if (policies.contains("rate-limit")) {
          gateway.rateLimiter(Bucket4jRateLimiter.perKey(100_000_000L, Duration.ofSeconds(1), KeyResolver.clientIp()));
        }
        server.setHandler(JettyGatewayHandler.create(gateway
            .route("all", r -> r.path("/**").upstream(upstream.toString()))
            .build()));
      }
      case "jetty-proxy" -> server.setHandler(new ProxyHandler.Reverse(request -> HttpURI.build(request.getHttpURI())
          .scheme(upstream.getScheme()).host(upstream.getHost()).port(upstream.getPort())));
      case "jetty-static" -> server.setHandler(new StaticBodies());
      default -> throw new IllegalArgumentException("target: " + target
          + " (expected: portico-plain, portico-full, jetty-proxy or jetty-static)");
    }
    Closeable log = accessLog;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        if (Boolean.getBoolean("bench.dump")) {   // Jetty's component tree, buffer pools included
          System.out.println(server.dump());
        }
        server.stop();
        if (log != null) {
          log.close();
        }
      } catch (Exception e) {
        e.printStackTrace();
      }
    }));
    server.start();
    System.out.printf(Locale.ROOT, "%s listening on http://127.0.0.1:%d/ -> %s%n", target, port, upstream);
    server.join();
  }

  /** Appends to a buffered file; the lock is held for a copy into the buffer, rarely a write. */
  static void write(BufferedWriter out, String line) {
    synchronized (out) {
      try {
        out.write(line);
        out.newLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** An HS256 token for audience {@code bench}, valid for a day. */
  static String token() throws GeneralSecurityException {
    long exp = Instant.now().plus(Duration.ofDays(1)).getEpochSecond();
    return hs256(SECRET, "{\"sub\":\"bench\",\"aud\":\"bench\",\"exp\":" + exp + "}");
  }

  /** Returns {@code claims}, a JSON object, as a JWT signed with HS256 under {@code secret}. */
  static String hs256(byte[] secret, String claims) throws GeneralSecurityException {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String signingInput = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
        + "." + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    return signingInput + "." + b64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
  }
}
