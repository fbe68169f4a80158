package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import org.springframework.context.annotation.Bean;

/** The Spring Boot page: a {@code Gateway} bean of the application's own. */
final class SpringBootSnippets {
  // tag::bean[]
  @Bean
  Gateway gateway() {
    return Gateway.builder()
        .route("orders", r -> r.path("/api/orders/**").stripPrefix(1)
            .upstream("http://orders:8080").permitAll())
        .build();
  }
  // end::bean[]
}
