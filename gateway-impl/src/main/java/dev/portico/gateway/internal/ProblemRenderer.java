package dev.portico.gateway.internal;

import dev.portico.gateway.Problem;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** Renders problems as RFC 9457 {@code application/problem+json}. Not public API. */
final class ProblemRenderer {
  static final String MEDIA_TYPE = "application/problem+json";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private ProblemRenderer() {}

  static byte[] render(Problem problem, String requestId) {
    Map<String, Object> body = new LinkedHashMap<>(8);
    body.put("type", problem.type().type().toString());
    body.put("title", problem.type().title());
    body.put("status", problem.status());
    body.put("detail", problem.detail());
    body.put("requestId", requestId);
    return JSON.writeValueAsBytes(body);
  }
}
