package dev.portico.gateway.internal.chain;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.FilterChain;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.Problem;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.Route;
import dev.portico.gateway.internal.routing.QueryParameters;
import dev.portico.gateway.internal.spi.BodyValidator;
import dev.portico.gateway.validation.RequestValidation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * A route's {@link RequestValidation}, after authentication and before the route's filters:
 * required headers and query parameters, and parameter rules ({@link ParameterChecks}) (400), content type (415), body size (413) and JSON Schema
 * (400). Only a schema, or a size limit on a body without {@code Content-Length}, reads the body,
 * and then under the limit. Not public API.
 */
public final class ValidationStep implements ChainStep {
  private final RequestValidation validation;
  private final @Nullable BodyValidator schema;
  private final ParameterChecks parameters;
  private final long maxBodySize;

  ValidationStep(Route route, RequestValidation validation, @Nullable BodyValidator schema) {
    this.validation = validation;
    this.schema = schema;
    this.parameters = ParameterChecks.compile(route, validation);
    this.maxBodySize = validation.maxBodySize().orElse(-1);
  }

  @Override
  public String name() {
    return "validation";
  }

  @Override
  public CompletionStage<GatewayResponse> run(StepContext run, Exchange exchange, FilterChain chain) {
    GatewayRequest request = exchange.request();
    List<Map<String, Object>> errors = new ArrayList<>();
    for (String header : validation.requiredHeaders()) {
      if (!request.headers().contains(header)) {
        errors.add(error("header", header, "is required"));
      }
    }
    if (!validation.requiredQueryParams().isEmpty()) {
      Map<String, List<String>> query = QueryParameters.parse(request.rawQuery().orElse(null));
      for (String name : validation.requiredQueryParams()) {
        if (!query.containsKey(name)) {
          errors.add(error("parameter", name, "is required"));
        }
      }
    }
    int missing = errors.size();
    if (!parameters.isEmpty()) {
      parameters.check(exchange, errors);
    }
    boolean hasBody = run.hasRequestBody();
    if (!hasBody && validation.bodyRequired()) {
      errors.add(error("pointer", "", "a request body is required"));
    }
    if (!errors.isEmpty()) {
      return answer(failed(detail(errors, missing), errors));
    }
    if (!hasBody) {
      return chain.proceed(exchange);
    }
    if (!validation.contentTypes().isEmpty()) {
      String contentType = request.headers().first("Content-Type").orElse(null);
      if (contentType == null || !validation.acceptsContentType(contentType)) {
        return answer(ProblemType.UNSUPPORTED_MEDIA_TYPE.withDetail((contentType == null ? "The body has no media type"
            : "The body's media type is not accepted here") + "; accepted: "
            + String.join(", ", validation.contentTypes()) + "."));
      }
    }
    if (maxBodySize >= 0 && run.contentLength() > maxBodySize && run.requestBody() == null) {
      return CompletableFuture.completedFuture(CappedRequestBody.tooLarge(maxBodySize).response());
    }
    boolean chunked = run.requestBody() == null && run.contentLength() < 0;
    if (schema == null && !(maxBodySize >= 0 && chunked)) {
      return chain.proceed(exchange);
    }
    BodyValidator validator = schema;
    return CappedRequestBody.read(run, exchange, maxBodySize).thenCompose(outcome -> {
      if (outcome instanceof CappedRequestBody.Refused refused) {
        return CompletableFuture.completedFuture(refused.response());
      }
      CappedRequestBody.Read read = (CappedRequestBody.Read) outcome;
      if (validator == null) {
        return chain.proceed(read.exchange());
      }
      BodyValidator.Result result = validator.validate(read.body());
      if (result instanceof BodyValidator.Malformed malformed) {
        return answer(ProblemType.MALFORMED_JSON.withDetail("The request body is not valid JSON: " + malformed.reason()));
      }
      if (result instanceof BodyValidator.Invalid invalid) {
        List<Map<String, Object>> violations = new ArrayList<>(invalid.violations().size());
        for (BodyValidator.Violation v : invalid.violations()) {
          violations.add(error("pointer", v.pointer(), v.message()));
        }
        return answer(failed("The request body does not match the schema (" + violations.size()
            + (violations.size() == 1 ? " violation)." : " violations)."), violations));
      }
      return chain.proceed(read.exchange());
    });
  }

  /** Names the parameter when it is the only one at fault; the errors member lists every one. */
  private static String detail(List<Map<String, Object>> errors, int missing) {
    if (missing == errors.size()) {
      return "The request is missing " + (errors.size() == 1 ? "a required part" : "required parts") + ".";
    }
    Map<String, Object> first = errors.get(missing);
    boolean oneParameter = first.containsKey("parameter") && errors.stream().allMatch(
        e -> first.get("in").equals(e.get("in")) && first.get("parameter").equals(e.get("parameter")));
    if (oneParameter) {
      boolean absent = errors.size() == 1 && "is required".equals(first.get("message"));
      return "The " + first.get("in") + " parameter '" + first.get("parameter") + "' " + (absent ? "is required"
          : "is not valid: " + first.get("message")) + ".";
    }
    return "The request has " + errors.size() + " missing or invalid parts.";
  }

  private static Map<String, Object> error(String kind, String name, String message) {
    Map<String, Object> error = new LinkedHashMap<>(4);
    error.put(kind, name);
    error.put("message", message);
    return error;
  }

  private static Problem failed(String detail, List<Map<String, Object>> errors) {
    return ProblemType.VALIDATION_FAILED.withDetail(detail).withExtension("errors", errors);
  }

  private static CompletionStage<GatewayResponse> answer(Problem problem) {
    return CompletableFuture.completedFuture(GatewayResponse.problem(problem));
  }
}
