package dev.portico.gateway.openapi;

import static dev.portico.gateway.testing.ProblemJson.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.testing.Mounting;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.StringRequestContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * A gateway whose routes come from the Swagger Petstore (OpenAPI 3.0) and a small document with
 * required and enumerated parameters, on every adapter: valid requests reach the upstream, invalid
 * ones are refused with a 400 problem naming the parameter, unknown paths are not routed.
 */
class OpenApiGatewayTest {
  /** The Petstore document of gateway-openapi's tests (Apache 2.0; see SOURCES.md there). */
  static final Path PETSTORE = Path.of("../gateway-openapi/src/test/resources/openapi/petstore-3.0.yaml");

  static final String REPORTS = """
      openapi: 3.1.0
      info: {title: Reports, version: "1"}
      paths:
        /reports:
          get:
            operationId: listReports
            parameters:
              - {name: limit, in: query, required: true, schema: {type: integer, minimum: 1, maximum: 100}}
              - {name: X-Mode, in: header, schema: {type: string, enum: [fast, full]}}
              - {name: since, in: query, schema: {type: string, format: date}}
            responses: {"200": {description: ok}}
      """;

  private FakeUpstream upstream;
  private Mounting.Running host;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = FakeUpstream.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  private void start(Mounting mounting) throws Exception {
    Gateway.Builder gateway = Gateway.builder();
    OpenApiRoutes.from(PETSTORE).upstream(upstream.uri()).build().addTo(gateway);
    OpenApiRoutes.parse(REPORTS, "reports.yaml").upstream(upstream.uri()).build().addTo(gateway);
    host = mounting.start(gateway.build());
  }

  private ContentResponse get(String pathQuery) throws Exception {
    return host.client().newRequest(host.uri(pathQuery)).timeout(10, TimeUnit.SECONDS).send();
  }

  private static JsonNode onlyError(JsonNode problem) {
    assertThat(problem.path("errors")).hasSize(1);
    return problem.path("errors").get(0);
  }

  @ParameterizedTest
  @EnumSource(Mounting.class)
  void validRequestsAreProxied(Mounting mounting) throws Exception {
    start(mounting);

    assertThat(get("/api/v3/pet/7").getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().target()).isEqualTo("/api/v3/pet/7");
    assertThat(get("/reports?limit=10&since=2026-12-08").getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().target()).isEqualTo("/reports?limit=10&since=2026-12-08");
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void aPathParameterThatIsNotAnIntegerIsRefusedNamingIt(Mounting mounting) throws Exception {
    start(mounting);

    JsonNode problem = assertProblem(get("/api/v3/pet/seven"), ProblemType.VALIDATION_FAILED);

    assertThat(problem.path("detail").asString()).startsWith("The path parameter 'petId' is not valid");
    JsonNode error = onlyError(problem);
    assertThat(error.path("in").asString()).isEqualTo("path");
    assertThat(error.path("parameter").asString()).isEqualTo("petId");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void aMissingRequiredQueryParameterIsRefusedNamingIt(Mounting mounting) throws Exception {
    start(mounting);

    JsonNode problem = assertProblem(get("/reports?since=2026-12-08"), ProblemType.VALIDATION_FAILED);

    assertThat(problem.path("detail").asString()).isEqualTo("The query parameter 'limit' is required.");
    assertThat(onlyError(problem).toString()).isEqualTo("{\"in\":\"query\",\"parameter\":\"limit\",\"message\":\"is required\"}");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void aHeaderOutsideItsEnumIsRefusedNamingIt(Mounting mounting) throws Exception {
    start(mounting);

    ContentResponse response = host.client().newRequest(host.uri("/reports?limit=5"))
        .headers(h -> h.add("X-Mode", "turbo")).timeout(10, TimeUnit.SECONDS).send();

    JsonNode error = onlyError(assertProblem(response, ProblemType.VALIDATION_FAILED));
    assertThat(error.path("in").asString()).isEqualTo("header");
    assertThat(error.path("parameter").asString()).isEqualTo("X-Mode");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void outOfRangeAndBadlyFormattedQueryValuesAreEachListed(Mounting mounting) throws Exception {
    start(mounting);

    JsonNode problem = assertProblem(get("/reports?limit=500&since=yesterday"), ProblemType.VALIDATION_FAILED);

    assertThat(problem.path("detail").asString()).isEqualTo("The request has 2 missing or invalid parts.");
    assertThat(problem.path("errors")).extracting(e -> e.path("parameter").asString()).containsExactly("limit", "since");
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void aBodyViolatingTheSchemaIsRefusedWithThePointer(Mounting mounting) throws Exception {
    start(mounting);

    ContentResponse response = host.client().newRequest(host.uri("/api/v3/user/createWithList")).method("POST")
        .body(new StringRequestContent("application/json", "[{\"id\": \"not a number\", \"username\": \"ann\"}]"))
        .timeout(10, TimeUnit.SECONDS).send();

    JsonNode error = onlyError(assertProblem(response, ProblemType.VALIDATION_FAILED));
    assertThat(error.path("pointer").asString()).isEqualTo("/0/id");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void aValidBodyIsProxiedUnchanged(Mounting mounting) throws Exception {
    start(mounting);
    String body = "[{\"id\": 10, \"username\": \"ann\"}]";

    ContentResponse response = host.client().newRequest(host.uri("/api/v3/user/createWithList")).method("POST")
        .body(new StringRequestContent("application/json", body)).timeout(10, TimeUnit.SECONDS).send();

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().bodyAsString()).isEqualTo(body);
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void aPathOutsideTheDocumentIsNotRouted(Mounting mounting) throws Exception {
    start(mounting);

    assertThat(get("/api/v3/kennel").getStatus()).isEqualTo(404);
    assertThat(get("/pet/7").getStatus()).isEqualTo(404);               // without the server's base path
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void aLongInvalidValueIsNotRepeatedInTheProblem(Mounting mounting) throws Exception {
    start(mounting);
    String value = "x".repeat(2000) + "MARKER";

    ContentResponse response = get("/api/v3/pet/" + value);

    assertProblem(response, ProblemType.VALIDATION_FAILED);
    assertThat(response.getContentAsString()).doesNotContain("MARKER").hasSizeLessThan(1000);
  }
}
