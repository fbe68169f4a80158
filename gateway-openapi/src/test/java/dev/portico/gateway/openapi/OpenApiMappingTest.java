package dev.portico.gateway.openapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portico.gateway.Route;
import dev.portico.gateway.validation.ParameterRule;
import dev.portico.gateway.validation.RequestValidation;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What routes, ids, predicates and validation the Petstore documents and a large public document become. */
class OpenApiMappingTest {
  static final Path DOCS = Path.of("src/test/resources/openapi");
  private static final dev.portico.gateway.auth.Authenticator NO_CREDENTIALS =
      exchange -> java.util.concurrent.CompletableFuture.completedFuture(dev.portico.gateway.auth.AuthResult.noCredentials());

  static OpenApiRoutes.Builder petstore30() {
    return OpenApiRoutes.from(DOCS.resolve("petstore-3.0.yaml")).upstream("http://pets.internal");
  }

  private static RequestValidation validation(OpenApiRoutes routes, String id) {
    return routes.route(id).orElseThrow().validation().orElseThrow();
  }

  private static ParameterRule parameter(RequestValidation v, String name) {
    return v.parameters().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void petstore30GivesOneRoutePerOperationNamedByOperationId() {
    OpenApiRoutes routes = petstore30().build();

    assertThat(routes.routes()).extracting(Route::id).containsExactly(
        "updatePet", "addPet", "findPetsByStatus", "findPetsByTags", "getPetById", "updatePetWithForm", "deletePet",
        "uploadFile", "getInventory", "placeOrder", "getOrderById", "deleteOrder", "createUser",
        "createUsersWithListInput", "loginUser", "logoutUser", "getUserByName", "updateUser", "deleteUser");
    Route getPet = routes.route("getPetById").orElseThrow();
    assertThat(getPet.path().pattern()).isEqualTo("/api/v3/pet/{petId}");
    assertThat(getPet.methods()).containsExactly("GET");
    assertThat(getPet.upstream().orElseThrow().toString()).contains("pets.internal");
  }

  @Test
  void petstore30ParametersBecomeTypedRules() {
    OpenApiRoutes routes = petstore30().build();

    ParameterRule petId = parameter(validation(routes, "getPetById"), "petId");
    assertThat(petId.location()).isEqualTo(ParameterRule.Location.PATH);
    assertThat(petId.required()).isTrue();
    assertThat(petId.schema().orElseThrow().value()).contains("\"type\":\"integer\"").contains("\"format\":\"int64\"");

    ParameterRule status = parameter(validation(routes, "findPetsByStatus"), "status");
    assertThat(status.location()).isEqualTo(ParameterRule.Location.QUERY);
    assertThat(status.required()).isFalse();
    assertThat(status.schema().orElseThrow().value()).contains("\"enum\":[\"available\",\"pending\",\"sold\"]");

    ParameterRule apiKey = parameter(validation(routes, "deletePet"), "api_key");
    assertThat(apiKey.location()).isEqualTo(ParameterRule.Location.HEADER);
  }

  @Test
  void aJsonOnlyRequiredBodyGetsItsSchemaWithTheComponentsItReaches() {
    OpenApiRoutes routes = OpenApiRoutes.from(DOCS.resolve("petstore-3.1.yaml")).upstream("http://pets.internal").build();

    RequestValidation addPet = validation(routes, "addPet");
    assertThat(addPet.bodyRequired()).isTrue();
    assertThat(addPet.contentTypes()).containsExactly("application/json", "application/xml");
    // JSON and XML: a JSON Schema cannot check the XML bodies, so only the media types are checked.
    assertThat(addPet.jsonSchema()).isEmpty();

    RequestValidation listUsers = validation(petstore30().build(), "createUsersWithListInput");
    assertThat(listUsers.contentTypes()).containsExactly("application/json");
    assertThat(listUsers.jsonSchema().orElseThrow().value())
        .contains("\"$ref\":\"#/$defs/User\"").contains("\"$defs\":{\"User\":");
  }

  @Test
  void petstore31GivesItsRoutesUnderItsServerPath() {
    OpenApiRoutes routes = OpenApiRoutes.from(DOCS.resolve("petstore-3.1.yaml")).upstream("http://pets.internal").build();

    assertThat(routes.routes()).extracting(Route::id).containsExactly("updatePet", "addPet", "getPetById");
    assertThat(routes.route("getPetById").orElseThrow().path().pattern()).isEqualTo("/api/v31/pet/{petId}");
    // 3.1's numeric exclusiveMinimum and exclusiveMaximum reach the schema as they are.
    assertThat(parameter(validation(routes, "getPetById"), "petId").schema().orElseThrow().value())
        .contains("\"exclusiveMaximum\":").contains("\"exclusiveMinimum\":1");
  }

  @Test
  void theHostChoosesThePrefixAndTheIdPrefix() {
    OpenApiRoutes routes = petstore30().pathPrefix("").idPrefix("petstore.").validateRequests(false).build();

    Route route = routes.route("petstore.getPetById").orElseThrow();
    assertThat(route.path().pattern()).isEqualTo("/pet/{petId}");
    assertThat(route.validation()).isEmpty();
  }

  @Test
  void aLargePublicDocumentImportsEveryOperation() {
    OpenApiRoutes routes = OpenApiRoutes.from(DOCS.resolve("openai-api.yaml")).upstream("http://openai.internal").build();

    assertThat(routes.routes()).hasSize(288);
    assertThat(routes.routes()).extracting(Route::id).doesNotHaveDuplicates();
    // Its "/responses?beta=true" operations are the same path with a query condition.
    Route beta = routes.routes().stream().filter(r -> !r.queryParams().isEmpty()).findFirst().orElseThrow();
    assertThat(beta.path().pattern()).startsWith("/v1/responses");
    // The whole gateway builds: no route shadows another, every schema is kept for the engine.
    var builder = dev.portico.gateway.Gateway.builder();
    routes.addTo(builder);
    assertThat(builder.build().routes()).hasSize(288);
  }

  @Test
  void anUnresolvedReferenceNamesTheDocumentAndTheReference() {
    OpenApiException e = catchThrowableOfType(OpenApiException.class,
        () -> OpenApiRoutes.from(DOCS.resolve("unresolved-ref.yaml")).upstream("http://x.internal").build());

    assertThat(e.getMessage()).contains("unresolved-ref.yaml").contains("#/components/schemas/Missing");
  }

  @Test
  void unresolvedReferencesOutsideWhatRoutesCheckAreErrorsToo() {
    OpenApiException e = catchThrowableOfType(OpenApiException.class, () -> OpenApiRoutes.parse("""
        openapi: 3.0.3
        info: {title: t, version: "1"}
        paths:
          /a:
            get:
              operationId: a
              responses:
                "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Gone'}}}}
        """, "responses.yaml").upstream("http://x.internal").build());

    assertThat(e.getMessage()).contains("responses.yaml").contains("unresolved $ref '#/components/schemas/Gone' at "
        + "paths.'/a'(get).responses.200.content.'application/json'.schema");
  }

  @Test
  void anUnresolvedParameterReferenceNamesTheOperation() {
    OpenApiException e = catchThrowableOfType(OpenApiException.class, () -> OpenApiRoutes.parse("""
        openapi: 3.0.3
        info: {title: t, version: "1"}
        paths:
          /a:
            get:
              operationId: a
              parameters: [{$ref: '#/components/parameters/Nope'}]
              responses: {"200": {description: ok}}
        """, "params.yaml").upstream("http://x.internal").build());

    assertThat(e.problems()).extracting(OpenApiException.Problem::toString)
        .containsExactly("#/paths/~1a/get: unresolved $ref '#/components/parameters/Nope': there is no such component parameter");
  }

  @Test
  void aMissingDocumentSaysSo() {
    OpenApiException e = catchThrowableOfType(OpenApiException.class,
        () -> OpenApiRoutes.from(DOCS.resolve("nope.yaml")).upstream("http://x.internal").build());

    assertThat(e.getMessage()).contains("nope.yaml").contains("no such file");
  }

  @Test
  void aDocumentThatIsNotOpenApiSaysSo() {
    OpenApiException e = catchThrowableOfType(OpenApiException.class,
        () -> OpenApiRoutes.parse("routes: []\n", "gateway.yaml").upstream("http://x.internal").build());

    assertThat(e.getMessage()).startsWith("OpenAPI document gateway.yaml: ").contains("not an OpenAPI 3.0 or 3.1 document");
  }

  @Test
  void aSwagger2DocumentIsRefused() {
    OpenApiException e = catchThrowableOfType(OpenApiException.class, () -> OpenApiRoutes.parse(
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n", "old.yaml").upstream("http://x.internal").build());

    assertThat(e.getMessage()).contains("old.yaml").contains("not an OpenAPI 3.0 or 3.1 document");
  }

  @Test
  void duplicateOperationIdsNameBothOperations() {
    OpenApiException e = catchThrowableOfType(OpenApiException.class, () -> OpenApiRoutes.parse("""
        openapi: 3.0.3
        info: {title: t, version: "1"}
        paths:
          /a: {get: {operationId: same, responses: {"200": {description: ok}}}}
          /b: {get: {operationId: same, responses: {"200": {description: ok}}}}
        """, "dup.yaml").upstream("http://x.internal").build());

    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.pointer()).isEqualTo("#/paths/~1b/get");
      assertThat(p.message()).contains("'same'").contains("#/paths/~1a/get");
    });
  }

  @Test
  void anUnknownExtensionIsAnErrorWithADidYouMean() {
    OpenApiException e = catchThrowableOfType(OpenApiException.class, () -> OpenApiRoutes.parse("""
        openapi: 3.0.3
        info: {title: t, version: "1"}
        paths:
          /a:
            get:
              x-portico-upstraem: http://a.internal
              responses: {"200": {description: ok}}
        """, "typo.yaml").upstream("http://x.internal").build());

    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.pointer()).isEqualTo("#/paths/~1a/get/x-portico-upstraem");
      assertThat(p.message()).contains("did you mean 'x-portico-upstream'?");
    });
  }

  @Test
  void extensionsChooseUpstreamAuthenticatorLimiterAndScopesMostSpecificFirst() {
    OpenApiRoutes routes = OpenApiRoutes.parse("""
        openapi: 3.1.0
        info: {title: t, version: "1"}
        x-portico-upstream: http://default.internal
        x-portico-authenticator: anyone
        paths:
          /a:
            x-portico-upstream: orders
            get:
              operationId: a
              x-portico-rate-limit: [perClient]
              x-portico-scopes: [orders:read]
              responses: {"200": {description: ok}}
          /b:
            get:
              operationId: b
              x-portico-upstream: https://b.internal
              responses: {"200": {description: ok}}
        """, "ext.yaml")
        .authenticator("anyone", NO_CREDENTIALS)
        .rateLimiter("perClient", dev.portico.gateway.ratelimit.RateLimiter.unlimited())
        .build();

    Route a = routes.route("a").orElseThrow();
    assertThat(a.upstreamGroup()).contains("orders");
    assertThat(a.authenticator()).isPresent();
    assertThat(a.rateLimiters()).hasSize(1);
    assertThat(a.accessRules()).hasSize(1);
    assertThat(routes.route("b").orElseThrow().upstream().orElseThrow().toString()).contains("b.internal");
  }

  @Test
  void anUnknownAuthenticatorNameIsAnErrorWithTheKnownNames() {
    OpenApiException e = catchThrowableOfType(OpenApiException.class, () -> OpenApiRoutes.parse("""
        openapi: 3.0.3
        info: {title: t, version: "1"}
        paths:
          /a: {get: {operationId: a, x-portico-authenticator: jwtt, responses: {"200": {description: ok}}}}
        """, "auth.yaml").upstream("http://x.internal")
        .authenticator("jwt", NO_CREDENTIALS).build());

    assertThat(e.getMessage()).contains("#/paths/~1a/get").contains("no authenticator 'jwtt'").contains("did you mean 'jwt'?");
  }

  @Test
  void aMissingOperationIdGivesAStableGeneratedId() {
    OpenApiRoutes routes = OpenApiRoutes.parse("""
        openapi: 3.0.3
        info: {title: t, version: "1"}
        paths:
          /pets/{pet-id}/photos:
            get:
              parameters: [{name: pet-id, in: path, required: true, schema: {type: integer}}]
              responses: {"200": {description: ok}}
        """, "noid.yaml").upstream("http://x.internal").build();

    Route route = routes.routes().get(0);
    assertThat(route.id()).isEqualTo("get_pets_pet_id_photos");
    // A name a path pattern cannot use gets a variable of its own; the rule still names the parameter.
    assertThat(route.path().pattern()).isEqualTo("/pets/{p0}/photos");
    ParameterRule rule = route.validation().orElseThrow().parameters().get(0);
    assertThat(rule.name()).isEqualTo("pet-id");
    assertThat(rule.variable()).isEqualTo("p0");
  }

  @Test
  void aSegmentMixingTextAndParametersBecomesARegularExpression() {
    OpenApiRoutes routes = OpenApiRoutes.parse("""
        openapi: 3.0.3
        info: {title: t, version: "1"}
        paths:
          /files/{name}.{ext}:
            get:
              operationId: file
              responses: {"200": {description: ok}}
        """, "mixed.yaml").upstream("http://x.internal").build();

    Route route = routes.routes().get(0);
    assertThat(route.path().isRegex()).isTrue();
    assertThat(route.path().variableNames()).containsExactly("name", "ext");
  }

  @Test
  void aPathTemplateARouteCannotExpressNamesThePath() {
    OpenApiException e = catchThrowableOfType(OpenApiException.class, () -> OpenApiRoutes.parse("""
        openapi: 3.0.3
        info: {title: t, version: "1"}
        paths:
          /a/{}/b:
            get: {operationId: a, responses: {"200": {description: ok}}}
        """, "bad-path.yaml").upstream("http://x.internal").build());

    assertThat(e.problems()).extracting(OpenApiException.Problem::pointer).containsExactly("#/paths/~1a~1{}~1b");
  }

  @Test
  void withoutAnyUpstreamEachOperationIsReported() {
    OpenApiException e = catchThrowableOfType(OpenApiException.class,
        () -> OpenApiRoutes.from(DOCS.resolve("petstore-3.1.yaml")).build());

    assertThat(e.problems()).hasSize(3).allSatisfy(p -> assertThat(p.message()).contains("no upstream"));
  }

  @Test
  void theRoutesJoinAGateway() {
    OpenApiRoutes routes = petstore30().build();
    var builder = dev.portico.gateway.Gateway.builder()
        .route("health", r -> r.path("/health").upstream("http://health.internal"));
    routes.addTo(builder);

    assertThat(builder.build().routes()).extracting(Route::id).contains("health", "getPetById");
    assertThat(List.of(routes.toString())).singleElement().asString().contains("petstore-3.0.yaml");
  }
}
