package dev.portico.gateway.internal;

import dev.portico.gateway.Explanation;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Problem;
import dev.portico.gateway.Upstream;
import dev.portico.gateway.internal.chain.CompiledCors;
import dev.portico.gateway.internal.http.FieldsHttpHeaders;
import dev.portico.gateway.internal.http.IncomingHeaders;
import dev.portico.gateway.internal.http.UnforwardableRequest;
import dev.portico.gateway.internal.routing.PathNormalizer;
import dev.portico.gateway.internal.routing.RawQuery;
import dev.portico.gateway.internal.routing.RouteLookup;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.HttpFields;
import org.jspecify.annotations.Nullable;

/**
 * Says what the engine would do with a request, without doing it ({@code RunningGateway.explain}):
 * the same checks, path normalization, preflight detection and route lookup as
 * {@link Dispatcher}, and the upstream URI the route's rewrite gives (before filters and request
 * transforms change the request). Not public API.
 */
final class Explainer {
  private final CompiledRoutes routes;
  private final IncomingHeaders incomingHeaders;

  Explainer(CompiledRoutes routes, IncomingHeaders incomingHeaders) {
    this.routes = routes;
    this.incomingHeaders = incomingHeaders;
  }

  /**
   * Explains {@code method} on {@code uri}: a path with an optional query, or an absolute
   * {@code http(s)} URI whose authority stands for the {@code Host} header.
   */
  Explanation explain(String method, String uri, HttpHeaders headers) {
    String authority = headers.first("Host").orElse("");
    String target = uri;
    if (uri.startsWith("http://") || uri.startsWith("https://")) {
      URI parsed = URI.create(uri);
      authority = parsed.getRawAuthority() == null ? authority : parsed.getRawAuthority();
      target = (parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/" : parsed.getRawPath())
          + (parsed.getRawQuery() == null ? "" : "?" + parsed.getRawQuery());
    }
    int q = target.indexOf('?');
    String rawPath = q < 0 ? target : target.substring(0, q);
    String rawQuery = q < 0 ? null : target.substring(q + 1);
    return explain(method, rawPath, rawQuery, authority, headers);
  }

  private Explanation explain(String method, String rawPath, @Nullable String rawQuery, String authority,
      HttpHeaders headers) {
    HttpFields sent = FieldsHttpHeaders.fields(headers);
    Problem unforwardable = UnforwardableRequest.check(method, sent);
    if (unforwardable != null) {
      return refused(Explanation.Verdict.UNFORWARDABLE, method, rawPath, unforwardable.detail(), Set.of());
    }
    PathNormalizer.Result normalized = PathNormalizer.normalize(rawPath);
    String queryRefusal = normalized.isOk() ? RawQuery.refusal(rawQuery) : null;
    if (!normalized.isOk() || queryRefusal != null) {
      return refused(Explanation.Verdict.BAD_PATH, method, rawPath,
          queryRefusal != null ? queryRefusal : normalized.reason(), Set.of());
    }
    String path = normalized.path();
    // Routed on what handle() would keep of the headers.
    HttpFields fields = incomingHeaders.screen(sent);
    HttpHeaders kept = new FieldsHttpHeaders(fields);
    if (CompiledCors.isPreflight(method, fields)) {
      String requested = fields.get(CompiledCors.REQUEST_METHOD).trim();
      CompiledRoutes.PreflightTarget target = routes.preflightTarget(requested, path, authority, kept, rawQuery);
      if (target != null) {
        Optional<String> refusal = target.allowed().isEmpty() ? Optional.empty()
            : Optional.of("Method '" + requested + "' is not allowed for cross-origin requests here; allowed: "
                + String.join(", ", target.allowed()) + ".");
        return new Explanation(Explanation.Verdict.PREFLIGHT, method, path, refusal,
            Optional.of(target.found().route().id()), target.found().variables(), Optional.empty(),
            target.route().ipGate() == null ? List.of("cors-preflight") : List.of("ip-rules", "cors-preflight"),
            target.allowed());
      }
    }
    RouteLookup lookup = routes.lookup(method, path, authority, kept, rawQuery);
    if (lookup instanceof RouteLookup.MethodNotAllowed notAllowed) {
      return refused(Explanation.Verdict.METHOD_NOT_ALLOWED, method, path,
          "Method " + method + " is not allowed here; allowed: " + String.join(", ", notAllowed.allowed()) + ".",
          notAllowed.allowed());
    }
    if (!(lookup instanceof RouteLookup.Found found)) {
      return refused(Explanation.Verdict.NO_ROUTE, method, path, "No route matches this request.", Set.of());
    }
    return routed(method, path, rawQuery, found, kept);
  }

  private Explanation routed(String method, String path, @Nullable String rawQuery, RouteLookup.Found found,
      HttpHeaders headers) {
    CompiledRoute route = routes.of(found, method);
    List<String> policies = CompiledRoutes.policies(route);
    SplitChooser split = route.split();
    if (split != null) {
      // Which side and why, in place of the bare step name.
      policies = policies.stream().map(p -> p.equals("split") ? split.explain(headers) : p).toList();
    }
    // An inline upstream is one address; a group's endpoint is only chosen per request, so the
    // explanation names the group instead of an address.
    Optional<Upstream> inline = route.route().upstream();
    String rawUpstreamPath = inline.map(Upstream::basePath).orElse("")
        + route.route().rewrite().apply(path, found.variables());
    PathNormalizer.Result rewritten = PathNormalizer.normalize(rawUpstreamPath);
    if (!rewritten.isOk()) {
      return new Explanation(Explanation.Verdict.BAD_UPSTREAM_PATH, method, path,
          Optional.of("The path to send upstream is not valid: " + rewritten.reason()), Optional.of(route.id()),
          found.variables(), Optional.empty(), policies, Set.of());
    }
    Optional<String> ruledSide = split == null ? Optional.empty() : split.ruledSide(headers);
    String origin = inline.map(u -> u.scheme() + "://" + u.authority())
        .orElseGet(() -> "upstream-group:" + ruledSide.orElseGet(() -> route.route().upstreamGroup().orElse("?")));
    String uri = origin + rewritten.path() + (rawQuery == null ? "" : "?" + rawQuery);
    return new Explanation(Explanation.Verdict.ROUTED, method, path, Optional.empty(), Optional.of(route.id()),
        found.variables(), Optional.of(uri), policies, Set.of());
  }

  private static Explanation refused(Explanation.Verdict verdict, String method, String path, String why,
      Set<String> allowed) {
    return new Explanation(verdict, method, path, Optional.of(why), Optional.empty(), Map.of(), Optional.empty(),
        List.of(), allowed);
  }
}
