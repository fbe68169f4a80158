package dev.portico.gateway.internal.spi;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.upstream.CircuitBreakerSettings;
import dev.portico.gateway.upstream.UpstreamGroup;
import dev.portico.gateway.upstream.UpstreamProtocol;
import dev.portico.gateway.validation.JsonSchema;
import dev.portico.gateway.validation.jsonschema.JsonSchemaValidator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;

/**
 * What {@link OptionalLibrariesTest} runs inside a {@link HidingClassLoader}: each probe uses
 * gateway-impl the way a host would and returns what came of it as text (or throws), so that only
 * JDK types cross between the loaders.
 */
public final class Probes {
  /** An Ed25519 public key as a key set publishes it (RFC 8037 A.2). */
  static final String ED25519_JWK = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"ed\","
      + "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";

  private Probes() {}

  /** Creates a Jetty handler for a gateway whose route validates bodies against a JSON Schema. */
  public static String jsonSchemaRoute() {
    Gateway gateway = Gateway.builder()
        .route("orders", r -> r.path("/orders").permitAll()
            .validate(v -> v.jsonSchema(JsonSchema.of("{\"type\": \"object\"}")))
            .upstream("http://127.0.0.1:9"))
        .build();
    JettyGatewayHandler.create(gateway);
    return "created";
  }

  /** Compiles a JSON Schema with the public {@link JsonSchemaValidator} directly. */
  public static String jsonSchemaValidator() {
    JsonSchemaValidator.compile(JsonSchema.of("{\"type\": \"object\"}"));
    return "compiled";
  }

  /** Creates a Jetty handler for a gateway whose upstream group has a circuit breaker. */
  public static String circuitBreakerGroup() {
    Gateway gateway = Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("payments").endpoint("http://127.0.0.1:9")
            .circuitBreaker(CircuitBreakerSettings.builder().build()).build())
        .route("pay", r -> r.path("/pay").permitAll().upstreamGroup("payments"))
        .build();
    JettyGatewayHandler.create(gateway);
    return "created";
  }

  /** Creates a Jetty handler for a gateway with a route that caches responses. */
  public static String cachingRoute() {
    Gateway gateway = Gateway.builder()
        .route("catalog", r -> r.path("/catalog").permitAll().upstream("http://127.0.0.1:9")
            .cache(dev.portico.gateway.cache.CachePolicy.defaults()))
        .build();
    JettyGatewayHandler.create(gateway);
    return "created";
  }

  /** Creates a Jetty handler for a gateway whose upstream group speaks HTTP/2. */
  public static String http2Group() {
    Gateway gateway = Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("ledger").endpoint("http://127.0.0.1:9")
            .protocol(UpstreamProtocol.HTTP_2).build())
        .route("ledger", r -> r.path("/ledger").permitAll().upstreamGroup("ledger"))
        .build();
    JettyGatewayHandler.create(gateway);
    return "created";
  }

  /** Builds a JWT authenticator that asks for EdDSA by name. */
  public static String eddsaAuthenticator() throws JOSEException {
    JwtAuthenticator.builder().jwkSet(keySet(rsa())).algorithms("RS256", "EdDSA").build();
    return "built";
  }

  /** Builds a JWT authenticator whose local key set holds only an Ed25519 key. */
  public static String ed25519KeySet() {
    JwtAuthenticator.builder().jwkSet("{\"keys\":[" + ED25519_JWK + "]}").build();
    return "built";
  }

  /** Builds a JWT authenticator with the default algorithms and returns its description. */
  public static String defaultAlgorithms() throws JOSEException {
    return JwtAuthenticator.builder().jwkSet(keySet(rsa())).build().toString();
  }

  /**
   * Runs a gateway with JWT (RS256, from a key set that also holds an Ed25519 key), a Bucket4j
   * rate limit, a JSON request transform and a proxied route on a real Jetty server, in front of a
   * real upstream, and returns the status and body of one authenticated request and of one
   * without a token.
   */
  public static String servesWithoutOptionalFeatures() throws Exception {
    RSAKey rsa = rsa();
    Server upstream = new Server();
    ServerConnector upstreamConnector = new ServerConnector(upstream);
    upstreamConnector.setHost("127.0.0.1");
    upstream.addConnector(upstreamConnector);
    upstream.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        Content.Source.asString(request, StandardCharsets.UTF_8, Promise.from(body -> {
          response.setStatus(200);
          Content.Sink.write(response, true, "upstream got " + request.getHttpURI().getPath() + " " + body, callback);
        }, callback::failed));
        return true;
      }
    });
    Server host = new Server();
    ServerConnector hostConnector = new ServerConnector(host);
    hostConnector.setHost("127.0.0.1");
    host.addConnector(hostConnector);
    try {
      upstream.start();
      JwtAuthenticator jwt = JwtAuthenticator.builder()
          .jwkSet("{\"keys\":[" + rsa.toPublicJWK().toJSONString() + "," + ED25519_JWK + "]}")
          .algorithms("RS256")
          .issuer("https://idp.test")
          .audience("orders")
          .build();
      Gateway gateway = Gateway.builder()
          .authenticator(jwt)
          .route("orders", r -> r.path("/api/orders/**").methods("POST")
              .rateLimiter(Bucket4jRateLimiter.perKey(10, Duration.ofMinutes(1), KeyResolver.principal()))
              .requestJson(t -> t.set("/via", "gateway"))
              .stripPrefix(1)
              .upstream("http://127.0.0.1:" + upstreamConnector.getLocalPort()))
          .build();
      host.setHandler(JettyGatewayHandler.create(gateway));
      host.start();
      String token = token(rsa);
      HttpClient client = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + hostConnector.getLocalPort() + "/api/orders/42");
      HttpResponse<String> ok = client.send(HttpRequest.newBuilder(uri)
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"item\":1}")).build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> refused = client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      jwt.close();
      return ok.statusCode() + " " + ok.body() + " | " + refused.statusCode() + " "
          + refused.headers().firstValue("WWW-Authenticate").orElse("-");
    } finally {
      host.stop();
      upstream.stop();
    }
  }

  private static RSAKey rsa() throws JOSEException {
    return new RSAKeyGenerator(2048).keyID("rsa").generate();
  }

  private static String keySet(RSAKey key) {
    return "{\"keys\":[" + key.toPublicJWK().toJSONString() + "]}";
  }

  private static String token(RSAKey key) throws JOSEException {
    Instant now = Instant.now();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
        new JWTClaimsSet.Builder().issuer("https://idp.test").audience("orders").subject("alice")
            .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).build());
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }
}
