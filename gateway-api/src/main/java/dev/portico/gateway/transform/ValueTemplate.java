package dev.portico.gateway.transform;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.auth.Identity;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A value with placeholders filled in per request: the values of header rules, query rules and JSON
 * string fields. Parsed once when it is created; rendering walks the parsed parts, without regular
 * expressions.
 *
 * <pre>{@code
 * ValueTemplate.parse("{identity.subject}@{route.id}")   // alice@orders
 * ValueTemplate.parse("req-{requestId}")                  // req-06b9f9a6...
 * ValueTemplate.parse("{{literal braces}}")               // {literal braces}
 * }</pre>
 *
 * <table>
 *   <caption>Placeholders</caption>
 *   <tr><th>name</th><th>value</th></tr>
 *   <tr><td>{@code route.id}</td><td>the matched route's id</td></tr>
 *   <tr><td>{@code var.NAME}</td><td>path variable {@code NAME}, as captured (still percent-encoded);
 *       the route checks at build time that its path captures it</td></tr>
 *   <tr><td>{@code requestId}</td><td>the exchange's request id</td></tr>
 *   <tr><td>{@code clientIp}</td><td>the client's IP ({@link Exchange#clientIp()})</td></tr>
 *   <tr><td>{@code request.method}, {@code request.path}, {@code request.scheme},
 *       {@code request.host}</td><td>of the request as it is at that point of the chain</td></tr>
 *   <tr><td>{@code identity.subject}, {@code identity.issuer}, {@code identity.method},
 *       {@code identity.plan}</td><td>of the authenticated identity</td></tr>
 *   <tr><td>{@code identity.scopes}, {@code identity.roles}</td><td>space-separated, sorted</td></tr>
 *   <tr><td>{@code identity.claim.NAME}</td><td>claim {@code NAME} when it is a string, number or
 *       boolean</td></tr>
 * </table>
 *
 * <p>A value that is absent for a request (no identity on a {@code permitAll()} route, an issuer
 * the identity does not have, a claim that is missing or not a scalar) makes the whole template
 * absent: {@link #render(Exchange)} returns empty and the rule that uses it is skipped, so a
 * header is never set to a half-filled value. {@code {{} and {@code }}} stand for literal braces.
 */
public final class ValueTemplate {
  /** The placeholder names, for error messages. */
  static final String NAMES = "route.id, var.NAME, requestId, clientIp, request.method, request.path,"
      + " request.scheme, request.host, identity.subject, identity.issuer, identity.method, identity.plan,"
      + " identity.scopes, identity.roles, identity.claim.NAME";

  private enum Kind {
    LITERAL, ROUTE_ID, VAR, REQUEST_ID, CLIENT_IP, METHOD, PATH, SCHEME, HOST,
    SUBJECT, ISSUER, AUTH_METHOD, PLAN, SCOPES, ROLES, CLAIM
  }

  /** One parsed part: a literal text, or a placeholder with its argument (variable or claim name). */
  private record Part(Kind kind, String text) {}

  private final String source;
  private final Part[] parts;
  private final boolean usesIdentity;

  private ValueTemplate(String source, Part[] parts) {
    this.source = source;
    this.parts = parts;
    this.usesIdentity = usesIdentity(parts);
  }

  /**
   * Parses {@code template}.
   *
   * @throws IllegalArgumentException naming the template and the problem: an unknown placeholder,
   *     an unclosed or unmatched brace, an empty name
   */
  public static ValueTemplate parse(String template) {
    requireNonNull(template, "template");
    List<Part> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int n = template.length();
    for (int i = 0; i < n; i++) {
      char c = template.charAt(i);
      if (c == '{' && i + 1 < n && template.charAt(i + 1) == '{') {
        literal.append('{');
        i++;
      } else if (c == '}' && i + 1 < n && template.charAt(i + 1) == '}') {
        literal.append('}');
        i++;
      } else if (c == '}') {
        throw new IllegalArgumentException("template '" + template + "': unmatched '}' (write }} for a literal brace)");
      } else if (c == '{') {
        int close = template.indexOf('}', i + 1);
        if (close < 0) {
          throw new IllegalArgumentException("template '" + template + "': unclosed '{' (write {{ for a literal brace)");
        }
        if (literal.length() > 0) {
          parts.add(new Part(Kind.LITERAL, literal.toString()));
          literal.setLength(0);
        }
        parts.add(placeholder(template, template.substring(i + 1, close)));
        i = close;
      } else {
        literal.append(c);
      }
    }
    if (literal.length() > 0 || parts.isEmpty()) {
      parts.add(new Part(Kind.LITERAL, literal.toString()));
    }
    return new ValueTemplate(template, parts.toArray(Part[]::new));
  }

  /** Returns a template that is exactly {@code text}, braces included. */
  public static ValueTemplate literal(String text) {
    requireNonNull(text, "text");
    return new ValueTemplate(text.replace("{", "{{").replace("}", "}}"), new Part[] {new Part(Kind.LITERAL, text)});
  }

  private static Part placeholder(String template, String name) {
    Kind kind = switch (name) {
      case "route.id" -> Kind.ROUTE_ID;
      case "requestId" -> Kind.REQUEST_ID;
      case "clientIp" -> Kind.CLIENT_IP;
      case "request.method" -> Kind.METHOD;
      case "request.path" -> Kind.PATH;
      case "request.scheme" -> Kind.SCHEME;
      case "request.host" -> Kind.HOST;
      case "identity.subject" -> Kind.SUBJECT;
      case "identity.issuer" -> Kind.ISSUER;
      case "identity.method" -> Kind.AUTH_METHOD;
      case "identity.plan" -> Kind.PLAN;
      case "identity.scopes" -> Kind.SCOPES;
      case "identity.roles" -> Kind.ROLES;
      default -> null;
    };
    if (kind != null) {
      return new Part(kind, name);
    }
    if (name.startsWith("var.") && isName(name, 4)) {
      return new Part(Kind.VAR, name.substring(4));
    }
    if (name.startsWith("identity.claim.") && name.length() > "identity.claim.".length()) {
      return new Part(Kind.CLAIM, name.substring("identity.claim.".length()));
    }
    throw new IllegalArgumentException("template '" + template + "': unknown placeholder {" + name + "} (expected one of: "
        + NAMES + ")");
  }

  private static boolean isName(String s, int from) {
    if (s.length() <= from) {
      return false;
    }
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '_')) {
        return false;
      }
    }
    return true;
  }

  /** Returns the template as written. */
  public String source() {
    return source;
  }

  /** Returns whether the template has no placeholders. */
  public boolean isConstant() {
    return parts.length == 1 && parts[0].kind == Kind.LITERAL;
  }

  /**
   * Returns whether the template uses the caller's identity (an {@code identity.*} placeholder).
   * A header filled from one is an identity header: the gateway removes it from every client's
   * request, and sends a value that is not plain visible ASCII in the encoding that
   * {@link dev.portico.gateway.auth.IdentityForwarding} describes.
   */
  public boolean usesIdentity() {
    return usesIdentity;
  }

  private static boolean usesIdentity(Part[] parts) {
    for (Part p : parts) {
      switch (p.kind) {
        case SUBJECT, ISSUER, AUTH_METHOD, PLAN, SCOPES, ROLES, CLAIM -> {
          return true;
        }
        default -> {
          // not from the identity
        }
      }
    }
    return false;
  }

  /** Returns the path variable names the template uses ({@code {var.id}} uses {@code id}). */
  public List<String> pathVariables() {
    List<String> names = new ArrayList<>(2);
    for (Part p : parts) {
      if (p.kind == Kind.VAR) {
        names.add(p.text);
      }
    }
    return List.copyOf(names);
  }

  /**
   * Renders the template for {@code exchange}; empty when a value it uses is absent for this
   * request.
   */
  public Optional<String> render(Exchange exchange) {
    if (parts.length == 1) {
      String only = value(parts[0], exchange);
      return Optional.ofNullable(only);
    }
    StringBuilder out = new StringBuilder(source.length() + 32);
    for (Part part : parts) {
      String value = value(part, exchange);
      if (value == null) {
        return Optional.empty();
      }
      out.append(value);
    }
    return Optional.of(out.toString());
  }

  private static @Nullable String value(Part part, Exchange exchange) {
    return switch (part.kind) {
      case LITERAL -> part.text;
      case ROUTE_ID -> exchange.route().id();
      case VAR -> exchange.pathVariables().get(part.text);
      case REQUEST_ID -> exchange.requestId();
      case CLIENT_IP -> exchange.clientIp();
      case METHOD -> exchange.request().method();
      case PATH -> exchange.request().path();
      case SCHEME -> exchange.request().scheme();
      case HOST -> exchange.request().authority();
      case SUBJECT -> exchange.identity().map(Identity::subject).orElse(null);
      case ISSUER -> exchange.identity().flatMap(Identity::issuer).orElse(null);
      case AUTH_METHOD -> exchange.identity().map(Identity::method).orElse(null);
      case PLAN -> exchange.identity().flatMap(Identity::plan).orElse(null);
      case SCOPES -> exchange.identity().map(i -> joined(i.scopes())).orElse(null);
      case ROLES -> exchange.identity().map(i -> joined(i.roles())).orElse(null);
      case CLAIM -> exchange.identity().flatMap(i -> i.claim(part.text))
          .filter(v -> v instanceof String || v instanceof Number || v instanceof Boolean)
          .map(Object::toString).orElse(null);
    };
  }

  private static String joined(Collection<String> values) {
    return String.join(" ", new TreeSet<>(values));
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ValueTemplate other && other.source.equals(source);
  }

  @Override
  public int hashCode() {
    return source.hashCode();
  }

  @Override
  public String toString() {
    return source;
  }
}
