package dev.portico.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.ProblemType;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpHeader;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads and checks RFC 9457 problem answers. */
public final class ProblemJson {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private ProblemJson() {}

  /** Asserts {@code response} is a problem of {@code type} (status, media type, type URI) and returns its body. */
  public static JsonNode assertProblem(ContentResponse response, ProblemType type) {
    assertThat(response.getStatus()).as("status").isEqualTo(type.status());
    assertThat(response.getHeaders().get(HttpHeader.CONTENT_TYPE)).isEqualTo("application/problem+json");
    JsonNode body = JSON.readTree(response.getContentAsString());
    assertThat(body.get("type").asString()).isEqualTo(type.type().toString());
    assertThat(body.get("status").asInt()).isEqualTo(type.status());
    return body;
  }
}
