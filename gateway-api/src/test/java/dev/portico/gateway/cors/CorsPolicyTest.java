package dev.portico.gateway.cors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CorsPolicyTest {
  private final CorsPolicy policy = CorsPolicy.builder()
      .allowOrigins("https://app.example.com", "https://*.example.org", "http://localhost:*", "https://api.example.net:8443")
      .build();

  @Test
  void matchesExactOriginsIgnoringCaseAndDefaultPorts() {
    assertThat(policy.allowsOrigin("https://app.example.com")).isTrue();
    assertThat(policy.allowsOrigin("HTTPS://App.Example.com")).isTrue();
    assertThat(policy.allowsOrigin("https://app.example.com:443")).isTrue();
    assertThat(policy.allowsOrigin("https://app.example.com:444")).isFalse();
    assertThat(policy.allowsOrigin("http://app.example.com")).isFalse();
    assertThat(policy.allowsOrigin("https://app.example.com.evil.io")).isFalse();
    assertThat(policy.allowsOrigin("https://api.example.net:8443")).isTrue();
    assertThat(policy.allowsOrigin("https://api.example.net")).isFalse();
  }

  @Test
  void wildcardHostNeedsAtLeastOneLabelAndWildcardPortTakesAny() {
    assertThat(policy.allowsOrigin("https://a.example.org")).isTrue();
    assertThat(policy.allowsOrigin("https://a.b.example.org")).isTrue();
    assertThat(policy.allowsOrigin("https://example.org")).isFalse();
    assertThat(policy.allowsOrigin("https://evilexample.org")).isFalse();
    assertThat(policy.allowsOrigin("http://localhost")).isTrue();
    assertThat(policy.allowsOrigin("http://localhost:3000")).isTrue();
    assertThat(policy.allowsOrigin("https://localhost:3000")).isFalse();
  }

  @Test
  void neverAllowsTheNullOriginOrGarbage() {
    assertThat(CorsPolicy.anyOrigin().allowsOrigin("null")).isFalse();
    assertThat(policy.allowsOrigin("null")).isFalse();
    assertThat(policy.allowsOrigin("app.example.com")).isFalse();
    assertThat(policy.allowsOrigin("https://app.example.com/path")).isFalse();
  }

  @Test
  void methodsAndHeaders() {
    CorsPolicy p = CorsPolicy.builder().allowOrigins("https://a.example").allowMethods("put").allowHeaders("X-Api-Key").build();

    assertThat(p.allowedMethods()).containsExactly("PUT");
    assertThat(p.allowsMethod("PUT")).isTrue();
    assertThat(p.allowsMethod("GET")).as("safelisted").isTrue();
    assertThat(p.allowsMethod("DELETE")).isFalse();
    assertThat(p.allowsHeader("x-api-key")).isTrue();
    assertThat(p.allowsHeader("X-Other")).isFalse();
    assertThat(CorsPolicy.builder().allowOrigins("https://a.example").build().allowedMethods())
        .containsExactly("GET", "HEAD", "POST");
  }

  @Test
  void buildRefusesUnsafeOrMalformedSettings() {
    assertThatThrownBy(() -> CorsPolicy.builder().allowAnyOrigin().allowCredentials().build())
        .hasMessageStartingWith("allowCredentials() with any origin");
    assertThatThrownBy(() -> CorsPolicy.builder().build()).hasMessageStartingWith("no allowed origins");
    assertThatThrownBy(() -> CorsPolicy.builder().allowOrigins("https://a.example/app").build())
        .hasMessageStartingWith("allowOrigins: 'https://a.example/app'");
    assertThatThrownBy(() -> CorsPolicy.builder().allowOrigins("https://a.*.example").build())
        .hasMessageStartingWith("allowOrigins: 'https://a.*.example'");
    assertThatThrownBy(() -> CorsPolicy.builder().allowOrigins("https://a.example").allowMethods("GE T").build())
        .hasMessageStartingWith("allowMethods: 'GE T'");
  }
}
