package dev.portico.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.upstream.RequestMirror;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad input fails with every problem it has, each at its file, line, column and key path. */
class ConfigErrorsTest {
  private static final GatewayConfig CONFIG = GatewayConfig.builder()
      .environment(Map.of("HOST", "orders.internal", "PORT", "8080")::get).build();

  private static String error(String yaml) {
    return error(yaml, "gateway.yaml");
  }

  private static String error(String text, String source) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> CONFIG.read(new StringReader(text), source));
    assertThat(e).as("expected a ConfigException").isNotNull();
    return e.getMessage();
  }

  @Test
  void readsAValidFileWithEnvironmentReferences() {
    Gateway gateway = CONFIG.read(new StringReader("""
        routes:
          - id: orders
            path: /orders/**
            upstream: http://${env:HOST}:${env:PORT}
            stripPrefix: ${env:SEGMENTS:-1}
        """), "gateway.yaml");
    assertThat(gateway.routes()).hasSize(1);
    assertThat(gateway.routes().get(0).upstream().orElseThrow().toString()).isEqualTo("http://orders.internal:8080");
    assertThat(gateway.routes().get(0).rewrite().toString()).contains("1");
  }

  @Test
  void aRouteMirrorReadsItsKeysAndItsErrorsPointAtThem() {
    String route = """
        routes:
          - id: orders
            path: /orders
            upstream: http://orders.internal
        """;
    Gateway gateway = CONFIG.read(new StringReader(route + """
            mirror: {to: "http://orders-next.internal:8080", percent: 12.5, maxBodySize: 2048, queue: 8, timeout: 1500ms}
        """), "gateway.yaml");
    RequestMirror mirror = gateway.routes().get(0).mirror().orElseThrow();
    assertThat(mirror.target()).hasToString("http://orders-next.internal:8080");
    assertThat(mirror.percent()).isEqualTo(12.5);
    assertThat(mirror.maxBodySize()).isEqualTo(2048);
    assertThat(mirror.queue()).isEqualTo(8);
    assertThat(mirror.timeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(error(route + """
            mirror: {to: "http://orders-next.internal", percent: 0}
        """))
        .contains("gateway.yaml:5:13 routes[0].mirror: percent 0.0 (expected: > 0 and <= 100)");
    assertThat(error(route + """
            mirror: {percent: 10}
        """))
        .contains("routes[0].mirror").contains("to");
  }

  @Test
  void splitErrorsPointAtTheirKeys() {
    String groups = """
        upstreamGroups:
          v1: {endpoints: [http://v1.internal]}
          v2: {endpoints: [http://v2.internal]}
        routes:
          - id: orders
            path: /orders
        """;
    assertThat(error(groups + """
            split:
              to: {v1: 90, v2: ten}
              rule: []
        """))
        .contains("gateway.yaml:8:24 routes[0].split.to.v2: expected an integer")
        .contains("gateway.yaml:9:7 routes[0].split.rule: unknown key 'rule' (did you mean 'rules'?)");
    assertThat(error(groups + """
            split:
              to: {v1: -1, v2: 10}
        """))
        .contains("gateway.yaml:8:16 routes[0].split.to.v1: weight -1 (expected: >= 0)");
    assertThat(error(groups + """
            split:
              to: {v1: 90, v3: 10}
        """))
        .contains("gateway.yaml:8:7 routes[0].split: upstream group 'v3' is not defined");
    assertThat(error(groups + """
            split:
              to: {v1: 90, v2: 10}
              stickyBy: session
        """))
        .contains("gateway.yaml:9:17 routes[0].split.stickyBy: 'session' is not a hash key");
  }

  @Test
  void ipRulesErrorsPointAtTheBadBlockAndSuggestTheKey() {
    assertThat(error("""
        ipRules:
          deny: [10.0.0.0/8, 10.0.0.0/33]
        routes:
          - id: orders
            path: /orders
            upstream: http://a.internal
            ipRules:
              alow: [10.0.0.0/8]
        """))
        .contains("gateway.yaml:2:22 ipRules.deny[1]: cidr: '10.0.0.0/33'")
        .contains("gateway.yaml:8:7 routes[0].ipRules.alow: unknown key 'alow' (did you mean 'allow'?)");
    assertThat(error("""
        routeDefaults:
          ipRules:
            allow: [example.com]
        routes:
          - id: orders
            path: /orders
            upstream: http://a.internal
            methodPolicies:
              POST:
                ipRules: {allow: [10.0.0.0/8]}
        """))
        .contains("gateway.yaml:3:13 routeDefaults.ipRules.allow[0]: cidr: 'example.com'")
        .contains("routes[0].methodPolicies: POST: ipRules is set per route, not per method");
  }

  @Test
  void routeDefaultsAndMethodPoliciesErrorsPointAtTheirKeys() {
    assertThat(error("""
        routeDefaults:
          permitAll: true
        routes:
          - id: orders
            path: /orders
            upstream: http://a.internal
        """))
        .isEqualTo("gateway.yaml:2:3 routeDefaults: permitAll() is said per route, never by default");
    assertThat(error("""
        routeDefaults:
          maxRequestBodySize: 10
          autorize: []
        routes:
          - id: orders
            path: /orders
            upstream: http://a.internal
            methodPolicies:
              POST:
                maxRequestBodySiz: 5
        """))
        .contains("gateway.yaml:3:3 routeDefaults.autorize: unknown key 'autorize' (did you mean 'authorize'?)")
        .contains("gateway.yaml:10:9 routes[0].methodPolicies.POST.maxRequestBodySiz: unknown key 'maxRequestBodySiz' (did you mean"
            + " 'maxRequestBodySize'?)");
    assertThat(error("""
        routes:
          - id: orders
            path: /orders
            methods: [GET]
            upstream: http://a.internal
            methodPolicies:
              POST:
                maxRequestBodySize: 5
        """))
        .isEqualTo("gateway.yaml:7:7 routes[0].methodPolicies: POST is not a method the route takes (it takes [GET])");
    assertThat(error("""
        routes:
          - id: orders
            path: /orders
            upstream: http://a.internal
            noRateLimit: false
        """))
        .isEqualTo("gateway.yaml:5:18 routes[0].noRateLimit: only true means something here (leave the key out to inherit)");
  }

  @Test
  void malformedYamlNamesLineAndColumn() {
    assertThat(error("""
        routes:
          - id: orders
            path: [/orders
        """)).isEqualTo("gateway.yaml:3:19 not well-formed YAML: while parsing a flow sequence;"
            + " expected ',' or ']', but got <stream end>");
  }

  @Test
  void malformedJsonNamesLineAndColumn() {
    assertThat(error("""
        {"routes": [
          {"id": "orders",, "path": "/orders"}
        ]}
        """, "gateway.json")).isEqualTo("gateway.json:2:19 not well-formed JSON: Unexpected character (',' (code 44)):"
            + " was expecting double-quote to start property name");
  }

  @Test
  void duplicateKeysAreErrorsNamingTheFirst() {
    assertThat(error("""
        routes:
          - id: orders
            path: /orders
            upstream: http://a.internal
            path: /other
        """)).isEqualTo("gateway.yaml:5:5 routes[0].path: duplicate key (first given at line 3, column 5)");
  }

  @Test
  void wrongTypesSayWhatWasExpected() {
    assertThat(error("""
        routes:
          - id: orders
            path: /orders
            upstream: http://a.internal
            methods: GET
            stripPrefix: two
            preserveHost: "yes"
        """)).isEqualTo("""
        3 configuration errors:
          gateway.yaml:5:14 routes[0].methods: expected a list of strings, found a string 'GET'
          gateway.yaml:6:18 routes[0].stripPrefix: expected an integer, found a string 'two'
          gateway.yaml:7:19 routes[0].preserveHost: expected true or false, found a string 'yes'""");
  }

  @Test
  void everyUnknownKeyIsReportedWithASuggestion() {
    assertThat(error("""
        rotes: []
        routes:
          - id: orders
            pth: /orders
            upstream: http://a.internal
            retry: {maxRetires: 2}
        """)).isEqualTo("""
        3 configuration errors:
          gateway.yaml:1:1 rotes: unknown key 'rotes' (did you mean 'routes'?)
          gateway.yaml:4:5 routes[0].pth: unknown key 'pth' (did you mean 'path'?)
          gateway.yaml:6:13 routes[0].retry.maxRetires: unknown key 'maxRetires' (did you mean 'maxRetries'?)""");
  }

  @Test
  void aMisspelledWordSuggestsTheRightOne() {
    assertThat(error("""
        upstreamGroups:
          users:
            endpoints: [http://a.internal]
            loadBalancer: leastRequest
        routes:
          - {id: users, path: /users, upstreamGroup: users}
        """)).isEqualTo("gateway.yaml:4:19 upstreamGroups.users.loadBalancer: 'leastRequest' is not one of roundRobin,"
            + " random, leastRequests, powerOfTwoChoices (did you mean 'leastRequests'?)");
  }

  @Test
  void aMissingEnvironmentVariableIsNamed() {
    assertThat(error("""
        routes:
          - id: orders
            path: /orders
            upstream: http://${env:ORDERS_HOST}
        """)).isEqualTo("gateway.yaml:4:15 routes[0].upstream: environment variable ORDERS_HOST is not set"
            + " (write ${env:ORDERS_HOST:-default} for a default)");
  }

  @Test
  void aWrongTypeFromAReferenceDoesNotEchoTheValue() {
    GatewayConfig config = GatewayConfig.builder().environment(Map.of("SECRET", "hunter2")::get).build();
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> config.read(new StringReader("""
        routes:
          - {id: a, path: /a, upstream: "http://a.internal", stripPrefix: "${env:SECRET}"}
        """), "gateway.yaml"));
    assertThat(e.getMessage()).isEqualTo("gateway.yaml:2:67 routes[0].stripPrefix: expected an integer, found a string"
        + " (from a ${...} reference)").doesNotContain("hunter2");
  }

  @Test
  void onlyEnvAndFileReferencesExist(@TempDir Path dir) throws Exception {
    assertThat(error("""
        routes:
          - {id: orders, path: /orders, upstream: "http://${sys:user.home}"}
        """)).isEqualTo("gateway.yaml:2:43 routes[0].upstream: ${sys:user.home} is not a reference this reader knows"
            + " (expected: ${env:NAME}, ${env:NAME:-default} or ${file:/path}; write $${ for a literal ${)");
  }

  @Test
  void fileReferencesReadTheFileWithoutItsTrailingNewlineAndEscapesStayLiteral(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("host.txt"), "files.internal\n");
    Files.writeString(dir.resolve("gateway.yaml"), """
        routes:
          - id: orders
            path: /orders
            upstream: http://${file:host.txt}
            validate:
              jsonSchema: '{"description": "$${env:NOT_READ}"}'
        """);
    Gateway gateway = CONFIG.read(dir.resolve("gateway.yaml"));
    assertThat(gateway.routes().get(0).upstream().orElseThrow().host()).isEqualTo("files.internal");
    assertThat(gateway.routes().get(0).validation().orElseThrow().jsonSchema().orElseThrow().value())
        .isEqualTo("{\"description\": \"${env:NOT_READ}\"}");
  }

  @Test
  void anUnreadableFileSaysSo(@TempDir Path dir) {
    Path missing = dir.resolve("missing.yaml");
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> CONFIG.read(missing));
    assertThat(e.getMessage()).isEqualTo(missing + " cannot read the file (no such file)");
    assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p.line()).isZero());
  }

  @Test
  void anUnreadableReferencedFileIsNamed(@TempDir Path dir) {
    assertThat(error("""
        routes:
          - {id: orders, path: /orders, upstream: "http://${file:/no/such/file}"}
        """)).isEqualTo("gateway.yaml:2:43 routes[0].upstream: cannot read file /no/such/file (no such file)");
  }

  @Test
  void aBuilderValidationMessagePointsAtTheKey() {
    assertThat(error("""
        routes:
          - id: ok
            path: /ok
            upstream: http://ok.internal
          - id: orders
            path: /orders
            upstream: htp://x
        """)).isEqualTo("gateway.yaml:7:15 routes[1].upstream: 'htp://x' (expected: an http or https URI)");
  }

  @Test
  void aRouteBuildMessagePointsAtTheKeyItNames() {
    assertThat(error("""
        routes:
          - id: items
            path: /items/{id}
            upstream: http://a.internal
            rewritePath: /items/{item}
        """)).isEqualTo("gateway.yaml:5:18 routes[0].rewritePath: rewritePath uses {item}, which path '/items/{id}'"
            + " does not capture (it captures [id])");
  }

  @Test
  void aRouteWithoutUpstreamPointsAtTheRoute() {
    assertThat(error("""
        routes:
          - id: orders
            path: /orders
        """)).isEqualTo("gateway.yaml:2:5 routes[0]: route 'orders': no upstream");
  }

  @Test
  void gatewayLevelMessagesPointAtTheRouteTheyName() {
    assertThat(error("""
        routes:
          - id: orders
            path: /orders
            upstreamGroup: nowhere
          - id: users
            path: /users
            upstream: http://a.internal
          - id: users
            path: /other
            upstream: http://a.internal
        """)).isEqualTo("""
        2 configuration errors:
          gateway.yaml:2:5 routes[0]: route 'orders': upstream group 'nowhere' is not defined (define it with upstreamGroup(...) on the gateway)
          gateway.yaml:8:5 routes[2]: route 'users' is declared twice (route ids must be unique)""");
  }

  @Test
  void anUnknownNamedReferenceSuggestsTheDefinedOne() {
    assertThat(error("""
        limiters:
          perClient: {limit: 10, period: 1s, key: clientIp}
        routes:
          - id: orders
            path: /orders
            upstream: http://a.internal
            rateLimiters: [perClinet]
            filters: [audit]
        """)).isEqualTo("""
        2 configuration errors:
          gateway.yaml:7:20 routes[0].rateLimiters[0]: no limiter named 'perClinet' is defined under limiters: or registered by the host application (did you mean 'perClient'?)
          gateway.yaml:8:15 routes[0].filters[0]: no filter named 'audit' is registered by the host application""");
  }

  @Test
  void aNestedBuilderMessagePointsAtItsObject() {
    assertThat(error("""
        routes:
          - id: orders
            path: /orders
            upstream: http://a.internal
            retry:
              maxRetries: -1
        """)).startsWith("gateway.yaml:6:19 routes[0].retry.maxRetries: ");
  }

  @Test
  void anEmptyFileAndANonObjectAreRefused() {
    assertThat(error("")).isEqualTo("gateway.yaml the file is empty (expected: an object with routes)");
    assertThat(error("- a\n- b\n")).isEqualTo("gateway.yaml:1:1 expected an object with routes, found a list");
    assertThat(error("requestIdHeader: X-Id\n")).isEqualTo("gateway.yaml:1:1 missing key 'routes'");
  }

  @Test
  void anAuthenticatorHasExactlyOneKind() {
    assertThat(error("""
        authenticators:
          both:
            jwt: {jwksUri: "https://idp.example.com/jwks"}
            basic: {users: []}
        routes:
          - {id: a, path: /a, upstream: "http://a.internal"}
        """)).isEqualTo("gateway.yaml:3:5 authenticators.both: has 2 of the keys (expected: exactly one of jwt, apiKey,"
            + " basic, introspection, clientCertificate)");
  }

  @Test
  void theErrorsTheConfigurationPageShowsAreWhatTheReaderSays() throws Exception {
    String page = Files.readString(Path.of("../src/site/markdown/configuration-files.md"));
    java.util.regex.Matcher shown = java.util.regex.Pattern.compile("```text\\n(\\d+ configuration errors:\\n.*?)\\n```",
        java.util.regex.Pattern.DOTALL).matcher(page);
    assertThat(shown.find()).as("an error listing in configuration-files.md").isTrue();
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> CONFIG.read(new StringReader(Files.readString(Path.of("src/test/resources/docs-errors.yaml"))), "gateway.yaml"));
    assertThat(e.getMessage()).isEqualTo(shown.group(1));
  }

  @Test
  void yamlAnchorsLetObjectsBeReused() {
    Gateway gateway = CONFIG.read(new StringReader("""
        routes:
          - id: a
            path: /a
            upstream: http://a.internal
            timeouts: &fast {connect: 1s, response: 2s}
          - id: b
            path: /b
            upstream: http://b.internal
            timeouts: *fast
        """), "gateway.yaml");
    assertThat(gateway.route("b").orElseThrow().timeouts().response()).isEqualTo(java.time.Duration.ofSeconds(2));
  }

  @Test
  void anAliasOfAScalarOrOfNothingIsRefused() {
    assertThat(error("""
        routes:
          - {id: a, path: &p /a, upstream: "http://a.internal"}
          - {id: b, path: *p, upstream: "http://b.internal"}
        """)).isEqualTo("gateway.yaml:3:19 routes[1].path: alias *p names no object or list anchored (&p) before it;"
            + " only objects and lists can be reused");
  }

  @Test
  void aliasesThatExpandWithoutBoundAreRefused() {
    StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 8; i++) {
      yaml.append("a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 10; j++) {
        yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      yaml.append("]\n");
    }
    assertThat(error(yaml + "routes: []\n")).endsWith(": aliases expand to more than 100000 values");
  }
}
