package dev.portico.gateway.auth.jwt;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portico.gateway.Exchange;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.Challenge;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.internal.spi.OptionalLibrary;
import dev.portico.gateway.internal.syntax.HttpSyntax;
import java.net.URI;
import java.net.URISyntaxException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates requests by a signed JWT bearer token (RFC 6750, RFC 7519), with keys from a JWK set
 * URL, OpenID Connect discovery, a local JWK set, or a shared HMAC secret.
 *
 * <pre>{@code
 * JwtAuthenticator jwt = JwtAuthenticator.builder()
 *     .issuer("https://idp.example.com")      // discovery finds the JWK set
 *     .audience("orders-api")
 *     .build();
 * Gateway.builder().route("orders", r -> r.path("/orders/**").authenticator(jwt)
 *     .authorize(AccessRule.scopes("orders:read")).upstream("http://orders:8080"));
 * // ... and when the host shuts down:
 * jwt.close();
 * }</pre>
 *
 * <p>A token is accepted when it is a compact JWS whose algorithm is on the allow-list, whose
 * signature verifies with a configured or fetched key its {@code kid} names, and whose claims pass:
 * {@code exp} present and not passed, {@code nbf} and {@code iat} not in the future (each within the
 * clock skew), {@code iss} equal to the configured issuer, {@code aud} holding one of the configured
 * audiences, a {@code sub} (see {@link Builder#requireSubject(boolean)}), and any required claims. Keys are never taken from the token itself
 * ({@code jku}, {@code x5u}, {@code jwk}, {@code x5c} are ignored), HMAC algorithms are accepted only
 * with {@link Builder#hmacSecret(byte[])}, and {@code none} never.
 *
 * <p>Results: no token gives {@link AuthResult#noCredentials(Challenge...)} with a {@code Bearer}
 * challenge (so {@code jwt.orElse(apiKeys)} works); a bad token or a malformed {@code Authorization}
 * header is {@linkplain AuthResult#rejected rejected} with RFC 6750 {@code invalid_token} or
 * {@code invalid_request}; keys that cannot be fetched, with none cached, give
 * {@linkplain AuthResult#unavailable unavailable} (503).
 *
 * <p>Thread-safe, non-blocking: {@link #authenticate} completes at once, or when the key set it needs
 * has been fetched (one fetch at a time, shared by every request that needs it; see
 * {@link Builder#minRefreshInterval} for when a token naming an unknown key causes one), or at the
 * latest twice {@link Builder#fetchTimeout} later. Verified tokens are cached (by their SHA-256) until they expire. The JWK set
 * client's threads are started on first use; {@link #close()} stops them.
 */
public final class JwtAuthenticator implements Authenticator, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JwtAuthenticator.class);

  private final String description;
  private final TokenLocation location;
  private final int maxTokenSize;
  private final Challenge challenge;
  private final AuthResult noToken;
  private final AuthResult unavailable;
  private final JwsPolicy jws;
  private final KeySource keys;
  private final ClaimRules claimRules;
  private final IdentityMapping identityMapping;
  private final VerifiedTokenCache cache;
  private final Clock clock;
  private final AtomicLong signatureVerifications;

  private JwtAuthenticator(Builder b, KeySource keys, Set<JWSAlgorithm> algorithms, AtomicLong verifications,
      String description) {
    this.description = description;
    this.location = b.cookie != null ? TokenLocation.cookie(b.cookie)
        : b.header != null ? TokenLocation.header(b.header) : TokenLocation.authorizationHeader();
    this.maxTokenSize = b.maxTokenSize;
    this.challenge = Challenge.bearer(b.realm);
    this.noToken = AuthResult.noCredentials(challenge);
    this.unavailable = AuthResult.unavailable("The keys to check the token with cannot be fetched right now.");
    this.signatureVerifications = verifications;
    this.jws = new JwsPolicy(algorithms, verifications);
    this.keys = keys;
    this.claimRules = new ClaimRules(b.issuer, Set.copyOf(b.audiences), b.clockSkew, List.copyOf(b.requiredClaims),
        b.requireSubject);
    this.identityMapping = new IdentityMapping(b.rolesClaim, b.planClaim);
    this.cache = new VerifiedTokenCache(b.tokenCacheSize);
    this.clock = b.clock;
  }

  /** Returns a builder; exactly one key source (or an issuer alone, for discovery) must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns an authenticator for tokens from {@code issuer} (keys found by OpenID Connect discovery)
   * meant for {@code audience}, with every other setting at its default.
   */
  public static JwtAuthenticator forIssuer(String issuer, String audience) {
    return builder().issuer(issuer).audience(audience).build();
  }

  @Override
  public CompletionStage<AuthResult> authenticate(Exchange exchange) {
    String token;
    try {
      token = location.find(exchange.request().headers());
    } catch (TokenRejected e) {
      return done(rejected(exchange, e));
    }
    if (token == null) {
      return done(noToken);
    }
    try {
      if (token.length() > maxTokenSize) {
        throw TokenRejected.invalidToken("The token is too large.");
      }
      VerifiedTokenCache.Digest digest = cache.enabled() ? VerifiedTokenCache.digest(token) : null;
      VerifiedTokenCache.Entry hit = digest == null ? null : cache.get(digest);
      if (hit != null) {
        if (keys.trusts(hit.keyThumbprint())) {
          try {
            claimRules.checkTime(hit.expiresAt(), hit.notBefore(), clock.instant());
          } catch (TokenRejected e) {
            cache.remove(digest);
            throw e;
          }
          return done(AuthResult.authenticated(hit.identity()));
        }
        // The key that verified it left the key set: check the token afresh.
        cache.remove(digest);
      }
      SignedJWT jwt = jws.parse(token);
      JWTClaimsSet claims;
      try {
        claims = jwt.getJWTClaimsSet();
      } catch (ParseException | RuntimeException e) {
        throw TokenRejected.invalidToken("The token is malformed: its payload is not a JSON object of claims.");
      }
      return keys.keysFor(jwt.getHeader()).thenApply(found -> {
        if (found.isEmpty()) {
          return unavailable;
        }
        try {
          VerificationKey key = jws.verify(jwt, found.get());
          String subject = claimRules.check(claims, clock.instant());
          Identity identity = identityMapping.identity(subject, claims);
          if (digest != null) {
            Date nbf = claims.getNotBeforeTime();
            cache.put(digest, new VerifiedTokenCache.Entry(identity, claims.getExpirationTime().toInstant(),
                nbf == null ? null : nbf.toInstant(), key.thumbprint()));
          }
          return AuthResult.authenticated(identity);
        } catch (TokenRejected e) {
          return rejected(exchange, e);
        }
      });
    } catch (TokenRejected e) {
      return done(rejected(exchange, e));
    }
  }

  private AuthResult rejected(Exchange exchange, TokenRejected e) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} bearer token refused: {}", exchange.requestId(), e.getMessage());
    }
    return e.toResult(challenge);
  }

  private static CompletionStage<AuthResult> done(AuthResult result) {
    return CompletableFuture.completedFuture(result);
  }

  /** Returns how many signature verifications were attempted; a verified-token cache hit does none. */
  long signatureVerifications() {
    return signatureVerifications.get();
  }

  /** Stops the JWK set client, if one was started. Tokens presented afterwards that need keys fetched answer 503. */
  @Override
  public void close() {
    keys.close();
  }

  @Override
  public String toString() {
    return "JwtAuthenticator{" + description + ", token from " + location.describe() + "}";
  }

  /**
   * Builds a {@link JwtAuthenticator}. Set exactly one key source: {@link #jwksUri}, {@link #jwkSet},
   * {@link #hmacSecret}, or only {@link #issuer} for OpenID Connect discovery. {@link #build()}
   * checks every setting and names the one at fault.
   */
  public static final class Builder {
    private static final int DEFAULT_MAX_TOKEN_SIZE = 8 * 1024;
    private static final int DEFAULT_TOKEN_CACHE_SIZE = 10_000;
    private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    private @Nullable String jwksUri;
    private @Nullable String jwkSet;
    private byte @Nullable [] hmacSecret;
    private @Nullable String issuer;
    private @Nullable List<String> algorithms;
    private final List<String> audiences = new ArrayList<>();
    private final List<String> requiredClaims = new ArrayList<>();
    private boolean requireSubject = true;
    private Duration clockSkew = Duration.ofSeconds(60);
    private String rolesClaim = "roles";
    private @Nullable String planClaim;
    private @Nullable String cookie;
    private @Nullable String header;
    private int maxTokenSize = DEFAULT_MAX_TOKEN_SIZE;
    private String realm = "api";
    private Duration cacheTtl = Duration.ofMinutes(5);
    private Duration minRefreshInterval = Duration.ofSeconds(30);
    private Duration outageGrace = Duration.ofHours(24);
    private Duration fetchTimeout = Duration.ofSeconds(5);
    private int tokenCacheSize = DEFAULT_TOKEN_CACHE_SIZE;
    private Clock clock = Clock.systemUTC();

    Builder() {}

    /** Fetches verification keys from the JWK set at {@code uri} (an {@code https} URL in production). */
    public Builder jwksUri(String uri) {
      this.jwksUri = requireNonNull(uri, "jwksUri");
      return this;
    }

    /** Verifies with the public keys of the JWK set {@code json} (RFC 7517 5) instead of fetching them. */
    public Builder jwkSet(String json) {
      this.jwkSet = requireNonNull(json, "jwkSet");
      return this;
    }

    /** Verifies HS256 (and, with algorithms(..), HS384/HS512) tokens with a shared secret of at least 32 bytes. */
    public Builder hmacSecret(byte[] secret) {
      this.hmacSecret = requireNonNull(secret, "hmacSecret").clone();
      return this;
    }

    /**
     * Requires {@code iss} to equal {@code issuer} exactly. Given without another key source, also
     * finds the keys by OpenID Connect discovery: {@code issuer + "/.well-known/openid-configuration"},
     * whose {@code issuer} must match and whose {@code jwks_uri} is then fetched.
     */
    public Builder issuer(String issuer) {
      this.issuer = requireNonNull(issuer, "issuer");
      return this;
    }

    /**
     * Sets the accepted signature algorithms, replacing the default (RS256, ES256 and EdDSA for
     * public keys; HS256 for a secret). Supported: RS256/384/512, PS256/384/512, ES256/384/512, EdDSA,
     * Ed25519 with public keys; HS256/384/512 with {@link #hmacSecret} only. {@code none} never.
     *
     * <p>EdDSA and Ed25519 need {@code com.google.crypto.tink:tink} on the class path, an optional
     * dependency of gateway-impl: without it, {@link #build()} refuses them by name, and the
     * default is RS256 and ES256 (tokens signed otherwise are refused, and Ed25519 keys in a key
     * set are left unused).
     */
    public Builder algorithms(String... algorithms) {
      this.algorithms = List.of(algorithms);
      return this;
    }

    /** Requires the token's {@code aud} to contain at least one of {@code audiences}. */
    public Builder audience(String... audiences) {
      this.audiences.addAll(List.of(audiences));
      return this;
    }

    /** Sets how far token times may be off the gateway's clock (default 60 s, at most 5 minutes). */
    public Builder clockSkew(Duration skew) {
      this.clockSkew = requireNonNull(skew, "clockSkew");
      return this;
    }

    /** Requires the token to carry every one of {@code claims}, with a non-null value. */
    public Builder requiredClaims(String... claims) {
      this.requiredClaims.addAll(List.of(claims));
      return this;
    }

    /**
     * Sets whether a token must carry {@code sub} (default {@code true}: a token without one is
     * refused with 401 {@code invalid_token}). RFC 7519 makes {@code sub} optional, and
     * client-credentials tokens often lack it; with {@code false}, such a token's
     * {@link Identity#subject()} is its {@code client_id}, else its {@code azp}, and a token with
     * none of the three is still refused. A client id can equal a user's id: an access rule that
     * tells them apart reads the claims ({@code identity.claim("sub")}).
     *
     * <pre>{@code
     * JwtAuthenticator.builder().issuer("https://idp.example.com").audience("orders-api")
     *     .requireSubject(false)                 // machine clients: subject from client_id or azp
     *     .build();
     * }</pre>
     */
    public Builder requireSubject(boolean required) {
      this.requireSubject = required;
      return this;
    }

    /**
     * Reads the identity's roles from the claim at {@code path}: a name, or dot-separated names into
     * nested objects ({@code realm_access.roles}); an array of strings, or one string. Default {@code roles}.
     */
    public Builder rolesClaim(String path) {
      this.rolesClaim = requireNonNull(path, "rolesClaim");
      return this;
    }

    /** Reads the identity's plan (used by rate limiting) from the claim at {@code path}. */
    public Builder planClaim(String path) {
      this.planClaim = requireNonNull(path, "planClaim");
      return this;
    }

    /** Reads the token from cookie {@code name} instead of {@code Authorization: Bearer}. */
    public Builder tokenFromCookie(String name) {
      this.cookie = requireNonNull(name, "tokenFromCookie");
      return this;
    }

    /** Reads the bare token from header {@code name} instead of {@code Authorization: Bearer}. */
    public Builder tokenFromHeader(String name) {
      this.header = requireNonNull(name, "tokenFromHeader");
      return this;
    }

    /** Refuses tokens longer than {@code characters} before parsing them (default 8 KiB). */
    public Builder maxTokenSize(int characters) {
      this.maxTokenSize = characters;
      return this;
    }

    /** Sets the {@code realm} of the {@code WWW-Authenticate: Bearer} challenge (default {@code api}). */
    public Builder realm(String realm) {
      this.realm = requireNonNull(realm, "realm");
      return this;
    }

    /** Refreshes fetched keys in the background once they are older than {@code ttl} (default 5 minutes). */
    public Builder cacheTtl(Duration ttl) {
      this.cacheTtl = requireNonNull(ttl, "cacheTtl");
      return this;
    }

    /**
     * Limits the key set fetches that tokens naming unknown keys cause to one per {@code interval},
     * counted among themselves (default 30 s). The first-use fetch and {@link #cacheTtl} refreshes do
     * not count, so a key the identity provider rotated in just after one of them is accepted on
     * first sight, while a flood of made-up key ids costs at most one fetch per interval. Failed
     * fetches are retried at most once per interval too.
     */
    public Builder minRefreshInterval(Duration interval) {
      this.minRefreshInterval = requireNonNull(interval, "minRefreshInterval");
      return this;
    }

    /** Keeps using the last fetched keys for {@code grace} after their fetch while fetches fail (default 24 h). */
    public Builder outageGrace(Duration grace) {
      this.outageGrace = requireNonNull(grace, "outageGrace");
      return this;
    }

    /**
     * Gives up on a key set or discovery fetch after {@code timeout} (default 5 s). A request waiting
     * for a fetch waits at most twice that (a discovery and a key set request), then goes on with the
     * keys there are: 401 if its key is still unknown, 503 if there are none.
     */
    public Builder fetchTimeout(Duration timeout) {
      this.fetchTimeout = requireNonNull(timeout, "fetchTimeout");
      return this;
    }

    /** Remembers up to {@code entries} verified tokens (default 10,000); 0 verifies every request anew. */
    public Builder tokenCacheSize(int entries) {
      this.tokenCacheSize = entries;
      return this;
    }

    /** Sets the clock token times and key ages are measured with (for tests). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Checks the settings and returns the authenticator. Does no I/O: a remote key set is fetched
     * when the first token needs it.
     *
     * @throws IllegalStateException naming the setting at fault
     */
    public JwtAuthenticator build() {
      int sources = (jwksUri != null ? 1 : 0) + (jwkSet != null ? 1 : 0) + (hmacSecret != null ? 1 : 0);
      if (sources > 1) {
        throw invalid("jwksUri, jwkSet and hmacSecret: " + sources + " set (expected: exactly one)");
      }
      if (sources == 0 && issuer == null) {
        throw invalid("no key source (expected: jwksUri, jwkSet, hmacSecret, or issuer for discovery)");
      }
      boolean secret = hmacSecret != null;
      Set<JWSAlgorithm> allowed = algorithms(secret);
      checkDuration("clockSkew", clockSkew, Duration.ZERO, MAX_CLOCK_SKEW);
      checkDuration("cacheTtl", cacheTtl, Duration.ofSeconds(1), Duration.ofDays(7));
      checkDuration("minRefreshInterval", minRefreshInterval, Duration.ZERO, Duration.ofHours(1));
      checkDuration("outageGrace", outageGrace, Duration.ZERO, Duration.ofDays(30));
      checkDuration("fetchTimeout", fetchTimeout, Duration.ofMillis(100), Duration.ofMinutes(1));
      if (maxTokenSize < 256 || maxTokenSize > 1024 * 1024) {
        throw invalid("maxTokenSize: " + maxTokenSize + " (expected: 256 to 1048576 characters)");
      }
      if (tokenCacheSize < 0) {
        throw invalid("tokenCacheSize: " + tokenCacheSize + " (expected: >= 0)");
      }
      if (cookie != null && header != null) {
        throw invalid("tokenFromCookie and tokenFromHeader: both set (expected: at most one)");
      }
      if (cookie != null && !isToken(cookie)) {
        throw invalid("tokenFromCookie: '" + cookie + "' (expected: a cookie name)");
      }
      if (header != null && !isToken(header)) {
        throw invalid("tokenFromHeader: '" + header + "' (expected: a header name)");
      }
      checkPath("rolesClaim", rolesClaim);
      if (planClaim != null) {
        checkPath("planClaim", planClaim);
      }
      checkNames("audience", audiences);
      checkNames("requiredClaims", requiredClaims);
      if (issuer != null && issuer.isBlank()) {
        throw invalid("issuer: blank");
      }

      AtomicLong verifications = new AtomicLong();
      KeySource keySource;
      String description;
      if (secret) {
        if (hmacSecret.length < 32) {
          throw invalid("hmacSecret: " + hmacSecret.length + " bytes (expected: >= 32)");
        }
        for (JWSAlgorithm alg : allowed) {
          int needed = alg.equals(JWSAlgorithm.HS512) ? 64 : alg.equals(JWSAlgorithm.HS384) ? 48 : 32;
          if (hmacSecret.length < needed) {
            throw invalid("hmacSecret: " + hmacSecret.length + " bytes, too short for " + alg + " (expected: >= " + needed + ")");
          }
        }
        keySource = KeySource.fixed(KeySet.hmac(hmacSecret));
        description = "HMAC secret";
      } else if (jwkSet != null) {
        KeySet set;
        JWKSet parsed;
        try {
          parsed = JWKSet.parse(jwkSet);
        } catch (ParseException e) {
          throw invalid("jwkSet: not a JWK set (" + e.getMessage() + ")");
        }
        if (parsed.getKeys().stream().anyMatch(k -> k.getKeyType() == com.nimbusds.jose.jwk.KeyType.OCT)) {
          throw invalid("jwkSet: contains a symmetric (oct) key (expected: public keys; use hmacSecret for a secret)");
        }
        set = KeySet.of(parsed);
        if (set.isEmpty() && !OptionalLibrary.TINK.isPresent()
            && parsed.getKeys().stream().anyMatch(k -> k.getKeyType() == com.nimbusds.jose.jwk.KeyType.OKP)) {
          throw invalid("jwkSet: " + OptionalLibrary.TINK.missing("an Ed25519 key"));
        }
        if (set.isEmpty()) {
          throw invalid("jwkSet: no usable signature key (" + set.skipped() + " skipped: encryption keys, "
              + "RSA under 2048 bits, unsupported curves or alg)");
        }
        keySource = KeySource.fixed(set);
        description = "local JWK set of " + set.size() + " keys";
      } else if (jwksUri != null) {
        URI uri = httpUri("jwksUri", jwksUri);
        keySource = RemoteKeySource.jwksUri(new JwksClient(fetchTimeout), uri, clock, timing());
        description = "JWK set " + uri;
      } else {
        String iss = requireNonNull(issuer);
        httpUri("issuer", iss);
        keySource = RemoteKeySource.discovery(new JwksClient(fetchTimeout), iss, clock, timing());
        description = "discovery from " + iss;
      }
      return new JwtAuthenticator(this, keySource, allowed, verifications,
          description + (issuer == null ? "" : ", issuer " + issuer) + ", algorithms " + allowed);
    }

    /** Waiting for a fetch is bounded by what a discovery and a key set request may take together. */
    private RemoteKeySource.Timing timing() {
      return new RemoteKeySource.Timing(cacheTtl, minRefreshInterval, outageGrace, fetchTimeout.multipliedBy(2));
    }

    private Set<JWSAlgorithm> algorithms(boolean secret) {
      // EdDSA is a default only where Nimbus can verify it: with Tink, an optional dependency.
      List<String> names = algorithms != null ? algorithms
          : secret ? List.of("HS256")
          : OptionalLibrary.TINK.isPresent() ? List.of("RS256", "ES256", "EdDSA") : List.of("RS256", "ES256");
      if (names.isEmpty()) {
        throw invalid("algorithms: empty");
      }
      Set<JWSAlgorithm> allowed = new LinkedHashSet<>();
      for (String name : names) {
        requireNonNull(name, "algorithms");
        if (name.equalsIgnoreCase("none")) {
          throw invalid("algorithms: 'none' is never accepted");
        }
        JWSAlgorithm alg = JWSAlgorithm.parse(name);
        if (JwsPolicy.HMAC_ALGORITHMS.contains(alg)) {
          if (!secret) {
            throw invalid("algorithms: " + name + " needs hmacSecret (HMAC algorithms are never accepted with public keys)");
          }
        } else if (JwsPolicy.PUBLIC_KEY_ALGORITHMS.contains(alg)) {
          if (secret) {
            throw invalid("algorithms: " + name + " is a public-key algorithm (expected with hmacSecret: HS256, HS384, HS512)");
          }
          if (JwsPolicy.TINK_ALGORITHMS.contains(alg) && !OptionalLibrary.TINK.isPresent()) {
            throw invalid("algorithms: " + OptionalLibrary.TINK.missing(name));
          }
        } else {
          throw invalid("algorithms: '" + name + "' is not supported (expected: "
              + String.join(", ", supported()) + ")");
        }
        allowed.add(alg);
      }
      return Set.copyOf(allowed);
    }

    private static List<String> supported() {
      return List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
          "Ed25519", "HS256", "HS384", "HS512");
    }

    private static URI httpUri(String field, String value) {
      URI uri;
      try {
        uri = new URI(value);
      } catch (URISyntaxException e) {
        throw invalid(field + ": '" + value + "' is not a URI");
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
        throw invalid(field + ": '" + value + "' (expected: an absolute https:// URL)");
      }
      return uri;
    }

    private static void checkDuration(String field, Duration value, Duration min, Duration max) {
      if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
        throw invalid(field + ": " + value + " (expected: " + min + " to " + max + ")");
      }
    }

    private static void checkPath(String field, String path) {
      if (path.isEmpty() || Arrays.stream(path.split("\\.", -1)).anyMatch(String::isEmpty)) {
        throw invalid(field + ": '" + path + "' (expected: a claim name or dot-separated names)");
      }
    }

    private static void checkNames(String field, List<String> names) {
      for (String name : names) {
        if (name == null || name.isEmpty()) {
          throw invalid(field + ": an empty or null value");
        }
      }
    }

    /** Returns whether {@code name} is an HTTP token, as header and cookie names must be. */
    private static boolean isToken(String name) {
      return HttpSyntax.isToken(name);
    }

    private static IllegalStateException invalid(String message) {
      return new IllegalStateException("JwtAuthenticator: " + message);
    }
  }
}
