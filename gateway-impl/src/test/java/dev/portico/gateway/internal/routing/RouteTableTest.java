package dev.portico.gateway.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Route;
import dev.portico.gateway.routing.PathPattern;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RouteTableTest {

  private static final String HOST = "gateway.example.com";

  private static Route route(String id, String path, UnaryOperator<Route.Builder> more) {
    return more.apply(Route.builder(id).path(path).upstream("http://upstream:8080")).build();
  }

  private static Route route(String id, String path) {
    return route(id, path, r -> r);
  }

  private static Route regexRoute(String id, String regex) {
    return Route.builder(id).pathRegex(regex).upstream("http://upstream:8080").build();
  }

  private static RouteLookup get(RouteTable table, String path) {
    return table.lookup("GET", path, HOST, HttpHeaders.empty(), null);
  }

  private static String foundId(RouteLookup lookup) {
    assertThat(lookup).isInstanceOf(RouteLookup.Found.class);
    return ((RouteLookup.Found) lookup).route().id();
  }

  private static Map<String, String> variables(RouteLookup lookup) {
    assertThat(lookup).isInstanceOf(RouteLookup.Found.class);
    return ((RouteLookup.Found) lookup).variables();
  }

  @Nested
  class Paths {
    @Test
    void literalMatchesOnlyItsExactPath() {
      RouteTable table = RouteTable.of(List.of(route("health", "/api/health")));

      assertThat(foundId(get(table, "/api/health"))).isEqualTo("health");
      assertThat(get(table, "/api/health/")).isSameAs(RouteLookup.notFound());
      assertThat(get(table, "/api/healthz")).isSameAs(RouteLookup.notFound());
      assertThat(get(table, "/api")).isSameAs(RouteLookup.notFound());
    }

    @Test
    void rootLiteralMatchesOnlyTheRoot() {
      RouteTable table = RouteTable.of(List.of(route("root", "/")));

      assertThat(foundId(get(table, "/"))).isEqualTo("root");
      assertThat(get(table, "/a")).isSameAs(RouteLookup.notFound());
    }

    @Test
    void catchAllMatchesThePrefixItselfAndEverythingBelowIt() {
      RouteTable table = RouteTable.of(List.of(route("static", "/static/**")));

      assertThat(foundId(get(table, "/static"))).isEqualTo("static");
      assertThat(foundId(get(table, "/static/"))).isEqualTo("static");
      assertThat(foundId(get(table, "/static/css/site.css"))).isEqualTo("static");
      assertThat(get(table, "/staticx")).isSameAs(RouteLookup.notFound());
      assertThat(get(table, "/other/static")).isSameAs(RouteLookup.notFound());
    }

    @Test
    void wildcardMatchesExactlyOneNonEmptySegment() {
      RouteTable table = RouteTable.of(List.of(route("profile", "/users/*/profile")));

      assertThat(foundId(get(table, "/users/7/profile"))).isEqualTo("profile");
      assertThat(get(table, "/users/profile")).isSameAs(RouteLookup.notFound());
      assertThat(get(table, "/users/7/8/profile")).isSameAs(RouteLookup.notFound());
    }

    @Test
    void templateCapturesItsVariables() {
      RouteTable table = RouteTable.of(List.of(route("order", "/users/{user}/orders/{id}")));

      assertThat(variables(get(table, "/users/ann/orders/7"))).containsExactlyInAnyOrderEntriesOf(
          Map.of("user", "ann", "id", "7"));
      assertThat(get(table, "/users/ann/orders")).isSameAs(RouteLookup.notFound());
    }

    @Test
    void namedCatchAllCapturesTheRestWithoutItsLeadingSlash() {
      RouteTable table = RouteTable.of(List.of(route("files", "/files/{*rest}")));

      assertThat(variables(get(table, "/files/a/b.txt"))).containsExactlyEntriesOf(Map.of("rest", "a/b.txt"));
      assertThat(variables(get(table, "/files"))).containsExactlyEntriesOf(Map.of("rest", ""));
    }

    @Test
    void regexMatchesTheWholePathAndCapturesNamedGroups() {
      RouteTable table = RouteTable.of(List.of(regexRoute("versioned", "/v(?<version>[0-9]+)/(?<rest>.*)")));

      assertThat(variables(get(table, "/v2/orders/7"))).containsExactlyInAnyOrderEntriesOf(
          Map.of("version", "2", "rest", "orders/7"));
      assertThat(get(table, "/api/v2/orders")).isSameAs(RouteLookup.notFound());
      assertThat(get(table, "/vx/orders")).isSameAs(RouteLookup.notFound());
    }

    @Test
    void routeWithoutVariablesAnswersWithOnePrebuiltResult() {
      RouteTable table = RouteTable.of(List.of(route("health", "/health"), route("static", "/static/**")));

      assertThat(get(table, "/health")).isSameAs(get(table, "/health"));
      assertThat(get(table, "/static/a")).isSameAs(get(table, "/static/b"));
      assertThat(variables(get(table, "/health"))).isEmpty();
    }
  }

  @Nested
  class Conditions {
    @Test
    void methodsRestrictTheRouteAndNoMethodsMeansAny() {
      RouteTable table = RouteTable.of(List.of(
          route("read", "/items", r -> r.methods("GET", "HEAD")),
          route("any", "/other")));

      assertThat(foundId(table.lookup("HEAD", "/items", HOST, HttpHeaders.empty(), null))).isEqualTo("read");
      assertThat(foundId(table.lookup("PATCH", "/other", HOST, HttpHeaders.empty(), null))).isEqualTo("any");
    }

    @Test
    void exactHostMatchesIgnoringCaseAndPort() {
      RouteTable table = RouteTable.of(List.of(route("api", "/**", r -> r.hosts("api.example.com"))));

      assertThat(foundId(table.lookup("GET", "/x", "API.example.com:8443", HttpHeaders.empty(), null))).isEqualTo("api");
      assertThat(foundId(table.lookup("GET", "/x", "api.example.com", HttpHeaders.empty(), null))).isEqualTo("api");
      assertThat(table.lookup("GET", "/x", "www.example.com", HttpHeaders.empty(), null)).isSameAs(RouteLookup.notFound());
    }

    @Test
    void wildcardHostMatchesSubdomainsButNotTheDomainItself() {
      RouteTable table = RouteTable.of(List.of(route("tenants", "/**", r -> r.hosts("*.example.com"))));

      assertThat(foundId(table.lookup("GET", "/", "acme.example.com", HttpHeaders.empty(), null))).isEqualTo("tenants");
      assertThat(foundId(table.lookup("GET", "/", "a.b.example.com:80", HttpHeaders.empty(), null))).isEqualTo("tenants");
      assertThat(table.lookup("GET", "/", "example.com", HttpHeaders.empty(), null)).isSameAs(RouteLookup.notFound());
      assertThat(table.lookup("GET", "/", "badexample.com", HttpHeaders.empty(), null)).isSameAs(RouteLookup.notFound());
    }

    @Test
    void oneOfSeveralHostsIsEnough() {
      RouteTable table = RouteTable.of(List.of(route("two", "/**", r -> r.hosts("a.test", "b.test"))));

      assertThat(foundId(table.lookup("GET", "/", "b.test", HttpHeaders.empty(), null))).isEqualTo("two");
    }

    @Test
    void headerPresenceIgnoresNameCase() {
      RouteTable table = RouteTable.of(List.of(route("debug", "/**", r -> r.header("X-Debug"))));

      HttpHeaders with = HttpHeaders.builder().add("x-debug", "").build();
      assertThat(foundId(table.lookup("GET", "/", HOST, with, null))).isEqualTo("debug");
      assertThat(table.lookup("GET", "/", HOST, HttpHeaders.empty(), null)).isSameAs(RouteLookup.notFound());
    }

    @Test
    void headerValueMustEqualOneOfTheValues() {
      RouteTable table = RouteTable.of(List.of(route("v2", "/**", r -> r.header("X-Version", "2"))));

      HttpHeaders two = HttpHeaders.builder().add("X-Version", "1").add("X-Version", "2").build();
      HttpHeaders one = HttpHeaders.builder().add("X-Version", "1").build();
      assertThat(foundId(table.lookup("GET", "/", HOST, two, null))).isEqualTo("v2");
      assertThat(table.lookup("GET", "/", HOST, one, null)).isSameAs(RouteLookup.notFound());
    }

    @Test
    void everyHeaderConditionMustHold() {
      RouteTable table = RouteTable.of(List.of(route("both", "/**", r -> r.header("A").header("B", "1"))));

      HttpHeaders onlyA = HttpHeaders.builder().add("A", "x").build();
      HttpHeaders both = HttpHeaders.builder().add("A", "x").add("B", "1").build();
      assertThat(table.lookup("GET", "/", HOST, onlyA, null)).isSameAs(RouteLookup.notFound());
      assertThat(foundId(table.lookup("GET", "/", HOST, both, null))).isEqualTo("both");
    }

    @Test
    void queryParameterPresenceAcceptsAnEmptyValue() {
      RouteTable table = RouteTable.of(List.of(route("debug", "/**", r -> r.queryParam("debug"))));

      assertThat(foundId(table.lookup("GET", "/", HOST, HttpHeaders.empty(), "debug"))).isEqualTo("debug");
      assertThat(foundId(table.lookup("GET", "/", HOST, HttpHeaders.empty(), "a=1&debug="))).isEqualTo("debug");
      assertThat(table.lookup("GET", "/", HOST, HttpHeaders.empty(), "debugx=1")).isSameAs(RouteLookup.notFound());
      assertThat(table.lookup("GET", "/", HOST, HttpHeaders.empty(), null)).isSameAs(RouteLookup.notFound());
    }

    @Test
    void queryParameterValueIsComparedAfterPercentDecoding() {
      RouteTable table = RouteTable.of(List.of(route("search", "/**", r -> r.queryParam("q x", "café & co"))));

      assertThat(foundId(table.lookup("GET", "/", HOST, HttpHeaders.empty(), "q%20x=caf%C3%A9+%26+co"))).isEqualTo("search");
      assertThat(foundId(table.lookup("GET", "/", HOST, HttpHeaders.empty(), "other=1&q+x=caf%c3%a9%20%26%20co")))
          .isEqualTo("search");
      assertThat(table.lookup("GET", "/", HOST, HttpHeaders.empty(), "q%20x=cafe")).isSameAs(RouteLookup.notFound());
    }

    @Test
    void queryParameterValueMayBeAnyOfRepeatedValues() {
      RouteTable table = RouteTable.of(List.of(route("tag", "/**", r -> r.queryParam("tag", "b"))));

      assertThat(foundId(table.lookup("GET", "/", HOST, HttpHeaders.empty(), "tag=a&tag=b"))).isEqualTo("tag");
    }

    @Test
    void malformedQueryEncodingIsComparedAsWritten() {
      RouteTable table = RouteTable.of(List.of(route("odd", "/**", r -> r.queryParam("p", "100%"))));

      assertThat(foundId(table.lookup("GET", "/", HOST, HttpHeaders.empty(), "p=100%"))).isEqualTo("odd");
    }
  }

  @Nested
  class Specificity {
    @Test
    void literalBeatsTemplateBeatsCatchAllWhateverTheDeclarationOrder() {
      RouteTable table = RouteTable.of(List.of(
          route("catchAll", "/users/**"),
          route("template", "/users/{id}"),
          route("literal", "/users/me")));

      assertThat(foundId(get(table, "/users/me"))).isEqualTo("literal");
      assertThat(foundId(get(table, "/users/7"))).isEqualTo("template");
      assertThat(foundId(get(table, "/users/7/orders"))).isEqualTo("catchAll");
      assertThat(foundId(get(table, "/users"))).isEqualTo("catchAll");
    }

    @Test
    void wildcardBeatsCatchAll() {
      RouteTable table = RouteTable.of(List.of(route("catchAll", "/a/**"), route("wildcard", "/a/*")));

      assertThat(foundId(get(table, "/a/b"))).isEqualTo("wildcard");
    }

    @Test
    void templateAndWildcardAreEquallySpecificSoTheEarlierWins() {
      // PathPattern: '*' and '{name}' rank the same; the declaration order decides.
      RouteTable templateFirst = RouteTable.of(List.of(route("template", "/a/{x}"), route("wildcard", "/a/*")));
      RouteTable wildcardFirst = RouteTable.of(List.of(route("wildcard", "/a/*"), route("template", "/a/{x}")));

      assertThat(foundId(get(templateFirst, "/a/b"))).isEqualTo("template");
      assertThat(foundId(get(wildcardFirst, "/a/b"))).isEqualTo("wildcard");
    }

    @Test
    void literalSegmentOnTheLeftOutweighsEverythingToItsRight() {
      RouteTable table = RouteTable.of(List.of(route("variableFirst", "/{x}/b/c"), route("literalFirst", "/a/**")));

      assertThat(foundId(get(table, "/a/b/c"))).isEqualTo("literalFirst");
    }

    @Test
    void patternEndBeatsCatchAllThatMatchesNothing() {
      RouteTable table = RouteTable.of(List.of(route("catchAll", "/a/{x}/**"), route("ends", "/a/{x}")));

      assertThat(foundId(get(table, "/a/b"))).isEqualTo("ends");
      assertThat(foundId(get(table, "/a/b/c"))).isEqualTo("catchAll");
    }

    @Test
    void equallySpecificRoutesGoToTheEarlierDeclared() {
      RouteTable table = RouteTable.of(List.of(
          route("first", "/a/{x}", r -> r.header("X-Any")),
          route("second", "/a/{y}")));

      HttpHeaders any = HttpHeaders.builder().add("X-Any", "1").build();
      assertThat(foundId(table.lookup("GET", "/a/b", HOST, any, null))).isEqualTo("first");
      assertThat(foundId(table.lookup("GET", "/a/b", HOST, HttpHeaders.empty(), null))).isEqualTo("second");
    }

    @Test
    void regexTiesWithRootCatchAllSoTheEarlierWins() {
      RouteTable regexFirst = RouteTable.of(List.of(regexRoute("regex", "/a.*"), route("catchAll", "/**")));
      RouteTable catchAllFirst = RouteTable.of(List.of(route("catchAll", "/**"), regexRoute("regex", "/a.*")));

      assertThat(foundId(get(regexFirst, "/ab"))).isEqualTo("regex");
      assertThat(foundId(get(catchAllFirst, "/ab"))).isEqualTo("catchAll");
    }

    @Test
    void regexLosesToAnySegmentPatternThatStartsWithALiteralOrVariable() {
      RouteTable table = RouteTable.of(List.of(regexRoute("regex", "/.*"), route("deep", "/a/**"), route("var", "/{x}")));

      assertThat(foundId(get(table, "/a/b"))).isEqualTo("deep");
      assertThat(foundId(get(table, "/z"))).isEqualTo("var");
      assertThat(foundId(get(table, "/z/y"))).isEqualTo("regex");
    }

    @Test
    void moreSpecificRouteThatFailsItsConditionsLetsTheNextOneMatch() {
      RouteTable table = RouteTable.of(List.of(
          route("fallback", "/api/**"),
          route("internal", "/api/admin/**", r -> r.hosts("internal.example.com"))));

      assertThat(foundId(get(table, "/api/admin/users"))).isEqualTo("fallback");
      assertThat(foundId(table.lookup("GET", "/api/admin/users", "internal.example.com", HttpHeaders.empty(), null)))
          .isEqualTo("internal");
    }
  }

  @Nested
  class Refusals {
    @Test
    void wrongMethodAnswers405WithTheUnionOfTheMatchingRoutesMethods() {
      RouteTable table = RouteTable.of(List.of(
          route("list", "/items", r -> r.methods("GET")),
          route("create", "/items", r -> r.methods("POST", "GET")),
          route("one", "/items/{id}", r -> r.methods("DELETE")),
          route("elsewhere", "/items", r -> r.methods("PATCH").hosts("other.example.com"))));

      RouteLookup lookup = table.lookup("PUT", "/items", HOST, HttpHeaders.empty(), null);

      assertThat(lookup).isInstanceOf(RouteLookup.MethodNotAllowed.class);
      RouteLookup.MethodNotAllowed notAllowed = (RouteLookup.MethodNotAllowed) lookup;
      assertThat(notAllowed.allowed()).containsExactly("GET", "POST");
      assertThat(notAllowed.allowHeader()).isEqualTo("GET, POST");
    }

    @Test
    void methodMatchElsewhereWinsOver405() {
      RouteTable table = RouteTable.of(List.of(
          route("specific", "/items/{id}", r -> r.methods("GET")),
          route("broad", "/items/**", r -> r.methods("DELETE"))));

      assertThat(foundId(table.lookup("DELETE", "/items/7", HOST, HttpHeaders.empty(), null))).isEqualTo("broad");
    }

    @Test
    void unionSpansSeveralTrieLevels() {
      RouteTable table = RouteTable.of(List.of(
          route("literal", "/a/b", r -> r.methods("GET")),
          route("deep", "/a/**", r -> r.methods("PUT")),
          route("root", "/**", r -> r.methods("POST")),
          regexRoute("regex", "/a/.*").toBuilder().methods("PATCH").build()));

      RouteLookup lookup = table.lookup("DELETE", "/a/b", HOST, HttpHeaders.empty(), null);

      assertThat(((RouteLookup.MethodNotAllowed) lookup).allowed()).containsExactly("GET", "PATCH", "POST", "PUT");
    }

    @Test
    void routeThatFailsAnotherConditionDoesNotCountTowards405() {
      RouteTable table = RouteTable.of(List.of(route("v2", "/items", r -> r.methods("GET").header("X-Version", "2"))));

      assertThat(table.lookup("POST", "/items", HOST, HttpHeaders.empty(), null)).isSameAs(RouteLookup.notFound());
    }

    @Test
    void noRouteForThePathAnswers404() {
      RouteTable table = RouteTable.of(List.of(route("a", "/a/**"), route("b", "/b/{x}")));

      assertThat(get(table, "/c")).isSameAs(RouteLookup.notFound());
      assertThat(get(table, "/b/x/y")).isSameAs(RouteLookup.notFound());
    }

    @Test
    void emptyTableFindsNothing() {
      assertThat(get(RouteTable.of(List.of()), "/")).isSameAs(RouteLookup.notFound());
    }
  }

  /**
   * The lookup tries the routes whose literal prefix is deepest first and stops at the first full
   * match. That is right only if, whenever two patterns match the same path, the one with the
   * longer literal prefix (and a literal pattern above all) is strictly more specific. Checked here
   * over many random pattern pairs and the paths both match.
   */
  @Test
  void aLongerLiteralPrefixIsAlwaysMoreSpecificWhenBothMatch() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    int checked = 0;
    for (int i = 0; i < 20_000; i++) {
      PathPattern a = randomPattern(random, new int[1]);
      PathPattern b = randomPattern(random, new int[1]);
      int depthA = literalPrefixDepth(a);
      int depthB = literalPrefixDepth(b);
      if (depthA == depthB) {
        continue;
      }
      for (int j = 0; j < 10; j++) {
        String path = randomPath(random);
        if (a.matches(path) && b.matches(path)) {
          checked++;
          PathPattern deeper = depthA > depthB ? a : b;
          PathPattern shallower = depthA > depthB ? b : a;
          assertThat(deeper.compareSpecificity(shallower)).as("seed %d: %s vs %s on %s", seed, deeper, shallower, path)
              .isPositive();
          assertThat(shallower.compareSpecificity(deeper)).as("seed %d: %s vs %s", seed, shallower, deeper).isNegative();
        }
      }
    }
    assertThat(checked).isGreaterThan(100);
  }

  /** Literal patterns count as infinitely deep: they are looked up before any trie node. */
  private static int literalPrefixDepth(PathPattern pattern) {
    if (pattern.isLiteral()) {
      return Integer.MAX_VALUE;
    }
    int depth = 0;
    for (PathPattern.Segment s : pattern.segments()) {
      if (s.kind() != PathPattern.SegmentKind.LITERAL) {
        break;
      }
      depth++;
    }
    return depth;
  }

  @Test
  void agreesWithANaiveScanOfAllRoutes() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    Map<String, Integer> outcomes = new HashMap<>();
    for (int set = 0; set < 300; set++) {
      List<Route> routes = randomRoutes(random, 1 + random.nextInt(25));
      RouteTable table = RouteTable.of(routes);
      for (int request = 0; request < 200; request++) {
        String method = pick(random, "GET", "POST", "PUT", "DELETE");
        String path = randomPath(random);
        String host = pick(random, "a.example.com", "b.example.com:8080", "example.com", "other.org");
        HttpHeaders headers = randomHeaders(random);
        String query = pick(random, null, "", "q", "q=1", "q=2&q=1", "q=", "n+m=x%20y", "n%20m=x+y", "q=1&n+m=x");

        RouteLookup expected = NaiveRouteScan.lookup(routes, method, path, host, headers, query);
        RouteLookup actual = table.lookup(method, path, host, headers, query);

        assertThat(NaiveRouteScan.describe(actual))
            .as("seed %d, set %d: %s %s host=%s headers=%s query=%s%n  routes: %s", seed, set, method, path, host, headers,
                query, routes.stream().map(RouteTableTest::describe).toList())
            .isEqualTo(NaiveRouteScan.describe(expected));
        outcomes.merge(NaiveRouteScan.describe(expected).substring(0, 3), 1, Integer::sum);
      }
    }
    // The generator must exercise every outcome, or agreeing proves little.
    assertThat(outcomes).as("seed %d", seed).allSatisfy((outcome, count) -> assertThat(count).isGreaterThan(2000))
        .containsOnlyKeys("Fou", "405", "404");
  }

  private static String describe(Route r) {
    return r.id() + ":" + r.path() + (r.methods().isEmpty() ? "" : " " + new TreeSet<>(r.methods()))
        + (r.hosts().isEmpty() ? "" : " hosts" + r.hosts()) + (r.headers().isEmpty() ? "" : " headers" + r.headers())
        + (r.queryParams().isEmpty() ? "" : " query" + r.queryParams());
  }

  // ---- random routes and requests, over a small vocabulary so that they collide often ----

  private static final String[] LITERALS = {"a", "b", "api", "v1.0"};

  private static List<Route> randomRoutes(Random random, int count) {
    List<Route> routes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Route.Builder b = Route.builder("r" + i).upstream("http://upstream:8080");
      if (random.nextInt(8) == 0) {
        b.pathRegex(pick(random, "/a.*", "/(?<first>[ab])/.*", "/[a-b]+", ".*", "/api/(?<rest>.+)", "/v1\\.0(/.*)?"));
      } else {
        b.path(randomPattern(random, new int[1]).pattern());
      }
      if (random.nextInt(3) == 0) {
        List<String> methods = new ArrayList<>(List.of("GET", "POST", "PUT", "DELETE"));
        java.util.Collections.shuffle(methods, random);
        b.methods(methods.subList(0, 1 + random.nextInt(2)).toArray(String[]::new));
      }
      if (random.nextInt(5) == 0) {
        b.hosts(pick(random, "a.example.com", "*.example.com", "example.com", "other.org"));
      }
      if (random.nextInt(6) == 0) {
        if (random.nextBoolean()) {
          b.header("X-A");
        } else {
          b.header("X-A", "1");
        }
      }
      if (random.nextInt(6) == 0) {
        switch (random.nextInt(3)) {
          case 0 -> b.queryParam("q");
          case 1 -> b.queryParam("q", "1");
          default -> b.queryParam("n m", "x y");
        }
      }
      routes.add(b.build());
    }
    return routes;
  }

  /** A random segment pattern; {@code names} counts variables so that names never repeat. */
  private static PathPattern randomPattern(Random random, int[] names) {
    int length = random.nextInt(4);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < length; i++) {
      sb.append('/');
      switch (random.nextInt(6)) {
        case 0 -> sb.append('*');
        case 1 -> sb.append("{v").append(names[0]++).append('}');
        default -> sb.append(pick(random, LITERALS));
      }
    }
    switch (random.nextInt(6)) {
      case 0 -> sb.append("/**");
      case 1 -> sb.append("/{*rest}");
      case 2 -> sb.append('/');
      default -> {
        if (sb.length() == 0) {
          sb.append('/');
        }
      }
    }
    return PathPattern.parse(sb.toString());
  }

  private static String randomPath(Random random) {
    int length = random.nextInt(5);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < length; i++) {
      sb.append('/').append(pick(random, "a", "b", "api", "v1.0", "x", "ab"));
    }
    if (sb.length() == 0 || random.nextInt(5) == 0) {
      sb.append('/');
    }
    return sb.toString();
  }

  private static HttpHeaders randomHeaders(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> HttpHeaders.builder().add("x-a", "1").build();
      case 1 -> HttpHeaders.builder().add("X-A", "2").build();
      default -> HttpHeaders.empty();
    };
  }

  @SafeVarargs
  private static <T> T pick(Random random, T... values) {
    return values[random.nextInt(values.length)];
  }
}
