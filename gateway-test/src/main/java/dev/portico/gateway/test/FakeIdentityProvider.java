package dev.portico.gateway.test;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * An OpenID provider for tests, on a real Jetty server on an ephemeral port on {@code 127.0.0.1}:
 * it serves a discovery document at {@code /.well-known/openid-configuration} and a JWK set at
 * {@code /jwks}, and mints signed tokens with the claims, key and times a test chooses. It holds
 * one key for each of RS256, ES256 and EdDSA (all published) and an HS256 secret (never published).
 *
 * <pre>{@code
 * try (FakeIdentityProvider idp = FakeIdentityProvider.start()) {
 *   JwtAuthenticator jwt = JwtAuthenticator.builder()
 *       .issuer(idp.issuer())                 // discovery finds idp.jwksUri()
 *       .audience("orders-api")
 *       .build();
 *   String token = idp.token().subject("alice").audience("orders-api")
 *       .claim("scope", "orders:read").expiresIn(Duration.ofMinutes(5)).sign();
 *   idp.rotateKeys();                         // new keys signed with from now on, old ones still published
 *   idp.down();                               // discovery and JWK set answer 503 until up()
 * }
 * }</pre>
 *
 * <p>Token times come from the provider's clock; give it the gateway's {@link TestClock} to test
 * expiry without waiting. Thread-safe.
 *
 * <p><b>For a local run of your gateway</b>, the provider can also stand in for your real identity
 * provider on a fixed port and mint tokens over HTTP: {@link Builder#port(int)} and
 * {@link Builder#tokenEndpoint(String)}, from your own code, or from the command line with
 * {@link #main}. Its {@code POST /token} mints a token for whoever asks, with no client
 * authentication: it is off unless asked for, listens on {@code 127.0.0.1} only, and is for
 * development only, never in front of anything real.
 */
public final class FakeIdentityProvider implements AutoCloseable {
  private final Server server;
  private final ServerConnector connector;
  private final @Nullable String fixedIssuer;
  private final @Nullable TokenEndpoint tokenEndpoint;
  private final TokenAlgorithm defaultAlgorithm;
  private final Clock clock;
  private final byte[] hmacSecret;
  private final Object lock = new Object();
  private final Map<TokenAlgorithm, JWK> current = new EnumMap<>(TokenAlgorithm.class);
  private final List<JWK> previous = new ArrayList<>();
  private int generation;
  private boolean down;
  private Duration delay = Duration.ZERO;
  private int jwksRequests;
  private int discoveryRequests;

  private FakeIdentityProvider(Builder b) throws Exception {
    this.fixedIssuer = b.issuer;
    this.defaultAlgorithm = b.algorithm;
    this.clock = b.clock;
    this.hmacSecret = new byte[32];
    new SecureRandom().nextBytes(hmacSecret);
    generateKeys();
    this.tokenEndpoint = b.tokenAudience == null ? null : new TokenEndpoint(this, b.tokenAudience);
    server = new Server();
    connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(b.port);
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        return serve(request, response, callback);
      }
    });
    server.start();
  }

  /** Starts a provider that signs with RS256 by default, on the system clock. */
  public static FakeIdentityProvider start() throws Exception {
    return builder().start();
  }

  /** Returns a builder for the default algorithm, the clock or a fixed issuer. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the issuer: by default the base URL {@code http://127.0.0.1:port}, which is what
   * discovery ({@code JwtAuthenticator.builder().issuer(..)}) needs.
   */
  public String issuer() {
    return fixedIssuer != null ? fixedIssuer : baseUri();
  }

  /** Returns the JWK set's URL, for {@code JwtAuthenticator.builder().jwksUri(..)}. */
  public String jwksUri() {
    return baseUri() + "/jwks";
  }

  /** Returns the discovery document's URL. */
  public String discoveryUri() {
    return baseUri() + "/.well-known/openid-configuration";
  }

  /**
   * Returns the URL of {@code POST /token}, which mints a token for whoever asks, if the builder
   * turned it on ({@link Builder#tokenEndpoint(String)}); empty otherwise.
   */
  public Optional<String> tokenEndpoint() {
    return tokenEndpoint == null ? Optional.empty() : Optional.of(baseUri() + "/token");
  }

  /** Returns a copy of the HS256 secret, for {@code JwtAuthenticator.builder().hmacSecret(..)}. */
  public byte[] hmacSecret() {
    return hmacSecret.clone();
  }

  /** Returns the JWK set the provider publishes now (public keys only), as JSON. */
  public String publicJwks() {
    synchronized (lock) {
      List<JWK> keys = new ArrayList<>();
      for (Map.Entry<TokenAlgorithm, JWK> entry : current.entrySet()) {
        if (entry.getKey() != TokenAlgorithm.HS256) {
          keys.add(entry.getValue().toPublicJWK());
        }
      }
      for (JWK key : previous) {
        keys.add(key.toPublicJWK());
      }
      return new JWKSet(keys).toString();
    }
  }

  /** Returns the key id tokens signed with {@code algorithm} carry now. */
  public String keyId(TokenAlgorithm algorithm) {
    return key(algorithm).getKeyID();
  }

  /** Starts a token: issuer, subject {@code alice}, issued now, expiring in 5 minutes, default algorithm. */
  public TokenBuilder token() {
    return new TokenBuilder(this);
  }

  /**
   * Replaces every signing key with a new one under a new key id. The replaced keys stay in the
   * JWK set (tokens signed before still verify) until {@link #retireOldKeys()}.
   */
  public void rotateKeys() {
    synchronized (lock) {
      for (Map.Entry<TokenAlgorithm, JWK> entry : current.entrySet()) {
        if (entry.getKey() != TokenAlgorithm.HS256) {
          previous.add(entry.getValue());
        }
      }
      generateKeys();
    }
  }

  /** Removes the keys {@link #rotateKeys()} replaced from the JWK set. */
  public void retireOldKeys() {
    synchronized (lock) {
      previous.clear();
    }
  }

  /** Makes discovery and the JWK set answer {@code 503} until {@link #up()}. */
  public void down() {
    synchronized (lock) {
      down = true;
    }
  }

  /** Serves discovery and the JWK set again. */
  public void up() {
    synchronized (lock) {
      down = false;
    }
  }

  /** Answers discovery and JWK set requests only after {@code delay} (zero: at once, the default). */
  public void delay(Duration delay) {
    requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay: " + delay + " (expected: >= 0)");
    }
    synchronized (lock) {
      this.delay = delay;
    }
  }

  /** Returns how many times the JWK set was requested. */
  public int jwksRequests() {
    synchronized (lock) {
      return jwksRequests;
    }
  }

  /** Returns how many times the discovery document was requested. */
  public int discoveryRequests() {
    synchronized (lock) {
      return discoveryRequests;
    }
  }

  /**
   * Waits until the JWK set was requested at least {@code count} times, at most {@code timeout}.
   *
   * @throws AssertionError if it was requested fewer times by then
   * @throws InterruptedException if interrupted while waiting
   */
  public void awaitJwksRequests(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + requireNonNull(timeout, "timeout").toNanos();
    synchronized (lock) {
      while (jwksRequests < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("JWK set requested " + jwksRequests + " of " + count + " times within " + timeout);
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
    }
  }

  /** Stops the server. */
  @Override
  public void close() throws Exception {
    server.stop();
  }

  @Override
  public String toString() {
    return "FakeIdentityProvider{" + issuer() + "}";
  }

  /** The current key for {@code algorithm} (for HS256: the secret as an oct JWK). */
  JWK key(TokenAlgorithm algorithm) {
    synchronized (lock) {
      return requireNonNull(current.get(algorithm));
    }
  }

  Clock clock() {
    return clock;
  }

  TokenAlgorithm defaultAlgorithm() {
    return defaultAlgorithm;
  }

  /** Signs {@code claims} under {@code header} with {@code key}, which may be any key, trusted or not. */
  static String sign(JWK key, JWSHeader header, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(header, claims);
      jwt.sign(signer(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a test token: " + e.getMessage(), e);
    }
  }

  static JWSSigner signer(JWK key) throws JOSEException {
    if (key instanceof RSAKey rsa) {
      return new RSASSASigner(rsa);
    } else if (key instanceof ECKey ec) {
      return new ECDSASigner(ec);
    } else if (key instanceof OctetKeyPair okp) {
      return new Ed25519Signer(okp);
    }
    return new MACSigner(key.toOctetSequenceKey().toByteArray());
  }

  static JWSAlgorithm jwsAlgorithm(TokenAlgorithm algorithm) {
    return JWSAlgorithm.parse(algorithm.name());
  }

  /** Generates a key for {@code algorithm} (not HS256, whose secret is made once) under {@code kid}. */
  static JWK generate(TokenAlgorithm algorithm, String kid) {
    try {
      return switch (algorithm) {
        case RS256 -> new RSAKeyGenerator(2048).keyID(kid).generate();
        case ES256 -> new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        case EdDSA -> new OctetKeyPairGenerator(Curve.Ed25519).keyID(kid).generate();
        case HS256 -> throw new IllegalArgumentException("HS256 has a secret, not a generated key");
      };
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate a " + algorithm + " key: " + e.getMessage(), e);
    }
  }

  private void generateKeys() {
    generation++;
    current.put(TokenAlgorithm.RS256, generate(TokenAlgorithm.RS256, "rs256-" + generation));
    current.put(TokenAlgorithm.ES256, generate(TokenAlgorithm.ES256, "es256-" + generation));
    current.put(TokenAlgorithm.EdDSA, generate(TokenAlgorithm.EdDSA, "eddsa-" + generation));
    current.put(TokenAlgorithm.HS256, new OctetSequenceKey.Builder(hmacSecret).keyID("hs256").build());
  }

  private String baseUri() {
    return "http://127.0.0.1:" + connector.getLocalPort();
  }

  private boolean serve(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    if (tokenEndpoint != null && path.equals("/token")) {
      tokenEndpoint.handle(request, response, callback);
      return true;
    }
    boolean jwks = path.equals("/jwks");
    if (!jwks && !path.equals("/.well-known/openid-configuration")) {
      return false;
    }
    boolean isDown;
    Duration wait;
    synchronized (lock) {
      if (jwks) {
        jwksRequests++;
      } else {
        discoveryRequests++;
      }
      lock.notifyAll();
      isDown = down;
      wait = delay;
    }
    String body = jwks ? publicJwks() : discovery();
    Runnable answer = () -> {
      if (isDown) {
        response.setStatus(503);
        callback.succeeded();
        return;
      }
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      Content.Sink.write(response, true, body, callback);
    };
    if (wait.isZero()) {
      answer.run();
    } else {
      request.getComponents().getScheduler().schedule(answer, wait.toNanos(), TimeUnit.NANOSECONDS);
    }
    return true;
  }

  private String discovery() {
    return "{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + jwksUri()
        + tokenEndpoint().map(uri -> "\",\"token_endpoint\":\"" + uri).orElse("")
        + "\",\"id_token_signing_alg_values_supported\":[\"RS256\",\"ES256\",\"EdDSA\"]}";
  }

  /**
   * <b>For development only.</b> Runs a provider with its token endpoint on for a local run of
   * your gateway, until Ctrl+C: {@code --port} (default 8090) and {@code --audience} (required),
   * the audience your gateway's {@code JwtAuthenticator} requires. It prints the issuer URL to
   * configure and the curl command that mints a token.
   *
   * <pre>{@code
   * mvn test-compile exec:java -Dexec.classpathScope=test \
   *     -Dexec.mainClass=dev.portico.gateway.test.FakeIdentityProvider \
   *     -Dexec.args="--port 8090 --audience orders-api"
   * }</pre>
   *
   * @throws IllegalArgumentException if the arguments are not understood
   * @throws Exception if the server cannot start
   */
  public static void main(String[] args) throws Exception {
    FakeIdentityProvider idp = startForDevelopment(args);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        idp.close();
      } catch (Exception e) {
        // stopping anyway
      }
    }, "fake-identity-provider-shutdown"));
    System.out.println(idp.developmentUsage());
    idp.server.join();
  }

  /** Starts the provider {@link #main} runs, from its arguments. */
  static FakeIdentityProvider startForDevelopment(String[] args) throws Exception {
    int port = 8090;
    String audience = null;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      if (args[i].equals("--port") && value != null && value.matches("[0-9]{1,5}")) {
        port = Integer.parseInt(value);
        i++;
      } else if (args[i].equals("--audience") && value != null) {
        audience = value;
        i++;
      } else {
        throw new IllegalArgumentException("argument " + args[i] + " (expected: --port 8090 --audience orders-api)");
      }
    }
    if (audience == null) {
      throw new IllegalArgumentException("no --audience (expected: --port 8090 --audience orders-api, the audience "
          + "your gateway's JwtAuthenticator requires)");
    }
    return builder().port(port).tokenEndpoint(audience).start();
  }

  /** Returns what {@link #main} prints: the issuer to configure and how to get a token. */
  String developmentUsage() {
    return """

        FakeIdentityProvider: a token issuer FOR DEVELOPMENT ONLY. It mints a token for whoever asks.
          issuer     %1$s       JwtAuthenticator.builder().issuer("%1$s")
          discovery  %2$s
          JWK set    %3$s
          tokens     POST %4$s   form fields sub, scope, aud (default %5$s), expires_in (s)

        Try:
          TOKEN=$(curl -s -d sub=alice -d scope=orders:read %4$s)
          curl -i -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/...   # your gateway

        Its keys are made at start: restart it and tokens minted before no longer verify.
        Stop with Ctrl+C.
        """.formatted(issuer(), discoveryUri(), jwksUri(), tokenEndpoint().orElseThrow(),
        requireNonNull(tokenEndpoint).audience());
  }

  /** Configures and starts a {@link FakeIdentityProvider}. */
  public static final class Builder {
    private TokenAlgorithm algorithm = TokenAlgorithm.RS256;
    private Clock clock = Clock.systemUTC();
    private @Nullable String issuer;
    private int port;
    private @Nullable String tokenAudience;

    private Builder() {}

    /**
     * Sets the port to listen on, on {@code 127.0.0.1}: 0 (the default) lets the system pick a free
     * one, as tests want; a fixed one keeps the issuer URL the same from one local run to the next.
     */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0 to 65535)");
      }
      this.port = port;
      return this;
    }

    /**
     * <b>For development only.</b> Serves {@code POST /token}, which mints a token for whoever
     * asks, with no client authentication: form fields {@code sub} (required), {@code scope}
     * (space-separated), {@code aud} (default {@code audience}) and {@code expires_in} (seconds,
     * default 300); the answer is the token as bare text. Off unless this is called.
     *
     * <pre>{@code
     * TOKEN=$(curl -s -d sub=alice -d scope=orders:read http://127.0.0.1:8090/token)
     * }</pre>
     */
    public Builder tokenEndpoint(String audience) {
      requireNonNull(audience, "audience");
      if (audience.isBlank()) {
        throw new IllegalArgumentException("audience: blank (expected: the audience your gateway's JwtAuthenticator requires)");
      }
      this.tokenAudience = audience;
      return this;
    }

    /** Sets the algorithm {@link #token()} signs with unless told otherwise (default RS256). */
    public Builder algorithm(TokenAlgorithm algorithm) {
      this.algorithm = requireNonNull(algorithm, "algorithm");
      return this;
    }

    /** Sets the clock token times are taken from (default: the system clock). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Names a fixed issuer instead of the provider's own base URL (discovery then names it too,
     * so use {@link FakeIdentityProvider#jwksUri()} to configure the gateway).
     */
    public Builder issuer(String issuer) {
      this.issuer = requireNonNull(issuer, "issuer");
      return this;
    }

    /**
     * Generates the keys and starts the server.
     *
     * @throws IllegalStateException if the issuer is blank
     * @throws Exception if Jetty cannot start
     */
    public FakeIdentityProvider start() throws Exception {
      if (issuer != null && issuer.isBlank()) {
        throw new IllegalStateException("FakeIdentityProvider: issuer is blank");
      }
      return new FakeIdentityProvider(this);
    }
  }

  /**
   * A token being minted: claims and header, signed by {@link #sign()}. Not thread-safe; start
   * one per token with {@link FakeIdentityProvider#token()}.
   */
  public static final class TokenBuilder {
    private final FakeIdentityProvider idp;
    private final Map<String, @Nullable Object> claims = new LinkedHashMap<>();
    private final Map<String, Object> headerParams = new LinkedHashMap<>();
    private TokenAlgorithm algorithm;
    private @Nullable String keyId;

    TokenBuilder(FakeIdentityProvider idp) {
      this.idp = idp;
      this.algorithm = idp.defaultAlgorithm;
      Instant now = idp.clock.instant();
      claims.put("iss", idp.issuer());
      claims.put("sub", "alice");
      claims.put("iat", now.getEpochSecond());
      claims.put("exp", now.plus(Duration.ofMinutes(5)).getEpochSecond());
    }

    /** Sets {@code sub}. */
    public TokenBuilder subject(String subject) {
      return claim("sub", requireNonNull(subject, "subject"));
    }

    /** Sets {@code iss} (the provider's issuer by default). */
    public TokenBuilder issuer(String issuer) {
      return claim("iss", requireNonNull(issuer, "issuer"));
    }

    /** Sets {@code aud}: one audience as a string, several as an array. */
    public TokenBuilder audience(String... audiences) {
      if (audiences.length == 0) {
        throw new IllegalArgumentException("audiences: none (expected: at least one)");
      }
      return claim("aud", audiences.length == 1 ? audiences[0] : List.of(audiences));
    }

    /** Sets {@code exp} to the provider's clock plus {@code lifetime}. */
    public TokenBuilder expiresIn(Duration lifetime) {
      return expiresAt(idp.clock.instant().plus(requireNonNull(lifetime, "lifetime")));
    }

    /** Sets {@code exp}. */
    public TokenBuilder expiresAt(Instant expiry) {
      return claim("exp", requireNonNull(expiry, "expiry").getEpochSecond());
    }

    /** Sets {@code nbf}. */
    public TokenBuilder notBefore(Instant notBefore) {
      return claim("nbf", requireNonNull(notBefore, "notBefore").getEpochSecond());
    }

    /** Sets {@code iat}. */
    public TokenBuilder issuedAt(Instant issuedAt) {
      return claim("iat", requireNonNull(issuedAt, "issuedAt").getEpochSecond());
    }

    /**
     * Sets claim {@code name} to {@code value} (a string, number, boolean, list, map, or an
     * {@link Instant}, written as epoch seconds), or removes it when {@code value} is null:
     * {@code claim("exp", null)} mints a token without expiry.
     */
    public TokenBuilder claim(String name, @Nullable Object value) {
      requireNonNull(name, "name");
      if (value == null) {
        claims.remove(name);
      } else {
        claims.put(name, value);
      }
      return this;
    }

    /** Signs with the provider's key for {@code algorithm} instead of its default. */
    public TokenBuilder algorithm(TokenAlgorithm algorithm) {
      this.algorithm = requireNonNull(algorithm, "algorithm");
      return this;
    }

    /** Puts {@code kid} in the header instead of the signing key's own id. */
    public TokenBuilder keyId(String kid) {
      this.keyId = requireNonNull(kid, "kid");
      return this;
    }

    /** Adds a custom header parameter (not one JOSE defines, such as {@code alg} or {@code crit}). */
    public TokenBuilder header(String name, Object value) {
      requireNonNull(name, "name");
      requireNonNull(value, "value");
      if (JWSHeader.getRegisteredParameterNames().contains(name)) {
        throw new IllegalArgumentException("header: " + name + " is a registered JOSE parameter (expected: a custom one)");
      }
      headerParams.put(name, value);
      return this;
    }

    /** Returns the compact serialization of the signed token. */
    public String sign() {
      JWK key = idp.key(algorithm);
      JWSHeader.Builder header = new JWSHeader.Builder(jwsAlgorithm(algorithm)).keyID(keyId != null ? keyId : key.getKeyID());
      headerParams.forEach(header::customParam);
      return FakeIdentityProvider.sign(key, header.build(), claimsSet());
    }

    private static Date date(String name, Object value) {
      if (value instanceof Instant instant) {
        return Date.from(instant);
      } else if (value instanceof Number seconds) {
        return Date.from(Instant.ofEpochSecond(seconds.longValue()));
      }
      throw new IllegalStateException("claim " + name + ": " + value + " (expected: an Instant or epoch seconds)");
    }

    JWTClaimsSet claimsSet() {
      JWTClaimsSet.Builder set = new JWTClaimsSet.Builder();
      claims.forEach((name, value) -> {
        if (value != null) {
          switch (name) {
            case "exp", "nbf", "iat" -> set.claim(name, date(name, value));
            default -> set.claim(name, value instanceof Instant instant ? instant.getEpochSecond() : value);
          }
        }
      });
      return set.build();
    }
  }
}
