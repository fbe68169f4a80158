package dev.portico.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigErrorsTest {
  private static final GatewayConfig CONFIG = GatewayConfig.builder().environment(Map.of("HOST", "localhost")::get).build();

  private static String error(String yaml) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> CONFIG.read(new StringReader(yaml), "gateway.yaml"));
    assertThat(thrown).isInstanceOf(ConfigException.class);
    return thrown.getMessage();
  }

  @Test
  void smoke() {
    var g = CONFIG.read(new StringReader("""
        routes:
          - id: orders
            path: /orders/**
            upstream: http://${env:HOST}:8080
        """), "gateway.yaml");
    assertThat(g.routes()).hasSize(1);
    System.out.println(error("""
        routes:
          - id: orders
            path: /orders/**
            upstream: htp://x
          - id: users
            pth: /users
            upstream: http://x
            methds: [GET]
        """));
  }
}
