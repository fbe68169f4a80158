package dev.portico.gateway.internal.chain;

import dev.portico.gateway.ErrorMapper;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.Route;
import dev.portico.gateway.UpstreamErrors;
import dev.portico.gateway.internal.spi.BodyValidator;
import dev.portico.gateway.internal.spi.Integrations;
import dev.portico.gateway.validation.RequestValidation;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A route's adaptation, validation, CORS and error policies, compiled once when the engine is
 * built (JSON Schemas and JSON values included, so a bad one fails there, naming the route):
 *
 * <ul>
 *   <li>{@link #beforeRouteFilters()}: validation, which runs after authentication and before the
 *       route's own filters;
 *   <li>{@link #afterRouteFilters()}: the request transforms (headers, query, method, JSON body),
 *       then the response transforms (upstream errors, JSON body, headers) which, being innermost,
 *       see the upstream's response first on its way back;
 *   <li>{@link #cors()}: preflights and CORS headers, which the engine handles itself, outside the
 *       chain (a preflight is matched by the method it asks for, and answered before
 *       authentication);
 *   <li>{@link #errorMapper()}: how the route's problems are rendered.
 * </ul>
 * Not public API.
 */
public final class RoutePolicies {
  static final RoutePolicies NONE = new RoutePolicies(List.of(), List.of(), null, ProblemRenderer.DEFAULT);

  private final List<ChainStep> beforeRouteFilters;
  private final List<ChainStep> afterRouteFilters;
  private final @Nullable CompiledCors cors;
  private final ErrorMapper errorMapper;

  private RoutePolicies(List<ChainStep> beforeRouteFilters, List<ChainStep> afterRouteFilters, @Nullable CompiledCors cors,
      ErrorMapper errorMapper) {
    this.beforeRouteFilters = List.copyOf(beforeRouteFilters);
    this.afterRouteFilters = List.copyOf(afterRouteFilters);
    this.cors = cors;
    this.errorMapper = errorMapper;
  }

  /**
   * Compiles {@code route}'s policies, with the gateway's where the route has none of its own.
   *
   * @throws IllegalStateException naming the route and field, when a JSON Schema or a JSON value
   *     cannot be read or compiled
   */
  public static RoutePolicies compile(Gateway gateway, Route route) {
    List<ChainStep> before = new ArrayList<>(1);
    route.validation().ifPresent(v -> before.add(new ValidationStep(route, v, schema(route, v))));

    List<ChainStep> after = new ArrayList<>(6);
    if (!route.requestHeaders().isEmpty()) {
      after.add(ChainStep.of(HeaderRulesStep.request(route.requestHeaders())));
    }
    if (!route.requestQuery().isEmpty()) {
      after.add(ChainStep.of(new QueryRulesStep(route.requestQuery())));
    }
    route.methodOverride().ifPresent(m -> after.add(ChainStep.of(new MethodOverrideStep(m))));
    try {
      route.requestJson().ifPresent(t -> after.add(JsonBodyStep.request(t)));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("route '" + route.id() + "': requestJson: " + e.getMessage(), e);
    }
    if (!route.responseHeaders().isEmpty()) {
      after.add(ChainStep.of(HeaderRulesStep.response(route.responseHeaders())));
    }
    try {
      route.responseJson().ifPresent(t -> after.add(JsonBodyStep.response(t)));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("route '" + route.id() + "': responseJson: " + e.getMessage(), e);
    }
    if (gateway.upstreamErrorsFor(route) == UpstreamErrors.REPLACE) {
      after.add(ChainStep.of(new UpstreamErrorsStep()));
    }

    CompiledCors cors = gateway.corsFor(route).map(c -> new CompiledCors(c, gateway.requestIdHeader())).orElse(null);
    ErrorMapper mapper = gateway.errorMapperFor(route).orElse(ProblemRenderer.DEFAULT);
    return new RoutePolicies(before, after, cors, mapper);
  }

  private static @Nullable BodyValidator schema(Route route, RequestValidation validation) {
    if (validation.jsonSchema().isEmpty()) {
      return null;
    }
    try {
      return Integrations.jsonSchema().compile(validation.jsonSchema().get());
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalStateException("route '" + route.id() + "': validate: " + e.getMessage(), e);
    }
  }

  /** The filters that run after authentication and before the route's own. */
  public List<ChainStep> beforeRouteFilters() {
    return beforeRouteFilters;
  }

  /** The filters that run after the route's own, just before the proxy step. */
  public List<ChainStep> afterRouteFilters() {
    return afterRouteFilters;
  }

  /** The route's CORS policy (its own or the gateway's), or null. */
  public @Nullable CompiledCors cors() {
    return cors;
  }

  /** How the route's problems are rendered. */
  public ErrorMapper errorMapper() {
    return errorMapper;
  }
}
