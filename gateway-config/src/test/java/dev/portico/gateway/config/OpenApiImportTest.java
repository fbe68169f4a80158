package dev.portico.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Route;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.UpstreamAnswer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A configuration file that imports an OpenAPI document ({@code openapi:}), read once and reloaded. */
class OpenApiImportTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  /** The Petstore document of gateway-openapi's tests (Apache 2.0; see SOURCES.md there). */
  private static final Path PETSTORE = Path.of("../gateway-openapi/src/test/resources/openapi/petstore-3.0.yaml");
  private static final String BROKEN = """
      openapi: 3.0.3
      info: {title: Broken, version: "1"}
      paths:
        /things:
          post:
            operationId: createThing
            requestBody:
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Missing'}
            responses: {"201": {description: created}}
      """;

  @TempDir
  Path dir;
  private FakeUpstream upstream;
  private GatewayConfig config;

  @BeforeEach
  void start() throws Exception {
    upstream = FakeUpstream.start();
    upstream.answer(UpstreamAnswer.text(200, "pets"));
    Files.copy(PETSTORE, dir.resolve("petstore.yaml"));
    Files.writeString(dir.resolve("broken.yaml"), BROKEN);
    config = GatewayConfig.builder().environment(Map.of("PETS", upstream.uri())::get).build();
  }

  @AfterEach
  void stop() throws Exception {
    upstream.close();
  }

  private Path write(String text) throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Path next = dir.resolve("next.tmp");
    Files.writeString(next, text);
    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return file;
  }

  private static HttpResponse<String> get(GatewayServer server, String path) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(10); // polling with a deadline: the watch thread works on its own time
    }
  }

  @Test
  void aFileImportsTheOperationsOfADocumentBeforeItsOwnRoutes() throws Exception {
    Gateway gateway = config.read(write("""
        openapi:
          - document: petstore.yaml
            upstream: ${env:PETS}
            idPrefix: "pets."
        routes:
          - {id: health, path: /health, upstream: "${env:PETS}"}
        """));

    assertThat(gateway.routes()).extracting(Route::id).startsWith("pets.updatePet").endsWith("health").hasSize(20);
  }

  @Test
  void importedRoutesValidateRequestsAndProxyValidOnes() throws Exception {
    Gateway gateway = config.read(write("""
        openapi: [{document: petstore.yaml, upstream: "${env:PETS}"}]
        routes: []
        """));
    try (GatewayServer server = GatewayServer.start(gateway)) {
      assertThat(get(server, "/api/v3/pet/7").body()).isEqualTo("pets");
      HttpResponse<String> refused = get(server, "/api/v3/pet/seven");
      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(refused.body()).contains("\"parameter\":\"petId\"");
    }
  }

  @Test
  void aDocumentWithAnUnresolvedReferenceIsReportedAtItsKey() throws Exception {
    Path file = write("""
        openapi:
          - document: broken.yaml
            upstream: http://things.internal
        routes: []
        """);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> config.read(file));

    assertThat(e.getMessage()).contains(file + ":2:15 openapi[0].document: broken.yaml: unresolved $ref"
        + " '#/components/schemas/Missing' at paths.'/things'(post).requestBody");
  }

  @Test
  void aMissingDocumentIsReportedAtItsKey() throws Exception {
    Path file = write("""
        openapi: [{document: nowhere.yaml, upstream: http://x.internal}]
        routes: []
        """);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> config.read(file));

    assertThat(e.getMessage()).contains("openapi[0].document: nowhere.yaml: no such file");
  }

  @Test
  void aReloadWithAnUnresolvedReferenceKeepsTheOldConfigurationServing() throws Exception {
    Path file = write("""
        openapi: [{document: petstore.yaml, upstream: "${env:PETS}"}]
        routes: []
        """);
    try (GatewayServer server = GatewayServer.start(config.read(file));
        ConfigWatch watch = config.follow(file, server.handler())) {
      write("""
          openapi: [{document: broken.yaml, upstream: "${env:PETS}"}]
          routes: []
          """);
      await(() -> watch.failures() == 1, "the file with the broken document refused");

      assertThat(watch.lastError()).hasValueSatisfying(error -> assertThat(error.getMessage())
          .contains("openapi[0].document: broken.yaml").contains("unresolved $ref '#/components/schemas/Missing'"));
      assertThat(get(server, "/api/v3/pet/7").body()).isEqualTo("pets");
    }
  }

  @Test
  void parameterRulesInAFileAreChecked() throws Exception {
    Gateway gateway = config.read(write("""
        routes:
          - id: reports
            path: /reports/{year}
            upstream: ${env:PETS}
            validate:
              parameters:
                - {in: path, name: year, schema: '{"type": "integer", "minimum": 2000}'}
                - {in: query, name: limit, required: true, schema: '{"type": "integer"}'}
        """));
    try (GatewayServer server = GatewayServer.start(gateway)) {
      assertThat(get(server, "/reports/2026?limit=5").statusCode()).isEqualTo(200);
      HttpResponse<String> refused = get(server, "/reports/1999");
      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(refused.body()).contains("{\"in\":\"path\",\"parameter\":\"year\"")
          .contains("{\"in\":\"query\",\"parameter\":\"limit\",\"message\":\"is required\"}");
    }
  }

  @Test
  void aParameterWithAnUnknownLocationIsAnError() throws Exception {
    Path file = write("""
        routes:
          - id: reports
            path: /reports
            upstream: http://x.internal
            validate:
              parameters: [{in: cookie, name: session}]
        """);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> config.read(file));

    assertThat(e.getMessage()).contains("routes[0].validate.parameters[0].in");
  }
}
