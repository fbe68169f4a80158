package dev.portico.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RawClient;
import dev.portico.gateway.test.RecordedRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Request validation against a real upstream that records what it received. */
class RequestValidationTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  static final String ORDER_SCHEMA = """
      {
        "type": "object",
        "required": ["customer", "items"],
        "properties": {
          "customer": {"type": "string", "minLength": 1},
          "items": {
            "type": "array",
            "minItems": 1,
            "items": {
              "type": "object",
              "required": ["sku", "qty"],
              "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}}
            }
          }
        }
      }
      """;

  private FakeUpstream upstream;
  private GatewayServer host;

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

  private void start(Consumer<RequestValidation.Builder> validation) throws Exception {
    host = GatewayServer.builder().gateway(Gateway.builder()
        .route("orders", r -> r.path("/orders/**").validate(validation).upstream(upstream.uri()))
        .build()).permissiveUris(true).hostAnswer().start();
  }

  private Request post(String pathQuery, String contentType, String body) throws Exception {
    return host.client().newRequest(host.uri(pathQuery)).method("POST")
        .body(new StringRequestContent(contentType, body)).timeout(10, TimeUnit.SECONDS);
  }

  private static JsonNode problem(ContentResponse response) {
    assertThat(response.getHeaders().get(HttpHeader.CONTENT_TYPE)).isEqualTo("application/problem+json");
    return JSON.readTree(response.getContentAsString());
  }

  @Test
  void missingHeadersAndQueryParametersAreListedIn400() throws Exception {
    start(v -> v.requireHeaders("X-Tenant", "X-Api-Version").requireQueryParams("version"));

    ContentResponse response = host.client().newRequest(host.uri("/orders?other=1"))
        .headers(h -> h.add("X-Api-Version", "2")).timeout(10, TimeUnit.SECONDS).send();

    assertThat(response.getStatus()).isEqualTo(400);
    JsonNode problem = problem(response);
    assertThat(problem.path("type").asString()).isEqualTo("https://portico.dev/problems/validation-failed");
    assertThat(problem.path("errors").toString())
        .isEqualTo("[{\"header\":\"X-Tenant\",\"message\":\"is required\"},{\"parameter\":\"version\",\"message\":\"is required\"}]");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void requestWithTheRequiredPartsIsProxied() throws Exception {
    start(v -> v.requireHeaders("X-Tenant").requireQueryParams("version"));

    ContentResponse response = host.client().newRequest(host.uri("/orders?version=2"))
        .headers(h -> h.add("X-Tenant", "acme")).timeout(10, TimeUnit.SECONDS).send();

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().target()).isEqualTo("/orders?version=2");
  }

  @Test
  void wrongContentTypeIsRefusedWith415() throws Exception {
    start(v -> v.contentTypes("application/json", "application/*+json"));

    ContentResponse response = post("/orders", "text/plain", "hello").send();

    assertThat(response.getStatus()).isEqualTo(415);
    assertThat(problem(response).path("type").asString()).isEqualTo("https://portico.dev/problems/unsupported-media-type");
    assertThat(upstream.pollRequest()).isEmpty();
    assertThat(post("/orders", "application/merge-patch+json; charset=utf-8", "{}").send().getStatus()).isEqualTo(200);
  }

  @Test
  void declaredContentLengthAboveTheLimitIsRefusedAtOnce() throws Exception {
    start(v -> v.maxBodySize(10));

    ContentResponse response = post("/orders", "text/plain", "x".repeat(11)).send();

    assertThat(response.getStatus()).isEqualTo(413);
    assertThat(problem(response).path("type").asString()).isEqualTo("https://portico.dev/problems/payload-too-large");
    assertThat(upstream.pollRequest()).isEmpty();
    assertThat(post("/orders", "text/plain", "x".repeat(10)).send().getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().bodyAsString()).isEqualTo("x".repeat(10));
  }

  @Test
  void chunkedBodyAboveTheLimitIsRefusedBeforeAnythingGoesUpstream() throws Exception {
    start(v -> v.maxBodySize(1000));
    // The whole request goes out in one write, so the gateway has read all of it when it answers
    // (a client still writing when the 413 arrives may see a broken pipe instead of the answer).
    StringBuilder chunks = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      chunks.append(Integer.toHexString(300)).append("\r\n").append("y".repeat(300)).append("\r\n");
    }
    chunks.append("0\r\n\r\n");

    RawClient.Response response = RawClient.exchange(host.port(), "POST /orders HTTP/1.1\r\nHost: x\r\n"
        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks);

    assertThat(response.status()).isEqualTo(413);
    assertThat(upstream.pollRequest()).isEmpty();
  }


  @Test
  void malformedJsonIsRefusedWith400() throws Exception {
    start(v -> v.jsonSchema(JsonSchema.of(ORDER_SCHEMA)));

    ContentResponse response = post("/orders", "application/json", "{\"customer\": \"acme\", \"items\": [").send();

    assertThat(response.getStatus()).isEqualTo(400);
    JsonNode problem = problem(response);
    assertThat(problem.path("type").asString()).isEqualTo("https://portico.dev/problems/malformed-json");
    assertThat(problem.path("detail").asString()).startsWith("The request body is not valid JSON: ");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  /** Jackson refuses such a number with a NumberFormatException, which used to escape as a 500. */
  @Test
  void numberBeyondBigDecimalRangeIsMalformedJson() throws Exception {
    start(v -> v.jsonSchema(JsonSchema.of(ORDER_SCHEMA)));

    ContentResponse response = post("/orders", "application/json", "{\"customer\": 1e999999999999, \"items\": []}").send();

    assertThat(response.getStatus()).isEqualTo(400);
    assertThat(problem(response).path("type").asString()).isEqualTo("https://portico.dev/problems/malformed-json");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  /**
   * An integral decimal beyond 64 bits where the schema says integer with a minimum: the validator
   * took it as a long, which Jackson 3 refuses, and the request got a 500.
   */
  @Test
  void hugeNumbersWhereTheSchemaSaysIntegerAreValidationFailures() throws Exception {
    start(v -> v.jsonSchema(JsonSchema.of(ORDER_SCHEMA.replace("\"minimum\": 1}", "\"minimum\": 1, \"maximum\": 100}"))));

    for (String qty : new String[] {"1e19", "1e400", "2.5e300", "-1e19", "1e999999999", "1e2147483647"}) {
      ContentResponse response = post("/orders", "application/json",
          "{\"customer\": \"acme\", \"items\": [{\"sku\": \"a\", \"qty\": " + qty + "}]}").send();

      assertThat(response.getStatus()).as("status for qty %s", qty).isEqualTo(400);
      JsonNode problem = problem(response);
      assertThat(problem.path("type").asString()).as("type for qty %s", qty)
          .isEqualTo("https://portico.dev/problems/validation-failed");
      assertThat(problem.path("errors").get(0).path("pointer").asString()).as("pointer for qty %s", qty)
          .isEqualTo("/items/0/qty");
    }
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void integralDecimalsInRangeAreValidAndForwardedAsSent() throws Exception {
    start(v -> v.jsonSchema(JsonSchema.of(ORDER_SCHEMA)));
    String body = "{\"customer\": \"acme\", \"items\": [{\"sku\": \"a\", \"qty\": 1e19}, {\"sku\": \"b\", \"qty\": 2.0}]}";

    ContentResponse response = post("/orders", "application/json", body).send();

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest().bodyAsString()).isEqualTo(body);
  }

  @Test
  void duplicateMembersAndTrailingContentAreMalformed() throws Exception {
    start(v -> v.jsonSchema(JsonSchema.of(ORDER_SCHEMA)));

    ContentResponse duplicate = post("/orders", "application/json",
        "{\"customer\": \"acme\", \"customer\": \"\", \"items\": [{\"sku\": \"a\", \"qty\": 1}]}").send();
    ContentResponse trailing = post("/orders", "application/json",
        "{\"customer\": \"acme\", \"items\": [{\"sku\": \"a\", \"qty\": 1}]} {}").send();

    assertThat(problem(duplicate).path("type").asString()).isEqualTo("https://portico.dev/problems/malformed-json");
    assertThat(problem(trailing).path("type").asString()).isEqualTo("https://portico.dev/problems/malformed-json");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void schemaViolationsAreListedWithTheirJsonPointers() throws Exception {
    start(v -> v.jsonSchema(JsonSchema.of(ORDER_SCHEMA)));

    ContentResponse response = post("/orders", "application/json",
        "{\"items\": [{\"sku\": \"a\", \"qty\": 0}, {\"qty\": 2}]}").send();

    assertThat(response.getStatus()).isEqualTo(400);
    JsonNode problem = problem(response);
    assertThat(problem.path("type").asString()).isEqualTo("https://portico.dev/problems/validation-failed");
    assertThat(problem.path("errors").valueStream().map(e -> e.path("pointer").asString()))
        .containsExactlyInAnyOrder("/customer", "/items/0/qty", "/items/1/sku");
    assertThat(problem.path("errors").valueStream().map(e -> e.path("message").asString())).allMatch(m -> !m.isBlank());
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void validBodyGoesUpstreamByteForByte() throws Exception {
    start(v -> v.jsonSchema(JsonSchema.of(ORDER_SCHEMA)));
    ContentResponse response = post("/orders", "application/json", "{\"customer\": \"acme\", \"items\": [{\"sku\": \"a\", \"qty\": 1}]}").send();

    assertThat(response.getStatus()).isEqualTo(200);
    RecordedRequest received = upstream.takeRequest();
    assertThat(received.bodyAsString()).isEqualTo("{\"customer\": \"acme\", \"items\": [{\"sku\": \"a\", \"qty\": 1}]}");
    assertThat(received.header("Content-Length")).contains(Integer.toString(received.bodyAsString().length()));
  }

  @Test
  void bodyOverTheSchemaLimitIsRefusedWith413() throws Exception {
    start(v -> v.maxBodySize(64).jsonSchema(JsonSchema.of(ORDER_SCHEMA)));

    ContentResponse response = post("/orders", "application/json",
        "{\"customer\": \"" + "a".repeat(100) + "\", \"items\": [{\"sku\": \"a\", \"qty\": 1}]}").send();

    assertThat(response.getStatus()).isEqualTo(413);
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void schemaRequiresJsonUnlessToldOtherwise() throws Exception {
    start(v -> v.jsonSchema(JsonSchema.of(ORDER_SCHEMA)));

    ContentResponse response = post("/orders", "text/plain", "{}").send();

    assertThat(response.getStatus()).isEqualTo(415);
  }

  @Test
  void gzipBodiesAreValidatedDecodedAndSentOnDecoded() throws Exception {
    start(v -> v.jsonSchema(JsonSchema.of(ORDER_SCHEMA)));
    String json = "{\"customer\": \"acme\", \"items\": [{\"sku\": \"a\", \"qty\": 1}]}";

    ContentResponse ok = host.client().newRequest(host.uri("/orders")).method("POST")
        .headers(h -> h.add("Content-Encoding", "gzip"))
        .body(new BytesRequestContent("application/json", gzip(json))).timeout(10, TimeUnit.SECONDS).send();
    ContentResponse invalid = host.client().newRequest(host.uri("/orders")).method("POST")
        .headers(h -> h.add("Content-Encoding", "gzip"))
        .body(new BytesRequestContent("application/json", gzip("{\"items\": []}"))).timeout(10, TimeUnit.SECONDS).send();
    ContentResponse brotli = host.client().newRequest(host.uri("/orders")).method("POST")
        .headers(h -> h.add("Content-Encoding", "br"))
        .body(new BytesRequestContent("application/json", new byte[] {1, 2, 3})).timeout(10, TimeUnit.SECONDS).send();

    assertThat(ok.getStatus()).isEqualTo(200);
    RecordedRequest received = upstream.takeRequest();
    assertThat(received.bodyAsString()).isEqualTo(json);
    assertThat(received.header("Content-Encoding")).isEmpty();
    assertThat(received.header("Content-Length")).contains(Integer.toString(json.length()));
    assertThat(invalid.getStatus()).isEqualTo(400);
    assertThat(brotli.getStatus()).isEqualTo(415);
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void gzipBombIsRefusedWith413() throws Exception {
    start(v -> v.maxBodySize(4096).jsonSchema(JsonSchema.of("{\"type\": \"object\"}")));
    byte[] bomb = gzip("{\"a\": \"" + "0".repeat(1_000_000) + "\"}");

    ContentResponse response = host.client().newRequest(host.uri("/orders")).method("POST")
        .headers(h -> h.add("Content-Encoding", "gzip"))
        .body(new BytesRequestContent("application/json", bomb)).timeout(10, TimeUnit.SECONDS).send();

    assertThat(bomb.length).isLessThan(4096);
    assertThat(response.getStatus()).isEqualTo(413);
  }

  @Test
  void requestsWithoutBodySkipBodyChecksUnlessABodyIsRequired() throws Exception {
    start(v -> v.jsonSchema(JsonSchema.of(ORDER_SCHEMA)));
    assertThat(host.client().newRequest(host.uri("/orders")).timeout(10, TimeUnit.SECONDS).send().getStatus())
        .isEqualTo(200);
    host.close();

    start(v -> v.requireBody().jsonSchema(JsonSchema.of(ORDER_SCHEMA)));
    ContentResponse response = host.client().newRequest(host.uri("/orders")).method("POST")
        .timeout(10, TimeUnit.SECONDS).send();
    assertThat(response.getStatus()).isEqualTo(400);
    assertThat(problem(response).path("errors").toString())
        .isEqualTo("[{\"pointer\":\"\",\"message\":\"a request body is required\"}]");
  }

  @Test
  void schemasLoadFromFilesAndResources(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("order.json");
    Files.writeString(file, ORDER_SCHEMA);
    start(v -> v.jsonSchema(JsonSchema.at(file.toUri())));

    assertThat(post("/orders", "application/json", "{}").send().getStatus()).isEqualTo(400);
    host.close();

    start(v -> v.jsonSchema(JsonSchema.resource("schemas/order.json")));
    assertThat(post("/orders", "application/json", "{}").send().getStatus()).isEqualTo(400);
  }

  @Test
  void badSchemasFailWhenTheAdapterIsCreatedNamingTheRoute() {
    Gateway notJson = Gateway.builder()
        .route("orders", r -> r.path("/orders").validate(v -> v.jsonSchema(JsonSchema.of("{not json")))
            .upstream("http://orders:8080"))
        .build();
    Gateway missing = Gateway.builder()
        .route("orders", r -> r.path("/orders").validate(v -> v.jsonSchema(JsonSchema.resource("no/such.json")))
            .upstream("http://orders:8080"))
        .build();

    Gateway invalid = Gateway.builder()
        .route("orders", r -> r.path("/orders").validate(v -> v.jsonSchema(JsonSchema.of("{\"type\": 12}")))
            .upstream("http://orders:8080"))
        .build();
    Gateway remoteRef = Gateway.builder()
        .route("orders", r -> r.path("/orders")
            .validate(v -> v.jsonSchema(JsonSchema.of("{\"$ref\": \"http://schemas.invalid/order.json\"}")))
            .upstream("http://orders:8080"))
        .build();

    assertThatThrownBy(() -> JettyGatewayHandler.create(invalid))
        .hasMessageStartingWith("route 'orders': validate: jsonSchema JsonSchema(text, 12 chars) is not a valid schema: at '/type'");
    assertThatThrownBy(() -> JettyGatewayHandler.create(remoteRef))
        .hasMessageContaining("route 'orders': validate: ").hasMessageContaining("http://schemas.invalid/order.json")
        .hasStackTraceContaining("FileNotFoundException");
    assertThatThrownBy(() -> JettyGatewayHandler.create(notJson))
        .hasMessageStartingWith("route 'orders': validate: jsonSchema JsonSchema(text, 9 chars) is not JSON");
    assertThatThrownBy(() -> JettyGatewayHandler.create(missing))
        .hasMessage("route 'orders': validate: jsonSchema JsonSchema(resource no/such.json): no such resource");
  }

  @Test
  void rawMalformedRequestStillGetsAProblem() throws Exception {
    start(v -> v.jsonSchema(JsonSchema.of(ORDER_SCHEMA)));
    RawClient.Response response = RawClient.exchange(host.port(), "POST /orders HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/json\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{\"a\":");
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.body()).contains("malformed-json");
  }

  static byte[] gzip(String text) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  @Test
  void theRoutesRequestSizeLimitAlsoBoundsABodyHeldForValidation() throws Exception {
    host = GatewayServer.builder().gateway(Gateway.builder()
        .route("orders", r -> r.path("/orders/**").maxRequestBodySize(64)
            .validate(v -> v.jsonSchema(JsonSchema.of(ORDER_SCHEMA))).upstream(upstream.uri()))
        .build()).permissiveUris(true).hostAnswer().start();
    String big = "{\"note\":\"" + "x".repeat(500) + "\"}";

    RawClient.Response response = RawClient.exchange(host.port(), "POST /orders/1 HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n");

    assertThat(response.status()).isEqualTo(413);
    assertThat(response.text()).contains("https://portico.dev/problems/payload-too-large");
    assertThat(upstream.pollRequest()).isEmpty();
  }
}
