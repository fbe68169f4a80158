package dev.portico.gateway.internal.chain;

import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.ResponseBody;
import dev.portico.gateway.cors.CorsPolicy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.jspecify.annotations.Nullable;

/**
 * A {@link CorsPolicy} ready for requests: answers preflights and puts the CORS headers on every
 * other response of its routes. The header values that do not depend on the request are joined
 * once, here. Not public API.
 */
public final class CompiledCors {
  public static final String REQUEST_METHOD = "Access-Control-Request-Method";
  static final String REQUEST_HEADERS = "Access-Control-Request-Headers";
  static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";
  static final String ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials";
  static final String ALLOW_METHODS = "Access-Control-Allow-Methods";
  static final String ALLOW_HEADERS = "Access-Control-Allow-Headers";
  static final String EXPOSE_HEADERS = "Access-Control-Expose-Headers";
  static final String MAX_AGE = "Access-Control-Max-Age";

  /**
   * What a browser app needs to read to act on a refusal of the gateway's own: the challenge of a
   * 401, when to retry a 429 or 503, the quota, and the request id to quote to support.
   */
  private static final List<String> REFUSAL_HEADERS = List.of("WWW-Authenticate", "Retry-After", "RateLimit",
      "RateLimit-Policy");

  private final CorsPolicy policy;
  private final String methods;
  private final @Nullable String exposed;
  /** The policy's exposed headers and {@link #REFUSAL_HEADERS}, for the gateway's own refusals. */
  private final String exposedOnRefusals;
  private final @Nullable String maxAge;

  /**
   * Compiles {@code policy}; {@code requestIdHeader} is the gateway's request id header, exposed on
   * the gateway's own refusals with {@link #REFUSAL_HEADERS}.
   */
  public CompiledCors(CorsPolicy policy, String requestIdHeader) {
    this.policy = policy;
    Set<String> m = new LinkedHashSet<>(policy.allowedMethods());
    this.methods = String.join(", ", m);
    this.exposed = policy.exposedHeaders().isEmpty() ? null : String.join(", ", policy.exposedHeaders());
    List<String> onRefusals = new ArrayList<>(policy.exposedHeaders());
    List<String> extra = new ArrayList<>(REFUSAL_HEADERS);
    extra.add(requestIdHeader);
    for (String name : extra) {
      if (onRefusals.stream().noneMatch(name::equalsIgnoreCase)) {
        onRefusals.add(name);
      }
    }
    this.exposedOnRefusals = String.join(", ", onRefusals);
    this.maxAge = policy.maxAge().map(d -> Long.toString(d.getSeconds())).orElse(null);
  }

  /** Returns whether a request is a CORS preflight: {@code OPTIONS} with {@code Origin} and the method it asks for. */
  public static boolean isPreflight(String method, HttpFields headers) {
    return HttpMethod.OPTIONS.is(method) && headers.contains(HttpHeader.ORIGIN) && headers.contains(REQUEST_METHOD);
  }

  /** Returns the answer to a preflight: 204 with the allow headers, or 403 {@code cors-rejected} without them. */
  public GatewayResponse preflight(HttpFields request) {
    String origin = request.get(HttpHeader.ORIGIN);
    String method = request.get(REQUEST_METHOD).trim();
    if (origin == null || !policy.allowsOrigin(origin)) {
      return rejected("Origin " + printable(origin) + " may not call this route from a browser.");
    }
    if (!policy.allowsMethod(method)) {
      return rejected("Method " + printable(method) + " is not allowed for cross-origin requests here.");
    }
    List<String> requested = requestedHeaders(request);
    for (String header : requested) {
      if (!policy.allowsHeader(header)) {
        return rejected("Header " + printable(header) + " is not allowed in cross-origin requests here.");
      }
    }
    HttpHeaders.Builder headers = HttpHeaders.builder()
        .add(ALLOW_ORIGIN, policy.allowsAnyOrigin() ? "*" : origin);
    if (policy.allowCredentials()) {
      headers.add(ALLOW_CREDENTIALS, "true");
    }
    headers.add(ALLOW_METHODS, policy.allowedMethods().contains(method) ? methods
        : methods.isEmpty() ? method : methods + ", " + method);
    if (!requested.isEmpty()) {
      headers.add(ALLOW_HEADERS, String.join(", ", requested));
    }
    if (maxAge != null) {
      headers.add(MAX_AGE, maxAge);
    }
    headers.add("Vary", "Origin, " + REQUEST_METHOD + ", " + REQUEST_HEADERS);
    return GatewayResponse.of(204, headers.build(), ResponseBody.empty());
  }

  /**
   * Answers a preflight for a method no route on this path takes ({@code notRouted}) while a route
   * with this policy takes others ({@code allowed}): 403 {@code cors-rejected} naming the method,
   * rather than the 405 the {@code OPTIONS} request itself would get.
   */
  public GatewayResponse methodNotRouted(HttpFields request, String notRouted, String allowed) {
    String origin = request.get(HttpHeader.ORIGIN);
    if (origin == null || !policy.allowsOrigin(origin)) {
      return rejected("Origin " + printable(origin) + " may not call this route from a browser.");
    }
    return rejected("Method " + printable(notRouted) + " is not allowed for cross-origin requests here; allowed: "
        + allowed + ".");
  }

  /**
   * Puts the CORS headers on a response head: drops the upstream's own {@code Access-Control-*}
   * headers, adds {@code Vary: Origin}, and, for an allowed origin, allows it. A refusal of the
   * gateway's own ({@code refusal}) also exposes what a browser app needs to act on it
   * ({@code WWW-Authenticate}, {@code Retry-After}, the quota headers, the request id), next to the
   * policy's own exposed headers.
   */
  public void decorate(HttpFields request, HttpFields.Mutable head, boolean refusal) {
    for (ListIterator<HttpField> it = head.listIterator(); it.hasNext(); ) {
      if (it.next().getLowerCaseName().startsWith("access-control-")) {
        it.remove();
      }
    }
    addVary(head, "Origin");
    String origin = request.get(HttpHeader.ORIGIN);
    if (origin == null || !policy.allowsOrigin(origin)) {
      return;
    }
    head.put(ALLOW_ORIGIN, policy.allowsAnyOrigin() ? "*" : origin);
    if (policy.allowCredentials()) {
      head.put(ALLOW_CREDENTIALS, "true");
    }
    if (refusal) {
      head.put(EXPOSE_HEADERS, exposedOnRefusals);
    } else if (exposed != null) {
      head.put(EXPOSE_HEADERS, exposed);
    }
  }

  private static List<String> requestedHeaders(HttpFields request) {
    List<String> names = new ArrayList<>(4);
    for (String value : request.getValuesList(REQUEST_HEADERS)) {
      for (String token : value.split(",")) {
        String name = token.trim();
        if (!name.isEmpty()) {
          names.add(name.toLowerCase(Locale.ROOT));
        }
      }
    }
    return names;
  }

  private static void addVary(HttpFields.Mutable head, String token) {
    List<String> values = new ArrayList<>(2);
    for (HttpField field : head) {
      if (field.getHeader() == HttpHeader.VARY) {
        for (String existing : field.getValue().split(",")) {
          String t = existing.trim();
          if (t.equals("*") || t.equalsIgnoreCase(token)) {
            return;
          }
          if (!t.isEmpty()) {
            values.add(t);
          }
        }
      }
    }
    values.add(token);
    head.put(HttpHeader.VARY, String.join(", ", values));
  }

  private static GatewayResponse rejected(String detail) {
    return GatewayResponse.problem(ProblemType.CORS_REJECTED.withDetail(detail));
  }

  /** A client-sent value, cut short and without controls, for a problem's detail. */
  private static String printable(@Nullable String value) {
    if (value == null) {
      return "(none)";
    }
    StringBuilder sb = new StringBuilder(Math.min(value.length(), 80) + 2).append('\'');
    for (int i = 0; i < value.length() && i < 80; i++) {
      char c = value.charAt(i);
      sb.append(c < 0x20 || c > 0x7e ? '?' : c);
    }
    return sb.append('\'').toString();
  }
}
