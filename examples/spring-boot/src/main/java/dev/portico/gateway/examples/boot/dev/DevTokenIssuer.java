package dev.portico.gateway.examples.boot.dev;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * A DEVELOPMENT token issuer. NEVER USE IT OUTSIDE DEVELOPMENT: it mints a token for whoever asks,
 * for any subject and scopes, with no client authentication. In production an identity provider
 * (Keycloak, Auth0, Okta, Entra ID, ...) issues the tokens and the gateway only verifies them,
 * with the same two settings: the issuer and its JWK set URI.
 *
 * <p>It publishes the public half of an RSA key generated at start-up as a JWK set, at
 * {@code GET /jwks} on a free loopback port of its own, where the gateway fetches it as it would
 * from an identity provider; {@link #mint} signs RS256 access tokens for the audience
 * {@value #AUDIENCE}, valid for ten minutes ({@link DevTokenController} answers them at
 * {@code POST /dev/token}).
 */
final class DevTokenIssuer implements AutoCloseable {
  /** The audience every token is for; {@code application.yaml} requires it. */
  static final String AUDIENCE = "example-api";
  private static final Duration LIFETIME = Duration.ofMinutes(10);
  private static final Pattern SUBJECT = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
  private static final Pattern SCOPES = Pattern.compile("[A-Za-z0-9:._-]{1,64}( [A-Za-z0-9:._-]{1,64}){0,15}");
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final HttpServer server;
  private final KeyPair keys;
  private final String keyId = UUID.randomUUID().toString();

  private DevTokenIssuer(HttpServer server, KeyPair keys) {
    this.server = server;
    this.keys = keys;
  }

  /** Starts the issuer on {@code 127.0.0.1} and a free port, with a new RSA key. */
  static DevTokenIssuer start() throws IOException, GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    DevTokenIssuer issuer = new DevTokenIssuer(server, generator.generateKeyPair());
    server.createContext("/jwks", issuer::jwks);
    server.start();
    return issuer;
  }

  /** The issuer's URL, the {@code iss} of its tokens: {@code http://127.0.0.1:PORT}. */
  String issuer() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  String jwksUri() {
    return issuer() + "/jwks";
  }

  private void jwks(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET")) {
        send(exchange, 405, "text/plain", "GET only\n");
        return;
      }
      send(exchange, 200, "application/json", JsonMapper.shared().writeValueAsString(Map.of("keys", List.of(publicJwk()))));
    }
  }

  /**
   * Returns a signed compact JWS for {@code subject} with the space-separated {@code scope}:
   * base64url(header) . base64url(claims) . base64url(RS256 signature).
   *
   * @throws IllegalArgumentException if the subject or the scopes are not simple names
   */
  String mint(String subject, String scope) throws GeneralSecurityException {
    if (!SUBJECT.matcher(subject).matches() || !scope.isEmpty() && !SCOPES.matcher(scope).matches()) {
      throw new IllegalArgumentException("expected sub (letters, digits, ._@-) and scope (space-separated names)");
    }
    Instant now = Instant.now();
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", "RS256");
    header.put("typ", "JWT");
    header.put("kid", keyId);
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", issuer());
    claims.put("sub", subject);
    claims.put("aud", AUDIENCE);
    claims.put("scope", scope);
    claims.put("iat", now.getEpochSecond());
    claims.put("exp", now.plus(LIFETIME).getEpochSecond());
    claims.put("jti", UUID.randomUUID().toString());
    String signingInput = base64url(header) + "." + base64url(claims);
    Signature rs256 = Signature.getInstance("SHA256withRSA");
    rs256.initSign(keys.getPrivate());
    rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + BASE64URL.encodeToString(rs256.sign());
  }

  /** The public key as a JWK (RFC 7517, RFC 7518 6.3): modulus and exponent, unsigned big-endian. */
  private Map<String, Object> publicJwk() {
    RSAPublicKey key = (RSAPublicKey) keys.getPublic();
    Map<String, Object> jwk = new LinkedHashMap<>();
    jwk.put("kty", "RSA");
    jwk.put("kid", keyId);
    jwk.put("use", "sig");
    jwk.put("alg", "RS256");
    jwk.put("n", BASE64URL.encodeToString(unsigned(key.getModulus())));
    jwk.put("e", BASE64URL.encodeToString(unsigned(key.getPublicExponent())));
    return jwk;
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes[0] == 0 && bytes.length > 1 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  private static String base64url(Map<String, Object> json) {
    return BASE64URL.encodeToString(JsonMapper.shared().writeValueAsBytes(json));
  }

  private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType + (contentType.startsWith("text/") ? "; charset=utf-8" : ""));
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
