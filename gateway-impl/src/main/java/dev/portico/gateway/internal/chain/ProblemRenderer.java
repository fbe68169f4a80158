package dev.portico.gateway.internal.chain;

import dev.portico.gateway.ErrorMapper;
import dev.portico.gateway.ErrorResponse;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Problem;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders problems as RFC 9457 {@code application/problem+json}: the default {@link ErrorMapper}.
 * Not public API.
 */
public final class ProblemRenderer {
  static final String MEDIA_TYPE = "application/problem+json";

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpHeaders HEADERS = HttpHeaders.builder()
      .add("Content-Type", MEDIA_TYPE).add("Cache-Control", "no-store").build();

  /** The engine's default mapper: RFC 9457 JSON with {@code requestId} and the problem's extension members. */
  public static final ErrorMapper DEFAULT = new ErrorMapper() {
    @Override
    public ErrorResponse map(Problem problem, Context context) {
      return ErrorResponse.of(problem.status(), HEADERS, render(problem, context.requestId()));
    }

    @Override
    public String toString() {
      return "problem+json";
    }
  };

  private ProblemRenderer() {}

  static byte[] render(Problem problem, String requestId) {
    Map<String, Object> body = new LinkedHashMap<>(8 + problem.extensions().size());
    body.put("type", problem.type().type().toString());
    body.put("title", problem.type().title());
    body.put("status", problem.status());
    body.put("detail", problem.detail());
    body.put("requestId", requestId);
    body.putAll(problem.extensions());
    return JSON.writeValueAsBytes(body);
  }
}
