package dev.portico.gateway.examples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot application with a Portico gateway: its own controller ({@link HelloController})
 * answers {@code /hello} and {@code /api/version}, and the gateway routes that
 * {@code application.yaml} gives under {@code portico:} take {@code /api/orders/**} and
 * {@code /api/inventory/**} to two backends, with a JWT and a rate limit per user. Requests no
 * route matches reach the controller; nothing in the code mentions the gateway.
 *
 * <p>Run it with the dev profile, which starts fake backends and a development token issuer
 * ({@code dev.DevServices}), from the repository root:
 * {@code mvn -B -q -pl examples/spring-boot -am spring-boot:run}.
 */
@SpringBootApplication
public class ExampleApplication {
  /** Starts the application. */
  public static void main(String[] args) {
    SpringApplication.run(ExampleApplication.class, args);
  }
}
