package dev.portico.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Route;
import dev.portico.gateway.cache.CachePolicy;
import java.io.StringReader;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code cache:} key of a route, of routeDefaults and of a method block. */
class CacheKeysTest {
  private static final GatewayConfig CONFIG = GatewayConfig.builder().build();

  private static Gateway read(String yaml) {
    return CONFIG.read(new StringReader(yaml), "gateway.yaml");
  }

  private static String error(String yaml) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> read(yaml));
    assertThat(e).as("expected a ConfigException").isNotNull();
    return e.getMessage();
  }

  @Test
  void routeCacheKeysBuildThePolicy() {
    Gateway gateway = read("""
        routes:
          - id: catalog
            path: /catalog/**
            upstream: http://catalog.internal
            cache:
              maxBytes: 1000000
              maxEntryBytes: 10000
              keyByIdentity: true
              cacheSetCookie: true
              collapseWait: 2s
          - id: plain
            path: /plain
            upstream: http://catalog.internal
            cache: {}
        """);
    CachePolicy policy = gateway.routes().get(0).cache().orElseThrow();
    assertThat(policy.maxBytes()).isEqualTo(1_000_000);
    assertThat(policy.maxEntryBytes()).isEqualTo(10_000);
    assertThat(policy.keyByIdentity()).isTrue();
    assertThat(policy.cacheSetCookie()).isTrue();
    assertThat(policy.collapseWait()).isEqualTo(Duration.ofSeconds(2));
    assertThat(gateway.routes().get(1).cache().orElseThrow().maxBytes()).isEqualTo(CachePolicy.DEFAULT_MAX_BYTES);
  }

  @Test
  void routeDefaultsCacheIsInheritedAndDroppedWithNoCache() {
    Gateway gateway = read("""
        routeDefaults:
          cache:
            maxBytes: 2000000
        routes:
          - id: a
            path: /a
            upstream: http://a.internal
          - id: b
            path: /b
            upstream: http://a.internal
            noCache: true
          - id: c
            path: /c
            upstream: http://a.internal
            methodPolicies:
              PUT:
                noCache: true
        """);
    assertThat(gateway.routes().get(0).cache().orElseThrow().maxBytes()).isEqualTo(2_000_000);
    assertThat(gateway.routes().get(1).cache()).isEmpty();
    Route c = gateway.routes().get(2);
    assertThat(c.cache()).isPresent();
    assertThat(c.forMethod("PUT").cache()).isEmpty();
  }

  @Test
  void badCacheValuesPointAtTheirKeysAndSuggestSpellings() {
    assertThat(error("""
        routes:
          - id: a
            path: /a
            upstream: http://a.internal
            cache:
              maxByte: 10
        """)).contains("gateway.yaml:6:7 routes[0].cache.maxByte: unknown key 'maxByte' (did you mean 'maxBytes'?)");
    assertThat(error("""
        routes:
          - id: a
            path: /a
            upstream: http://a.internal
            cache:
              maxBytes: 10
              maxEntryBytes: 20
        """)).contains("gateway.yaml:6:7 routes[0].cache: maxEntryBytes: 20 (expected: > 0 and <= maxBytes 10)");
  }
}
