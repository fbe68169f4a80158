package dev.portico.gateway.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Route;
import dev.portico.gateway.routing.PathPattern;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@link RouteTable#lookup} on fuzzer-chosen routes (literal, {@code *}, {@code {x}}, {@code **}
 * and {@code {*rest}} segments, some with methods) and fuzzer-chosen normalized paths always agrees
 * with {@link NaiveRouteScan}: the same route, the same variables, the same 405 or 404.
 *
 * <p>In the normal test run this replays the seeds under {@code RouteTableFuzzTestInputs}. To fuzz
 * (for the annotation's 2 minutes): {@code JAZZER_FUZZ=1 mvn -B -pl gateway-impl -am test
 * -Dsurefire.failIfNoSpecifiedTests=false -Dtest=RouteTableFuzzTest}. Findings are written next to
 * the seeds as {@code crash-*} and replay from then on.
 */
class RouteTableFuzzTest {
  /** A small vocabulary, so that fuzzed routes and paths collide often. */
  private static final String[] LITERALS = {"a", "b", "api", "v1.0", "caf%C3%A9", ""};
  private static final String[] METHODS = {"GET", "POST", "DELETE"};

  @FuzzTest(maxDuration = "2m")
  void lookupAgreesWithANaiveScan(FuzzedDataProvider data) {
    int routeCount = data.consumeInt(1, 12);
    List<Route> routes = new ArrayList<>(routeCount);
    for (int i = 0; i < routeCount; i++) {
      String pattern = pattern(data);
      try {
        PathPattern.parse(pattern);
      } catch (IllegalArgumentException refused) {
        continue; // a pattern no normalized path could match, refused with a message: fine
      }
      Route.Builder route = Route.builder("r" + i).path(pattern).upstream("http://upstream:8080");
      int methods = data.consumeInt(0, 3);
      if (methods > 0) {
        route.methods(List.of(METHODS).subList(0, methods).toArray(String[]::new));
      }
      routes.add(route.build());
    }
    RouteTable table = RouteTable.of(routes);
    for (int lookups = 0; lookups < 64 && data.remainingBytes() > 0; lookups++) {
      String method = data.pickValue(METHODS);
      String path = path(data);
      if (path == null) {
        continue;
      }
      RouteLookup expected = NaiveRouteScan.lookup(routes, method, path, "h", HttpHeaders.empty(), null);
      RouteLookup actual = table.lookup(method, path, "h", HttpHeaders.empty(), null);
      assertThat(NaiveRouteScan.describe(actual))
          .as("%s %s with routes %s", method, path, routes.stream().map(r -> r.path() + " " + r.methods()).toList())
          .isEqualTo(NaiveRouteScan.describe(expected));
    }
  }

  /** A segment pattern; literals come from the vocabulary or, now and then, from the fuzzer. */
  private static String pattern(FuzzedDataProvider data) {
    int segments = data.consumeInt(0, 4);
    StringBuilder sb = new StringBuilder();
    for (int s = 0; s < segments; s++) {
      sb.append('/');
      switch (data.consumeInt(0, 5)) {
        case 0 -> sb.append('*');
        case 1 -> sb.append("{v").append(s).append('}');
        case 2 -> sb.append(data.consumeAsciiString(4));
        default -> sb.append(data.pickValue(LITERALS));
      }
    }
    switch (data.consumeInt(0, 4)) {
      case 0 -> sb.append("/**");
      case 1 -> sb.append("/{*rest}");
      case 2 -> sb.append('/');
      default -> {
        if (sb.length() == 0) {
          sb.append('/');
        }
      }
    }
    return sb.toString();
  }

  /**
   * A normalized path: made of vocabulary segments, or any string the fuzzer likes that
   * {@link PathNormalizer} accepts; null when it refuses it (the table never sees such a path).
   */
  private static @Nullable String path(FuzzedDataProvider data) {
    String raw;
    if (data.consumeBoolean()) {
      int segments = data.consumeInt(0, 5);
      StringBuilder sb = new StringBuilder();
      for (int s = 0; s < segments; s++) {
        sb.append('/').append(data.consumeBoolean() ? data.pickValue(LITERALS) : data.consumeAsciiString(4));
      }
      raw = sb.length() == 0 ? "/" : sb.toString();
    } else {
      raw = data.consumeString(40);
    }
    PathNormalizer.Result normalized = PathNormalizer.normalize(raw);
    return normalized.isOk() ? normalized.path() : null;
  }
}
