package dev.portico.gateway.auth.introspection;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.UpstreamTls;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.Challenge;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.internal.proxy.ClientTls;
import dev.portico.gateway.internal.proxy.UndecodedContent;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.FormRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Authenticates bearer tokens by asking the authorization server's introspection endpoint
 * (RFC 7662) whether they are active, for opaque tokens that cannot be verified locally.
 *
 * <pre>{@code
 * IntrospectionAuthenticator introspection = IntrospectionAuthenticator
 *     .builder("https://idp.example.com/oauth2/introspect")
 *     .clientCredentials("gateway", secret)
 *     .audience("orders-api")
 *     .build();
 * Gateway.builder().authenticator(introspection);
 * // on shutdown: introspection.close();
 * }</pre>
 *
 * <p>Each token is sent as {@code token=...&token_type_hint=access_token} in a form POST, with the
 * gateway's client credentials in HTTP Basic (RFC 6749 2.3.1), asynchronously: no thread waits for
 * the answer. The authenticator owns a small Jetty {@link HttpClient} on daemon threads, started on
 * the first request and stopped by {@link #close()}.
 *
 * <p>Outcomes: no {@code Authorization: Bearer} header is no credentials with a
 * {@code Bearer realm="..."} challenge; a malformed header, or more than one, is rejected with
 * {@code invalid_request}; {@code "active": false}, a wrong audience or issuer, or no subject is
 * rejected with {@code invalid_token}; an endpoint that is down, slow, answers other than 200,
 * answers more than {@link Builder#maxResponseBytes} or anything but a JSON object with a boolean
 * {@code active} is {@link AuthResult#unavailable(String) unavailable} (503): the gateway cannot
 * tell, so it neither lets the request in nor calls the client's token bad.
 *
 * <p>An active token becomes an identity with method {@code introspection}: subject from
 * {@code sub}, else {@code username}, else {@code client_id}; issuer from {@code iss}; scopes from
 * {@code scope}; every member of the answer as claims. Answers are cached per token (by its
 * SHA-256, never the token itself): active ones until {@code exp} but at most
 * {@link Builder#cacheTtl}, refusals for {@link Builder#negativeCacheTtl}, each cache holding at
 * most {@link Builder#cacheSize} tokens. Concurrent requests with the same uncached token share one
 * call. Thread-safe.
 */
public final class IntrospectionAuthenticator implements Authenticator, AutoCloseable {
  /** The identity method, {@code introspection}. */
  public static final String METHOD = "introspection";

  private static final Logger LOG = LoggerFactory.getLogger(IntrospectionAuthenticator.class);
  private static final Pattern B64_TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
  private static final int MAX_TOKEN_LENGTH = 8192;
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private final URI endpoint;
  private final String clientAuthorization;
  private final String realm;
  private final @Nullable String audience;
  private final @Nullable String issuer;
  private final Duration cacheTtl;
  private final Duration negativeCacheTtl;
  private final Duration timeout;
  private final int maxResponseBytes;
  private final @Nullable UpstreamTls tls;
  private final Clock clock;
  private final AuthResult missing;
  private final TokenCache active;
  private final TokenCache refused;
  private final ConcurrentHashMap<String, CompletableFuture<AuthResult>> inFlight = new ConcurrentHashMap<>();

  private final Object lifecycle = new Object();
  private @Nullable HttpClient client;
  private boolean closed;

  private IntrospectionAuthenticator(Builder b, String clientAuthorization) {
    this.endpoint = b.endpoint;
    this.clientAuthorization = clientAuthorization;
    this.realm = b.realm;
    this.audience = b.audience;
    this.issuer = b.issuer;
    this.cacheTtl = b.cacheTtl;
    this.negativeCacheTtl = b.negativeCacheTtl;
    this.timeout = b.timeout;
    this.maxResponseBytes = b.maxResponseBytes;
    this.tls = b.tls;
    this.clock = b.clock;
    this.missing = AuthResult.noCredentials(Challenge.bearer(realm));
    this.active = new TokenCache(b.cacheSize);
    this.refused = new TokenCache(b.cacheSize);
  }

  /** Returns a builder for the introspection endpoint at {@code endpoint} (an absolute http or https URI). */
  public static Builder builder(String endpoint) {
    return new Builder(endpoint);
  }

  @Override
  public CompletionStage<AuthResult> authenticate(Exchange exchange) {
    List<String> authorizations = exchange.request().headers().all("Authorization");
    if (authorizations.stream().noneMatch(IntrospectionAuthenticator::isBearer)) {
      return CompletableFuture.completedFuture(missing);
    }
    if (authorizations.size() > 1) {
      return done(rejected("invalid_request", "Send exactly one Authorization header."));
    }
    String token = authorizations.get(0).substring("Bearer".length()).strip();
    if (token.length() > MAX_TOKEN_LENGTH || !B64_TOKEN.matcher(token).matches()) {
      return done(rejected("invalid_request", "The bearer token is malformed."));
    }
    String key = sha256(token);
    long now = clock.millis();
    AuthResult cached = active.get(key, now);
    if (cached == null) {
      cached = refused.get(key, now);
    }
    if (cached != null) {
      return done(cached);
    }
    CompletableFuture<AuthResult> mine = new CompletableFuture<>();
    CompletableFuture<AuthResult> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      return running.copy();
    }
    introspect(exchange.requestId(), token).whenComplete((result, failure) -> {
      AuthResult answer = failure == null ? result.result() : unavailable(exchange.requestId(), failure);
      if (failure == null && result.ttlMillis() > 0) {
        (answer.kind() == AuthResult.Kind.AUTHENTICATED ? active : refused).put(key, answer, clock.millis() + result.ttlMillis());
      }
      inFlight.remove(key, mine);
      mine.complete(answer);
    });
    return mine.copy();
  }

  /** An answer and how long it may be cached (0: not at all). */
  private record Answer(AuthResult result, long ttlMillis) {}

  private CompletableFuture<Answer> introspect(String requestId, String token) {
    HttpClient http;
    try {
      http = client();
    } catch (Exception e) {
      return CompletableFuture.completedFuture(new Answer(unavailable(requestId, e), 0));
    }
    Fields form = new Fields();
    form.put("token", token);
    form.put("token_type_hint", "access_token");
    Request request = http.newRequest(endpoint)
        .method(HttpMethod.POST)
        .headers(h -> h.put(HttpHeader.AUTHORIZATION, clientAuthorization).put(HttpHeader.ACCEPT, "application/json"))
        .body(new FormRequestContent(form, StandardCharsets.UTF_8))
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    return new CompletableResponseListener(request, maxResponseBytes).send()
        .handle((response, failure) -> failure != null
            ? new Answer(unavailable(requestId, failure), 0)
            : interpret(requestId, response));
  }

  private Answer interpret(String requestId, ContentResponse response) {
    if (response.getStatus() != 200) {
      return new Answer(unavailable(requestId, "status " + response.getStatus()), 0);
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.getContent());
    } catch (JacksonException e) {
      return new Answer(unavailable(requestId, "unreadable JSON"), 0);
    }
    if (body == null || !body.isObject() || body.get("active") == null || !body.get("active").isBoolean()) {
      return new Answer(unavailable(requestId, "not an introspection response"), 0);
    }
    long negativeTtl = negativeCacheTtl.toMillis();
    if (!body.get("active").booleanValue()) {
      return new Answer(rejected("invalid_token", "The token is not active."), negativeTtl);
    }
    JsonNode exp = body.get("exp");
    if (exp != null && !exp.isNumber()) {
      return new Answer(unavailable(requestId, "non-numeric exp"), 0);
    }
    if (issuer != null && !issuer.equals(string(body, "iss"))) {
      return new Answer(rejected("invalid_token", "The token was not issued by the expected issuer."), negativeTtl);
    }
    if (audience != null && !audiences(body.get("aud")).contains(audience)) {
      return new Answer(rejected("invalid_token", "The token is not meant for this API."), negativeTtl);
    }
    String subject = firstNonBlank(string(body, "sub"), string(body, "username"), string(body, "client_id"));
    if (subject == null) {
      return new Answer(rejected("invalid_token", "The token has no subject."), negativeTtl);
    }
    String scope = string(body, "scope");
    @SuppressWarnings("unchecked")
    Map<String, Object> claims = JSON.treeToValue(body, LinkedHashMap.class);
    claims.values().removeIf(java.util.Objects::isNull);
    Identity identity = Identity.builder(subject)
        .method(METHOD)
        .issuer(string(body, "iss"))
        .scopes(scope == null ? Set.of() : List.of(scope.trim().split(" +")).stream().filter(s -> !s.isEmpty()).toList())
        .claims(claims)
        .build();
    long ttl = cacheTtl.toMillis();
    if (exp != null) {
      ttl = Math.min(ttl, (long) (exp.asDouble() * 1000) - clock.millis());
    }
    return new Answer(AuthResult.authenticated(identity), Math.max(ttl, 0));
  }

  private static @Nullable String string(JsonNode body, String name) {
    JsonNode value = body.get(name);
    return value != null && value.isString() ? value.stringValue() : null;
  }

  private static Set<String> audiences(@Nullable JsonNode aud) {
    if (aud == null) {
      return Set.of();
    }
    if (aud.isString()) {
      return Set.of(aud.stringValue());
    }
    java.util.HashSet<String> all = new java.util.HashSet<>();
    if (aud.isArray()) {
      for (JsonNode element : aud) {
        if (element.isString()) {
          all.add(element.stringValue());
        }
      }
    }
    return all;
  }

  private static @Nullable String firstNonBlank(@Nullable String... candidates) {
    for (String candidate : candidates) {
      if (candidate != null && !candidate.isBlank()) {
        return candidate;
      }
    }
    return null;
  }

  private AuthResult rejected(String error, String description) {
    return AuthResult.rejected(Challenge.bearer(realm).withError(error, description));
  }

  private AuthResult unavailable(String requestId, Object why) {
    Throwable cause = why instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause() : null;
    LOG.warn("{} token introspection at {} failed: {}", requestId, endpoint, cause != null ? cause : why);
    return AuthResult.unavailable("The token cannot be checked right now.");
  }

  private static boolean isBearer(String authorization) {
    return authorization.regionMatches(true, 0, "Bearer", 0, 6)
        && (authorization.length() == 6 || authorization.charAt(6) == ' ');
  }

  private static CompletionStage<AuthResult> done(AuthResult result) {
    return CompletableFuture.completedFuture(result);
  }

  private static String sha256(String token) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private HttpClient client() throws Exception {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException("closed");
      }
      if (client == null) {
        HttpClient created = newClient();
        UndecodedContent.start(created);
        client = created;
      }
      return client;
    }
  }

  private HttpClient newClient() {
    SslContextFactory.Client ssl = ClientTls.factory(tls);
    QueuedThreadPool threads = new QueuedThreadPool(8, 1);
    threads.setName("portico-introspection");
    threads.setDaemon(true);
    ClientConnector connector = new ClientConnector();
    connector.setSslContextFactory(ssl);
    connector.setExecutor(threads);
    connector.setScheduler(new ScheduledExecutorScheduler("portico-introspection-scheduler", true));
    connector.setSelectors(1);
    connector.setConnectTimeout(timeout);
    HttpClient http = new HttpClient(new HttpClientTransportOverHTTP(connector));
    http.setExecutor(threads);
    http.setScheduler(connector.getScheduler());
    http.setFollowRedirects(false);
    http.setHttpCookieStore(new HttpCookieStore.Empty());
    http.setConnectTimeout(timeout.toMillis());
    http.setIdleTimeout(30_000);
    return http;
  }

  /**
   * Stops the HTTP client; introspections in flight fail and later requests are answered 503.
   * Idempotent.
   */
  @Override
  public void close() {
    HttpClient stopping;
    synchronized (lifecycle) {
      closed = true;
      stopping = client;
      client = null;
    }
    if (stopping != null) {
      try {
        stopping.stop();
      } catch (Exception e) {
        LOG.warn("stopping the introspection client failed: {}", e.toString());
      }
    }
  }

  @Override
  public String toString() {
    return "IntrospectionAuthenticator{" + endpoint + "}";
  }

  /** A bounded, least-recently-used map from token hash to answer, with an expiry per entry. */
  private static final class TokenCache {
    private record Entry(AuthResult result, long expiresAtMillis) {}

    private final LinkedHashMap<String, Entry> entries;

    TokenCache(int maxSize) {
      this.entries = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
          return size() > maxSize;
        }
      };
    }

    synchronized @Nullable AuthResult get(String key, long nowMillis) {
      Entry entry = entries.get(key);
      if (entry == null) {
        return null;
      }
      if (entry.expiresAtMillis() <= nowMillis) {
        entries.remove(key);
        return null;
      }
      return entry.result();
    }

    synchronized void put(String key, AuthResult result, long expiresAtMillis) {
      entries.put(key, new Entry(result, expiresAtMillis));
    }
  }

  /** Builds an {@link IntrospectionAuthenticator}; {@link #build()} requires client credentials. */
  public static final class Builder {
    private final URI endpoint;
    private @Nullable String clientId;
    private @Nullable String clientSecret;
    private String realm = "api";
    private @Nullable String audience;
    private @Nullable String issuer;
    private Duration cacheTtl = Duration.ofMinutes(5);
    private Duration negativeCacheTtl = Duration.ofSeconds(10);
    private int cacheSize = 10_000;
    private Duration timeout = Duration.ofSeconds(5);
    private int maxResponseBytes = 64 * 1024;
    private @Nullable UpstreamTls tls;
    private Clock clock = Clock.systemUTC();

    Builder(String endpoint) {
      requireNonNull(endpoint, "endpoint");
      URI uri;
      try {
        uri = URI.create(endpoint);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("endpoint: " + e.getMessage());
      }
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
          || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
        throw new IllegalArgumentException("endpoint: " + endpoint + " (expected: an absolute http or https URI, no user info or fragment)");
      }
      this.endpoint = uri;
    }

    /** Authenticates the gateway to the endpoint with HTTP Basic {@code clientId:clientSecret} (required). */
    public Builder clientCredentials(String clientId, String clientSecret) {
      this.clientId = requireNonNull(clientId, "clientId");
      this.clientSecret = requireNonNull(clientSecret, "clientSecret");
      return this;
    }

    /** Sets the realm of the {@code Bearer} challenge (default {@code api}). */
    public Builder realm(String realm) {
      this.realm = requireNonNull(realm, "realm");
      return this;
    }

    /** Requires {@code aud} (a string or an array) to contain {@code audience}. */
    public Builder audience(String audience) {
      this.audience = requireNonNull(audience, "audience");
      return this;
    }

    /** Requires {@code iss} to equal {@code issuer}. */
    public Builder issuer(String issuer) {
      this.issuer = requireNonNull(issuer, "issuer");
      return this;
    }

    /** Caches an active token's identity for at most {@code ttl}, and never past its {@code exp} (default 5 minutes). */
    public Builder cacheTtl(Duration ttl) {
      this.cacheTtl = nonNegative(ttl, "cacheTtl");
      return this;
    }

    /** Caches refusals (inactive, wrong audience or issuer) for {@code ttl} (default 10 seconds; zero disables). */
    public Builder negativeCacheTtl(Duration ttl) {
      this.negativeCacheTtl = nonNegative(ttl, "negativeCacheTtl");
      return this;
    }

    /** Keeps at most {@code size} active and {@code size} refused tokens, dropping the least recently used (default 10,000). */
    public Builder cacheSize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("cacheSize: " + size + " (expected: > 0)");
      }
      this.cacheSize = size;
      return this;
    }

    /** Limits one introspection call, connecting included (default 5 seconds); past it the answer is 503. */
    public Builder timeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
      }
      this.timeout = timeout;
      return this;
    }

    /** Refuses (503) introspection answers longer than {@code bytes} (default 64 KiB). */
    public Builder maxResponseBytes(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxResponseBytes: " + bytes + " (expected: > 0)");
      }
      this.maxResponseBytes = bytes;
      return this;
    }

    /** Sets the trust store (and client certificate) for an https endpoint; the JDK defaults otherwise. */
    public Builder tls(UpstreamTls tls) {
      this.tls = requireNonNull(tls, "tls");
      return this;
    }

    /** Sets the clock that expires cache entries; for tests. */
    Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Returns the authenticator; it does no I/O until the first request.
     *
     * @throws IllegalStateException without client credentials
     */
    public IntrospectionAuthenticator build() {
      if (clientId == null || clientSecret == null) {
        throw new IllegalStateException("introspection " + endpoint + ": no clientCredentials(id, secret)");
      }
      String basic = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
          + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
      return new IntrospectionAuthenticator(this,
          "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
    }

    private static Duration nonNegative(Duration d, String name) {
      requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + ": " + d + " (expected: >= 0)");
      }
      return d;
    }
  }
}
