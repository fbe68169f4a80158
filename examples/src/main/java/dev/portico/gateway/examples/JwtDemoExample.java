package dev.portico.gateway.examples;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.AccessRule;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import java.net.URI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A JWT-protected route, with a DEMO token issuer in the same server so that the curl commands work
 * out of the box.
 *
 * <pre>
 *   client ──▶ :8080  Handler.Sequence
 *                      ├─ JettyGatewayHandler   /api/orders/** needs a token with scope orders:read
 *                      └─ DemoTokenIssuer       /demo-issuer/...: discovery, JWK set, /token (DEMO ONLY)
 * </pre>
 *
 * <p>The gateway's {@link JwtAuthenticator} knows only the issuer URL and the audience: on the
 * first request it reads the issuer's OpenID Connect discovery document, fetches the JWK set it
 * names, and from then on verifies tokens locally. The issuer is a stand-in for a real identity
 * provider: it mints a token for anyone who asks.
 *
 * <p>Run it with
 * {@code mvn -B -q -pl examples -am compile exec:java -Dexec.mainClass=dev.portico.gateway.examples.JwtDemoExample}
 * (port 8080; {@code -Dportico.port=9090} or a first argument changes it). Tests start it on port 0
 * with {@link #start(int)} and stop it with {@link #close()}.
 */
public final class JwtDemoExample implements AutoCloseable {
  /** Where the demo issuer is mounted on the host. */
  static final String ISSUER_PATH = "/demo-issuer";

  private final EchoBackend backend;
  private final Server server;
  private final JwtAuthenticator jwt;
  private final URI uri;

  private JwtDemoExample(EchoBackend backend, Server server, JwtAuthenticator jwt, URI uri) {
    this.backend = backend;
    this.server = server;
    this.jwt = jwt;
    this.uri = uri;
  }

  /**
   * Starts the echo backend, then the host on 127.0.0.1 and {@code port} (0: a free one) with the
   * gateway and, after it, the demo issuer.
   */
  public static JwtDemoExample start(int port) throws Exception {
    EchoBackend backend = EchoBackend.start();
    Server server = new Server();
    JwtAuthenticator jwt = null;
    try {
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      connector.setPort(port);
      server.addConnector(connector);
      connector.open();                          // bind now: the issuer URL names the actual port
      URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
      String issuer = uri.resolve(ISSUER_PATH).toString();
      String ordersBackend = backend.uri().toString();

      Config config = gateway(issuer, ordersBackend);
      jwt = config.jwt();

      server.setHandler(new Handler.Sequence(
          JettyGatewayHandler.create(config.gateway()),   // /api/orders/**
          new DemoTokenIssuer(issuer, ISSUER_PATH)));
      server.start();
      return new JwtDemoExample(backend, server, jwt, uri);
    } catch (Exception e) {
      JwtAuthenticator opened = jwt;
      Shutdown.inOrder("the JWT example", server::stop,   // also closes the connector opened above
          () -> {
            if (opened != null) {
              opened.close();
            }
          },
          backend::close);
      throw e;
    }
  }

  /** The example's gateway and the authenticator it owns (close it when the gateway is done). */
  record Config(JwtAuthenticator jwt, Gateway gateway) {}

  /**
   * Builds the example's gateway: tokens from {@code issuer} (found by discovery), one route to
   * {@code ordersBackend}. Also what its conformance test runs against the kit's fakes.
   */
  static Config gateway(String issuer, String ordersBackend) {
    JwtAuthenticator jwt;
    // tag::gateway[]
    jwt = JwtAuthenticator.builder()
        .issuer(issuer)                        // discovery: issuer + /.well-known/openid-configuration
        .audience("orders-api")                // aud must contain it
        .build();                              // no I/O yet: keys are fetched on first use

    Gateway gateway = Gateway.builder()
        .authenticator(jwt)                    // every route: 401 without a valid token
        .route("orders", r -> r
            .path("/api/orders/**")
            .methods("GET")
            .authorize(AccessRule.scopes("orders:read"))            // 403 insufficient_scope without it
            .identityForwarding(IdentityForwarding.headersOnly())   // token out, X-Auth-* headers in
            .stripPrefix(1)
            .upstream(ordersBackend))
        .build();
    // end::gateway[]
    return new Config(jwt, gateway);
  }

  /** Returns the host's base URI, such as {@code http://127.0.0.1:8080/}. */
  public URI uri() {
    return uri;
  }

  /** Returns the demo issuer's token endpoint. */
  public URI tokenEndpoint() {
    return uri.resolve(ISSUER_PATH + "/token");
  }

  /** Stops the host, the authenticator's key set client, then the backend. */
  @Override
  public void close() {
    Shutdown.inOrder("the JWT example", server::stop, jwt::close, backend::close);
  }

  /** Returns what {@link #main} prints: what to try. */
  public String usage() {
    String base = uri.toString().replaceAll("/$", "");
    return """

        JWT example on %1$s/
          /api/orders/**   needs a bearer token from the issuer below, for audience orders-api,
                           with scope orders:read; proxied to %3$s
          %2$s/...  a DEMO issuer: it mints a token for anyone who asks. Demo only.

        Try:
          # a token for alice with the scope the route needs (the demo issuer answers it as bare text)
          TOKEN=$(curl -s -d sub=alice -d scope=orders:read %1$s%2$s/token)
          # 200: the echo backend shows X-Auth-Subject: alice and no Authorization header
          curl -i -H "Authorization: Bearer $TOKEN" %1$s/api/orders/7
          # 401 with WWW-Authenticate: Bearer realm="api"
          curl -i %1$s/api/orders/7
          # 403 insufficient_scope: a valid token without orders:read
          curl -i -H "Authorization: Bearer $(curl -s -d sub=bob -d scope=profile %1$s%2$s/token)" %1$s/api/orders/7
          # what the gateway read to find the keys
          curl -s %1$s%2$s/.well-known/openid-configuration
          curl -s %1$s%2$s/jwks

        Stop with Ctrl+C.
        """.formatted(base, ISSUER_PATH, backend.uri());
  }

  /** Starts the example on port 8080, the first argument, or {@code -Dportico.port}, and waits. */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : Integer.getInteger("portico.port", 8080);
    JwtDemoExample example = start(port);
    Runtime.getRuntime().addShutdownHook(new Thread(example::close, "example-shutdown"));
    System.out.println(example.usage());
    example.server.join();
  }
}
