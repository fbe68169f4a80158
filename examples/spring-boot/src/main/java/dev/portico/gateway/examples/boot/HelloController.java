package dev.portico.gateway.examples.boot;

import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application's own endpoints. {@code /api/version} shares the {@code /api} prefix with the
 * gateway's routes: no route matches it, so the gateway hands it to Spring MVC.
 */
@RestController
class HelloController {
  @GetMapping("/hello")
  Map<String, String> hello() {
    return Map.of("message", "Hello from the application's own controller");
  }

  @GetMapping("/api/version")
  Map<String, String> version() {
    return Map.of("application", "spring-boot-example", "version", "1");
  }
}
