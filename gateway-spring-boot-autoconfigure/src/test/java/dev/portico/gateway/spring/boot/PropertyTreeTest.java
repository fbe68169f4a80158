package dev.portico.gateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Route;
import dev.portico.gateway.config.internal.Registry;
import dev.portico.gateway.transform.HeaderRules;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** How the {@code portico.*} properties become the tree gateway-config reads: Boot's spellings of keys, lists and values. */
class PropertyTreeTest {
  private static final Registry NOTHING_REGISTERED = new Registry(Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

  @Test
  void readsKeysInEveryRelaxedSpelling() {
    Gateway gateway = read(properties(
        "portico.routes[0].id", "a", "portico.routes[0].path", "/a/**", "portico.routes[0].upstream", "http://127.0.0.1:1",
        "portico.routes[0].strip-prefix", "1", "portico.routes[0].permit-all", "true",
        "portico.routes[1].id", "b", "portico.routes[1].path", "/b/**", "portico.routes[1].upstream", "http://127.0.0.1:1",
        "portico.routes[1].stripPrefix", "2", "portico.routes[1].permitAll", "true",
        "portico.request-id-header", "X-Trace"));

    assertThat(gateway.routes()).extracting(r -> r.rewrite().toString()).containsExactly("stripPrefix(1)", "stripPrefix(2)");
    assertThat(gateway.requestIdHeader()).isEqualTo("X-Trace");
  }

  @ParameterizedTest
  @CsvSource({"strip-prefix, stripPrefix", "stripPrefix, strip-prefix", "STRIPPREFIX, strip-prefix"})
  void letsTheFirstSourceWinWhateverSpellingEachUses(String below, String above) {
    StandardEnvironment environment = environment(route("a", "portico.routes[0]." + below, "1"));
    environment.getPropertySources().addFirst(new MapPropertySource("overrides",
        Map.of("portico.routes[0]." + above, "2")));

    Gateway gateway = PropertyTree.read(environment, NOTHING_REGISTERED);

    assertThat(gateway.routes().get(0).rewrite()).hasToString("stripPrefix(2)");
  }

  @Test
  void readsEnvironmentVariables() {
    StandardEnvironment environment = new StandardEnvironment();
    // Boot maps PORTICO_ROUTES_0_ID to portico.routes[0].id in the source of this name.
    environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
        new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(
        "PORTICO_ROUTES_0_ID", "a", "PORTICO_ROUTES_0_PATH", "/a/**", "PORTICO_ROUTES_0_UPSTREAM", "http://127.0.0.1:1",
        "PORTICO_ROUTES_0_STRIPPREFIX", "3", "PORTICO_ROUTES_0_PERMITALL", "true")));

    Gateway gateway = PropertyTree.read(environment, NOTHING_REGISTERED);

    assertThat(gateway.routes().get(0).rewrite()).hasToString("stripPrefix(3)");
  }

  @Test
  void readsAListOfWordsFromOneCommaSeparatedValueOrFromIndexes() {
    Gateway gateway = read(route("a", "portico.routes[0].methods", "GET, POST"));
    Gateway indexed = read(route("a", "portico.routes[0].methods[0]", "PUT", "portico.routes[0].methods[1]", "PATCH"));

    assertThat(gateway.routes().get(0).methods()).containsExactlyInAnyOrder("GET", "POST");
    assertThat(indexed.routes().get(0).methods()).containsExactlyInAnyOrder("PUT", "PATCH");
  }

  @Test
  void keepsMapKeysAsWrittenWithBracketsForDots() {
    Gateway gateway = read(route("a", "portico.routes[0].requestHeaders.set.X-Tenant", "acme",
        "portico.routes[0].requestHeaders.set[X.Dotted]", "v"));

    assertThat(gateway.routes().get(0).requestHeaders().rules()).extracting(HeaderRules.Rule::name)
        .containsExactlyInAnyOrder("X-Tenant", "X.Dotted");
  }

  @Test
  void namesTheGapInAList() {
    InvalidGatewayConfigurationException e = failure(properties(
        "portico.routes[0].id", "a", "portico.routes[0].path", "/a/**", "portico.routes[0].upstream", "http://127.0.0.1:1",
        "portico.routes[0].permitAll", "true", "portico.routes[2].id", "c"));

    assertThat(e.entries()).anySatisfy(entry -> {
      assertThat(entry.key()).isEqualTo("portico.routes[2]");
      assertThat(entry.message()).contains("indexes from 0 without gaps");
    });
  }

  @Test
  void namesAnUnknownKeyAsWrittenAndSuggestsTheKnownOne() {
    InvalidGatewayConfigurationException e = failure(route("a", "portico.routes[0].stripPrefx", "1"));

    assertThat(e.entries()).singleElement().satisfies(entry -> {
      assertThat(entry.key()).isEqualTo("portico.routes[0].stripPrefx");
      assertThat(entry.origin()).contains("test properties");
      assertThat(entry.message()).contains("unknown key 'stripPrefx'", "did you mean 'stripPrefix'?");
    });
    assertThat(e.actions()).startsWith("Rename portico.routes[0].stripPrefx to portico.routes[0].stripPrefix.");
  }

  @Test
  void namesAValueOfTheWrongTypeAsTheUserWroteIt() {
    InvalidGatewayConfigurationException e = failure(route("a", "portico.routes[0].strip-prefix", "many"));

    assertThat(e.entries()).singleElement().satisfies(entry -> {
      assertThat(entry.key()).isEqualTo("portico.routes[0].strip-prefix");
      assertThat(entry.message()).isEqualTo("expected an integer, found a string 'many'");
    });
  }

  @Test
  void leavesTheStartersOwnSettingsOut() {
    Map<String, Object> properties = new LinkedHashMap<>(route("a"));
    properties.put("portico.shutdown-grace", "1s");
    properties.put("portico.filter.order", "5");
    properties.put("portico.enabled", "true");

    assertThat(read(properties).routes()).extracting(Route::id).containsExactly("a");
    assertThat(PropertyTree.gatewayKeys(environment(properties))).containsExactly("routes");
  }

  private static Map<String, Object> route(String id, String... more) {
    Map<String, Object> properties = properties("portico.routes[0].id", id, "portico.routes[0].path", "/" + id + "/**",
        "portico.routes[0].upstream", "http://127.0.0.1:1", "portico.routes[0].permitAll", "true");
    properties.putAll(properties(more));
    return properties;
  }

  private static Map<String, Object> properties(String... namesAndValues) {
    Map<String, Object> properties = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      properties.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return properties;
  }

  private static Gateway read(Map<String, Object> properties) {
    return PropertyTree.read(environment(properties), NOTHING_REGISTERED);
  }

  private static InvalidGatewayConfigurationException failure(Map<String, Object> properties) {
    return catchThrowableOfType(InvalidGatewayConfigurationException.class, () -> read(properties));
  }

  private static StandardEnvironment environment(Map<String, Object> properties) {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().addFirst(new MapPropertySource("test properties", properties));
    ConfigurationPropertySources.attach(environment);
    return environment;
  }
}
