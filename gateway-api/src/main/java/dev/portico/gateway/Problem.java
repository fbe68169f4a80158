package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One occurrence of a {@link ProblemType}: what the gateway answers instead of proxying.
 *
 * <p>The engine renders it as RFC 9457 {@code application/problem+json} with {@code type},
 * {@code title}, {@code status}, {@code detail}, the exchange's {@code requestId} and any
 * {@link #extensions()} (such as the {@code errors} of a failed validation), and adds
 * {@link #headers()} to the response (for example {@code Allow} on a 405 or
 * {@code WWW-Authenticate} on a 401). The {@code detail} is shown to clients: it must explain the
 * refusal without internals (no addresses, stack traces or secrets).
 *
 * <pre>{@code
 * return CompletableFuture.completedFuture(GatewayResponse.problem(
 *     ProblemType.BAD_REQUEST.withDetail("X-Tenant is required")));
 * }</pre>
 *
 * @param type the kind of problem, which fixes the status
 * @param detail a client-safe explanation of this occurrence
 * @param headers extra response headers that belong to the problem
 * @param extensions extension members of the problem body (RFC 9457 section 3.2), in order
 */
public record Problem(ProblemType type, String detail, HttpHeaders headers, Map<String, Object> extensions) {
  private static final Set<String> RESERVED = Set.of("type", "title", "status", "detail", "instance", "requestId");

  /** Validates the components and makes {@code extensions} an immutable copy. */
  public Problem {
    requireNonNull(type, "type");
    requireNonNull(detail, "detail");
    requireNonNull(headers, "headers");
    requireNonNull(extensions, "extensions");
    if (!extensions.isEmpty()) {
      Map<String, Object> copy = new LinkedHashMap<>();
      extensions.forEach((name, value) -> copy.put(checkName(name), jsonValue(name, value)));
      extensions = Collections.unmodifiableMap(copy);
    } else {
      extensions = Map.of();
    }
  }

  /** Returns a problem without extension members. */
  public Problem(ProblemType type, String detail, HttpHeaders headers) {
    this(type, detail, headers, Map.of());
  }

  /** Returns the HTTP status, from the type. */
  public int status() {
    return type.status();
  }

  /** Returns a copy with {@code name: value} added to the problem's headers. */
  public Problem withHeader(String name, String value) {
    return new Problem(type, detail, headers.toBuilder().add(name, value).build(), extensions);
  }

  /**
   * Returns a copy with extension member {@code name} set to {@code value}: a string, number,
   * boolean, or a list or string-keyed map of those (copied). The standard members and
   * {@code requestId} are reserved.
   */
  public Problem withExtension(String name, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(extensions);
    copy.put(name, value);
    return new Problem(type, detail, headers, copy);
  }

  private static String checkName(String name) {
    requireNonNull(name, "extension name");
    if (name.isEmpty() || RESERVED.contains(name)) {
      throw new IllegalArgumentException("extension name: '" + name + "' (reserved or empty)");
    }
    return name;
  }

  private static Object jsonValue(String name, Object value) {
    requireNonNull(value, () -> "extension " + name);
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object element : list) {
        copy.add(jsonValue(name, element));
      }
      return Collections.unmodifiableList(copy);
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> {
        if (!(k instanceof String key)) {
          throw new IllegalArgumentException("extension " + name + ": map keys must be strings");
        }
        copy.put(key, jsonValue(name, v));
      });
      return Collections.unmodifiableMap(copy);
    }
    throw new IllegalArgumentException("extension " + name + ": " + value.getClass().getName()
        + " (expected: a string, number, boolean, list or map)");
  }
}
