package dev.portico.gateway.upstream;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.HttpHeaders;
import java.util.Optional;

/**
 * What {@link LoadBalancing#consistentHash(HashKey)} hashes to keep a client on one endpoint: a
 * header, a cookie, the client IP or the authenticated principal. A request without a key is
 * spread like {@link LoadBalancing#random()}.
 *
 * <pre>{@code
 * HashKey.cookie("SESSION").orElse(HashKey.clientIp())
 * }</pre>
 *
 * <p>Contract: return quickly without blocking; the same request gives the same key.
 */
@FunctionalInterface
public interface HashKey {

  /** Returns the key of {@code exchange}, or empty when it has none. */
  Optional<String> of(Exchange exchange);

  /** Returns a key that is this one's, or {@code fallback}'s when this one has none. */
  default HashKey orElse(HashKey fallback) {
    requireNonNull(fallback, "fallback");
    HashKey first = this;
    return exchange -> {
      Optional<String> key = first.of(exchange);
      return key.isPresent() ? key : fallback.of(exchange);
    };
  }

  /** Keys by the first value of request header {@code name}. */
  static HashKey header(String name) {
    requireNonNull(name, "name");
    HttpHeaders.builder().add(name, "");   // let HttpHeaders name what is wrong with it
    return exchange -> exchange.request().headers().first(name);
  }

  /** Keys by the value of cookie {@code name} in the request's {@code Cookie} headers. */
  static HashKey cookie(String name) {
    requireNonNull(name, "name");
    if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf(';') >= 0) {
      throw new IllegalArgumentException("cookie name: '" + name + "'");
    }
    return exchange -> {
      for (String header : exchange.request().headers().all("Cookie")) {
        for (String pair : header.split(";")) {
          int eq = pair.indexOf('=');
          if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
            return Optional.of(pair.substring(eq + 1).trim());
          }
        }
      }
      return Optional.empty();
    };
  }

  /** Keys by {@link Exchange#clientIp()}: every request has one. */
  static HashKey clientIp() {
    return exchange -> Optional.of(exchange.clientIp());
  }

  /** Keys by the authenticated subject; none on routes without authentication. */
  static HashKey principal() {
    return exchange -> exchange.identity().map(identity -> identity.subject());
  }
}
