package dev.portico.gateway.internal.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A host without gateway-impl's optional libraries (networknt, Resilience4j, Caffeine, Tink and what they
 * bring, Jetty's HTTP/2 client, Lettuce, Micrometer, OpenTelemetry, websocket-core, and the
 * compression jars jetty-client would bring): each feature that needs one fails
 * when it is built, naming the artifact to add, and a gateway without those features serves as
 * before. The host is simulated by a class loader over the test class path with those jars
 * hidden; the same probes with nothing hidden show that the failures are the hiding's doing.
 */
class OptionalLibrariesTest {
  private static HidingClassLoader lean;
  private static HidingClassLoader full;

  @BeforeAll
  static void loaders() {
    lean = HidingClassLoader.without(HidingClassLoader.OPTIONAL_PACKAGES);
    full = HidingClassLoader.without(List.of());
  }

  @AfterAll
  static void close() {
    lean.close();
    full.close();
  }

  @Test
  void jsonSchemaRouteWithoutNetworkntFailsAdapterCreationNamingTheArtifact() {
    assertThatThrownBy(() -> lean.run("jsonSchemaRoute"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("route 'orders': validate: jsonSchema needs com.networknt:json-schema-validator"
            + " on the class path: add the dependency <groupId>com.networknt</groupId>"
            + "<artifactId>json-schema-validator</artifactId> to the host's build");
  }

  @Test
  void jsonSchemaValidatorWithoutNetworkntFailsToCompileNamingTheArtifact() {
    assertThatThrownBy(() -> lean.run("jsonSchemaValidator"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("JsonSchemaValidator needs com.networknt:json-schema-validator on the class path");
  }

  @Test
  void circuitBreakerWithoutResilience4jFailsAdapterCreationNamingTheArtifact() {
    assertThatThrownBy(() -> lean.run("circuitBreakerGroup"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("upstream group 'payments': circuitBreaker needs"
            + " io.github.resilience4j:resilience4j-circuitbreaker on the class path: add the dependency"
            + " <groupId>io.github.resilience4j</groupId><artifactId>resilience4j-circuitbreaker</artifactId>");
  }

  @Test
  void cachingRouteWithoutCaffeineFailsAdapterCreationNamingTheArtifact() {
    assertThatThrownBy(() -> lean.run("cachingRoute"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("route 'catalog': cache needs com.github.ben-manes.caffeine:caffeine on the class path:"
            + " add the dependency <groupId>com.github.ben-manes.caffeine</groupId><artifactId>caffeine</artifactId>");
  }

  @Test
  void http2GroupWithoutJettyHttp2FailsAdapterCreationNamingTheArtifact() {
    assertThatThrownBy(() -> lean.run("http2Group"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("upstream group 'ledger': protocol HTTP_2 needs"
            + " org.eclipse.jetty.http2:jetty-http2-client-transport on the class path: add the dependency"
            + " <groupId>org.eclipse.jetty.http2</groupId><artifactId>jetty-http2-client-transport</artifactId>");
  }

  @Test
  void eddsaWithoutTinkFailsJwtAuthenticatorBuildNamingTheArtifact() {
    assertThatThrownBy(() -> lean.run("eddsaAuthenticator"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("JwtAuthenticator: algorithms: EdDSA needs com.google.crypto.tink:tink on the"
            + " class path: add the dependency <groupId>com.google.crypto.tink</groupId><artifactId>tink</artifactId>");
  }

  @Test
  void keySetOfOnlyEd25519KeysWithoutTinkFailsBuildNamingTheArtifact() {
    assertThatThrownBy(() -> lean.run("ed25519KeySet"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("JwtAuthenticator: jwkSet: an Ed25519 key needs com.google.crypto.tink:tink");
  }

  @Test
  void defaultAlgorithmsLeaveEdDsaOutWithoutTinkAndKeepItWithTink() throws Exception {
    // The description lists the allowed set, in no particular order.
    assertThat(lean.run("defaultAlgorithms")).contains("RS256", "ES256").doesNotContain("EdDSA");
    assertThat(full.run("defaultAlgorithms")).contains("RS256", "ES256", "EdDSA");
  }

  @Test
  void gatewayWithJwtRateLimitTransformAndProxyServesWithoutOptionalLibraries() throws Exception {
    assertThat(lean.run("servesWithoutOptionalFeatures"))
        .isEqualTo("200 upstream got /orders/42 {\"item\":1,\"via\":\"gateway\"} | 401 Bearer realm=\"api\"");
  }

  @Test
  void sameFeaturesBuildWhenTheLibrariesArePresent() throws Exception {
    assertThat(full.run("jsonSchemaRoute")).isEqualTo("created");
    assertThat(full.run("jsonSchemaValidator")).isEqualTo("compiled");
    assertThat(full.run("circuitBreakerGroup")).isEqualTo("created");
    assertThat(full.run("http2Group")).isEqualTo("created");
    assertThat(full.run("cachingRoute")).isEqualTo("created");
    assertThat(full.run("eddsaAuthenticator")).isEqualTo("built");
    assertThat(full.run("ed25519KeySet")).isEqualTo("built");
  }
}
