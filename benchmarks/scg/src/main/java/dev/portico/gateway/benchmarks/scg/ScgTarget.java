package dev.portico.gateway.benchmarks.scg;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The {@code scg} target of the load test ({@code benchmarks/run.sh}): Spring Cloud Gateway
 * (server-webflux, on Reactor Netty) on 127.0.0.1 with one route from every path to the upstream,
 * running until killed:
 *
 * <pre>{@code
 * java -jar benchmarks/scg/target/benchmarks-scg.jar PORT UPSTREAM_URL
 * }</pre>
 *
 * <p>The route and the rest of the configuration are in {@code application.properties}: Spring
 * Boot's and the gateway's defaults, as a user gets them, with the log at WARN. {@code
 * -Dbench.idleTimeoutMs=...} (run.sh idle) sets the server's idle timeout, as it does Jetty's for
 * the other JVM targets; Reactor Netty's server has none by default.
 */
@SpringBootApplication(proxyBeanMethods = false)
public final class ScgTarget {
  private ScgTarget() {
  }

  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: ScgTarget PORT UPSTREAM_URL");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    URI upstream = URI.create(args[1]);
    List<String> properties = new ArrayList<>(List.of(
        "--server.port=" + port,
        "--bench.upstream=" + upstream));
    Long idleTimeoutMs = Long.getLong("bench.idleTimeoutMs");
    if (idleTimeoutMs != null) {
      properties.add("--server.netty.idle-timeout=" + idleTimeoutMs + "ms");
    }
    SpringApplication.run(ScgTarget.class, properties.toArray(String[]::new));
    System.out.printf(Locale.ROOT, "scg listening on http://127.0.0.1:%d/ -> %s%n", port, upstream);
  }
}
