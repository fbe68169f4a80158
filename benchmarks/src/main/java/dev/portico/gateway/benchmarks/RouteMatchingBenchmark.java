package dev.portico.gateway.benchmarks;

import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Route;
import dev.portico.gateway.internal.routing.RouteLookup;
import dev.portico.gateway.internal.routing.RouteTable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Route lookup in a table of {@code routes} routes, a third each literal ({@code /svc7/items}),
 * template ({@code /api/v7/users/{id}}) and wildcard ({@code /static7/**}). The paths looked up
 * hit a route in the middle of the table, or miss every route.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteMatchingBenchmark {

  @Param({"10", "100", "1000", "10000"})
  int routes;

  private RouteTable table;
  private String literalPath;
  private String templatePath;
  private String wildcardPath;
  private final HttpHeaders headers = HttpHeaders.empty();

  @Setup
  public void compile() {
    List<Route> list = new ArrayList<>(routes);
    for (int i = 0; list.size() < routes; i++) {
      list.add(route("literal-" + i, "/svc" + i + "/items"));
      if (list.size() < routes) {
        list.add(route("template-" + i, "/api/v" + i + "/users/{id}"));
      }
      if (list.size() < routes) {
        list.add(route("wildcard-" + i, "/static" + i + "/**"));
      }
    }
    table = RouteTable.of(list);
    int middle = routes / 3 / 2;
    literalPath = "/svc" + middle + "/items";
    templatePath = "/api/v" + middle + "/users/12345";
    wildcardPath = "/static" + middle + "/css/site/main.css";
    check(literalPath, "literal-" + middle);
    check(templatePath, "template-" + middle);
    check(wildcardPath, "wildcard-" + middle);
    if (lookup("/nowhere/at/all") instanceof RouteLookup.Found) {
      throw new IllegalStateException("miss found a route");
    }
  }

  private static Route route(String id, String path) {
    return Route.builder(id).path(path).upstream("http://127.0.0.1:9").build();
  }

  private void check(String path, String routeId) {
    if (!(lookup(path) instanceof RouteLookup.Found found) || !found.route().id().equals(routeId)) {
      throw new IllegalStateException(path + ": expected route " + routeId + ", got " + lookup(path));
    }
  }

  private RouteLookup lookup(String path) {
    return table.lookup("GET", path, "localhost:8080", headers, null);
  }

  @Benchmark
  public RouteLookup literalHit() {
    return lookup(literalPath);
  }

  @Benchmark
  public RouteLookup templateHit() {
    return lookup(templatePath);
  }

  @Benchmark
  public RouteLookup wildcardHit() {
    return lookup(wildcardPath);
  }

  @Benchmark
  public RouteLookup miss() {
    return lookup("/nowhere/at/all");
  }
}
