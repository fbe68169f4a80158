package dev.portico.gateway.examples;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.AccessRule;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.test.FakeIdentityProvider;
import java.time.Duration;
import org.eclipse.jetty.server.Server;

/**
 * The code behind Getting started's local run with the test kit's development issuer: a class a
 * host keeps in its test sources, where {@code gateway-test} is. Nothing here runs in the build: it
 * exists so that the snippet compiles (see {@code DocSnippetsTest}); the kit's
 * {@code DevelopmentTokenEndpointTest} runs the same steps on free ports.
 */
final class LocalRunSnippets {
  private LocalRunSnippets() {}

  // tag::local-run[]
  /** Runs the gateway locally, with a development issuer in place of the real identity provider. */
  public static void main(String[] args) throws Exception {
    FakeIdentityProvider issuer = FakeIdentityProvider.builder()
        .port(8090)                            // fixed, so the issuer URL stays the same
        .tokenEndpoint("orders-api")           // POST /token mints for anyone: development only
        .start();

    JwtAuthenticator jwt = JwtAuthenticator.builder()
        .issuer(issuer.issuer())               // http://127.0.0.1:8090, found by discovery
        .audience("orders-api")
        .build();
    Gateway gateway = Gateway.builder()
        .authenticator(jwt)
        .route("orders", r -> r
            .path("/api/orders/**")
            .authorize(AccessRule.scopes("orders:read"))
            .upstream("http://localhost:9001"))
        .build();

    Server server = new Server(8080);
    server.setHandler(JettyGatewayHandler.create(gateway));
    server.start();

    // A token to paste into curl, or ask the issuer: curl -d sub=alice -d scope=orders:read http://127.0.0.1:8090/token
    System.out.println(issuer.token().subject("alice").audience("orders-api")
        .claim("scope", "orders:read").expiresIn(Duration.ofHours(1)).sign());
    server.join();
  }
  // end::local-run[]
}
