package dev.portico.gateway.examples;

import java.math.BigInteger;
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
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;

/**
 * A DEMO token issuer, so that the JWT example's curl commands work out of the box. NEVER USE THIS
 * OUTSIDE A DEMO: it mints a token for whoever asks, for any subject and any scopes, with no client
 * authentication at all. A real deployment gets its tokens from an identity provider (Keycloak,
 * Auth0, Okta, Entra ID, ...), and Portico only verifies them.
 *
 * <p>It is a Jetty handler serving, below its base path:
 * <ul>
 *   <li>{@code GET /.well-known/openid-configuration}: the OpenID Connect discovery document, which
 *       names the issuer and its {@code jwks_uri};
 *   <li>{@code GET /jwks}: the JWK set with the public half of an RSA key generated at start-up;
 *   <li>{@code POST /token} with form fields {@code sub} and {@code scope}: an RS256 access token for
 *       the audience {@link #AUDIENCE}, valid for five minutes, answered as bare text so that
 *       {@code TOKEN=$(curl -s -d sub=alice -d scope=orders:read .../token)} works.
 * </ul>
 */
final class DemoTokenIssuer extends Handler.Abstract.NonBlocking {
  /** The audience every minted token is for: the gateway's JwtAuthenticator requires it. */
  static final String AUDIENCE = "orders-api";
  private static final Duration LIFETIME = Duration.ofMinutes(5);
  private static final Pattern SUBJECT = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
  private static final Pattern SCOPES = Pattern.compile("[A-Za-z0-9:._-]{1,64}( [A-Za-z0-9:._-]{1,64}){0,15}");
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final String basePath;
  private final String issuer;
  private final KeyPair keys;
  private final String keyId;

  /**
   * Creates an issuer that serves below {@code basePath} of the server it is mounted on and names
   * itself {@code issuer}, which must be the URL of that base path.
   */
  DemoTokenIssuer(String issuer, String basePath) throws GeneralSecurityException {
    this.issuer = issuer;
    this.basePath = basePath;
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    this.keys = generator.generateKeyPair();
    this.keyId = UUID.randomUUID().toString();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    if (!path.startsWith(basePath + "/")) {
      return false;
    }
    String endpoint = path.substring(basePath.length());
    String method = request.getMethod();
    if (endpoint.equals("/.well-known/openid-configuration") && method.equals("GET")) {
      json(response, callback, 200, Map.of(
          "issuer", issuer,
          "jwks_uri", issuer + "/jwks",
          "token_endpoint", issuer + "/token",
          "id_token_signing_alg_values_supported", List.of("RS256")));
    } else if (endpoint.equals("/jwks") && method.equals("GET")) {
      json(response, callback, 200, Map.of("keys", List.of(publicJwk())));
    } else if (endpoint.equals("/token") && method.equals("POST")) {
      // Read the form without blocking; minting is quick CPU work, fine on the thread that completes it.
      FormFields.onFields(request, Promise.Invocable.from(InvocationType.NON_BLOCKING,
          fields -> token(fields, response, callback),
          failure -> text(response, callback, 400, "expected form fields sub and scope\n")));
    } else {
      text(response, callback, 404, "demo issuer: no such endpoint " + endpoint + "\n");
    }
    return true;
  }

  private void token(Fields fields, Response response, Callback callback) {
    String subject = fields.getValue("sub");
    String scope = fields.getValue("scope") == null ? "" : fields.getValue("scope");
    if (subject == null || !SUBJECT.matcher(subject).matches() || !scope.isEmpty() && !SCOPES.matcher(scope).matches()) {
      text(response, callback, 400, "expected sub (letters, digits, ._@-) and scope (space-separated names)\n");
      return;
    }
    try {
      text(response, callback, 200, mint(subject, scope) + "\n");
    } catch (GeneralSecurityException e) {
      callback.failed(e);
    }
  }

  /** Returns a signed compact JWS: base64url(header) . base64url(claims) . base64url(RS256 signature). */
  String mint(String subject, String scope) throws GeneralSecurityException {
    Instant now = Instant.now();
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", "RS256");
    header.put("typ", "JWT");
    header.put("kid", keyId);
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", issuer);
    claims.put("sub", subject);
    claims.put("aud", AUDIENCE);
    claims.put("scope", scope);
    claims.put("iat", now.getEpochSecond());
    claims.put("exp", now.plus(LIFETIME).getEpochSecond());
    claims.put("jti", UUID.randomUUID().toString());
    String signingInput = base64url(Json.write(header)) + "." + base64url(Json.write(claims));
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

  private static String base64url(String json) {
    return BASE64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static void json(Response response, Callback callback, int status, Object body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    Content.Sink.write(response, true, Json.write(body), callback);
  }

  private static void text(Response response, Callback callback, int status, String body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    Content.Sink.write(response, true, body, callback);
  }
}
