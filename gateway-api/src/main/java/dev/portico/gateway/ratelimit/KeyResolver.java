package dev.portico.gateway.ratelimit;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.auth.Identity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Says whose budget a request spends: the key of its bucket, or empty when the request carries
 * nothing to key it by (the limiter then uses an anonymous bucket or refuses, as configured).
 *
 * <pre>{@code
 * KeyResolver.principal()                                    // the authenticated subject
 * KeyResolver.principal().orElse(KeyResolver.clientIp())     // the subject, else the client IP
 * KeyResolver.composite(KeyResolver.route(), KeyResolver.header("X-Tenant"))   // per tenant per route
 * }</pre>
 *
 * <p>The built-in resolvers prefix their values with their kind ({@code ip:}, {@code sub:},
 * {@code key:}, {@code plan:}, {@code h:}, {@code route:}), so keys of different kinds never
 * collide, even when combined with {@link #orElse(KeyResolver)}. Keys may end up in a shared store
 * such as Redis: {@link #apiKey(String)} stores a hash of the key, never the key itself.
 *
 * <p>Contract: return quickly without blocking; the same request gives the same key. Resolvers
 * are called from many threads at once.
 */
@FunctionalInterface
public interface KeyResolver {

  /** Returns the key of {@code exchange}'s bucket, or empty when it has none. */
  Optional<String> resolve(Exchange exchange);

  /** Returns a resolver that uses this one's key and, when it has none, {@code fallback}'s. */
  default KeyResolver orElse(KeyResolver fallback) {
    requireNonNull(fallback, "fallback");
    KeyResolver first = this;
    return exchange -> {
      Optional<String> key = first.resolve(exchange);
      return key.isPresent() ? key : fallback.resolve(exchange);
    };
  }

  /**
   * Keys by the client's IP address, {@link Exchange#clientIp()}: the peer's, or the one a trusted
   * proxy reported. Every request has one.
   */
  static KeyResolver clientIp() {
    return exchange -> Optional.of("ip:" + exchange.clientIp());
  }

  /** Keys by the authenticated subject; none on routes without authentication. */
  static KeyResolver principal() {
    return exchange -> exchange.identity().map(identity -> "sub:" + identity.subject());
  }

  /**
   * Keys by the API key in header {@code header}: a SHA-256 digest of it, so the key itself is
   * never stored. None when the header is absent or empty.
   */
  static KeyResolver apiKey(String header) {
    String name = checkHeaderName(header);
    return exchange -> exchange.request().headers().first(name)
        .filter(value -> !value.isEmpty())
        .map(value -> "key:" + KeyDigest.of(value));
  }

  /**
   * Keys by the identity's plan ({@link Identity#plan()}): every caller on a plan shares one
   * bucket. None when the identity has no plan.
   */
  static KeyResolver plan() {
    return exchange -> exchange.identity().flatMap(Identity::plan).map(plan -> "plan:" + plan);
  }

  /** Keys by the first value of request header {@code name}; none when it is absent. */
  static KeyResolver header(String name) {
    String checked = checkHeaderName(name);
    String prefix = "h:" + checked.toLowerCase(java.util.Locale.ROOT) + ":";
    return exchange -> exchange.request().headers().first(checked).map(value -> prefix + value);
  }

  /** Keys by the route's id: one bucket per route. */
  static KeyResolver route() {
    return exchange -> Optional.of("route:" + exchange.route().id());
  }

  /** Keys every request with {@code key}: one bucket for all, as for a gateway-wide cap. */
  static KeyResolver constant(String key) {
    Optional<String> value = Optional.of(requireNonNull(key, "key"));
    return exchange -> value;
  }

  /**
   * Keys by all of {@code parts} together (per client per route, per tenant per user...): none when
   * any part has none. Parts are joined with {@code |}, escaped inside values, so different tuples
   * never give the same key.
   */
  static KeyResolver composite(KeyResolver... parts) {
    List<KeyResolver> list = List.of(parts);
    if (list.isEmpty()) {
      throw new IllegalArgumentException("parts: none (expected: at least one)");
    }
    KeyResolver[] resolvers = list.toArray(KeyResolver[]::new);
    return exchange -> {
      StringBuilder key = new StringBuilder(64);
      for (int i = 0; i < resolvers.length; i++) {
        Optional<String> part = resolvers[i].resolve(exchange);
        if (part.isEmpty()) {
          return Optional.empty();
        }
        if (i > 0) {
          key.append('|');
        }
        String value = part.get();
        if (value.indexOf('|') < 0 && value.indexOf('\\') < 0) {
          key.append(value);
        } else {
          for (int c = 0; c < value.length(); c++) {
            char ch = value.charAt(c);
            if (ch == '|' || ch == '\\') {
              key.append('\\');
            }
            key.append(ch);
          }
        }
      }
      return Optional.of(key.toString());
    };
  }

  private static String checkHeaderName(String name) {
    requireNonNull(name, "header");
    // Let HttpHeaders' own check name what is wrong with it.
    HttpHeaders.builder().add(name, "");
    return name;
  }
}

/** A short, stable digest for keys that must not be stored as they are. */
final class KeyDigest {
  private KeyDigest() {}

  static String of(String secret) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
