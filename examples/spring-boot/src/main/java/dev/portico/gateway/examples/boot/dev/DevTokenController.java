package dev.portico.gateway.examples.boot.dev;

import java.security.GeneralSecurityException;
import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * In the dev profile, {@code POST /dev/token} with form fields {@code sub} and {@code scope}
 * (space-separated) answers a token of the {@link DevTokenIssuer}, as bare text, so that
 * {@code TOKEN=$(curl -s -d sub=alice -d scope=orders:read http://localhost:8080/dev/token)} works.
 * DEVELOPMENT ONLY: it mints a token for anyone who asks.
 */
@RestController
@Profile("dev")
class DevTokenController {
  private final DevServices services;

  DevTokenController(DevServices services) {
    this.services = services;
  }

  @PostMapping(path = "/dev/token", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE,
      produces = MediaType.TEXT_PLAIN_VALUE)
  String token(@RequestParam("sub") String subject, @RequestParam(name = "scope", defaultValue = "") String scope)
      throws GeneralSecurityException {
    return services.issuer().mint(subject, scope) + "\n";
  }

  @ExceptionHandler(IllegalArgumentException.class)
  @ResponseStatus(HttpStatus.BAD_REQUEST)
  String badRequest(IllegalArgumentException e) {
    return e.getMessage() + "\n";
  }
}
