package dev.portico.gateway.auth.jwt;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JWK set fetched from a URL (given, or found by OpenID Connect discovery) and cached.
 *
 * <ul>
 *   <li>The first token fetches the keys; tokens arriving meanwhile wait for that same fetch.
 *   <li>Keys older than {@code cacheTtl} are refreshed in the background while they go on serving.
 *   <li>A token naming an unknown key waits for a fetch: the one in flight if there is one, else a
 *       new one. Only fetches that unknown keys cause are rate-limited, among themselves: one starts
 *       unless another unknown key caused one less than {@code minRefreshInterval} ago. Fetches for
 *       other reasons (first use, age, retries) do not count, so the first unknown key after them
 *       fetches at once and a key the provider rotated in just after a fetch is accepted on first
 *       sight; a flood of made-up {@code kid}s costs at most one fetch per interval, and between
 *       such fetches tokens naming unknown keys are refused at once. A token that joined a fetch
 *       made for another reason which did not bring its key may start one fetch of its own, under
 *       the same rule.
 *   <li>A failed fetch (unreachable, not 200, too large, not a JWK set, no usable key) keeps the last
 *       good keys, for up to {@code outageGrace} after they were fetched. With no good keys at all,
 *       tokens cannot be checked: {@link #keysFor} completes empty (503), and fetches are retried no
 *       more often than once per {@code minRefreshInterval}.
 *   <li>The discovery document is part of the fetch: read on the first one, kept, and read again on
 *       the fetch after a failed one (the key set may have moved). The same rules cover it.
 * </ul>
 *
 * <p>Nothing blocks: waiting requests continue when the fetch completes, on the client's thread, or
 * when {@code waitLimit} has passed, whichever is first; then they go on with the keys there are
 * (a token whose key is still unknown is refused, and with no keys at all the answer is 503). Mutable
 * state is a snapshot reference read without a lock, and a small lock that only decides whether a
 * fetch starts.
 */
final class RemoteKeySource implements KeySource {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteKeySource.class);
  /** The largest JWK set accepted. */
  static final int MAX_JWKS_BYTES = 512 * 1024;
  /** The largest OpenID provider configuration accepted. */
  static final int MAX_DISCOVERY_BYTES = 64 * 1024;

  /**
   * When keys are fetched: refreshed in the background after {@code cacheTtl}; fetched for unknown
   * keys at most once per {@code minRefreshInterval}, and retried after failures as often; kept for
   * {@code outageGrace} while fetches fail; waited for at most {@code waitLimit}.
   */
  record Timing(Duration cacheTtl, Duration minRefreshInterval, Duration outageGrace, Duration waitLimit) {}

  /** Keys and when they were fetched. */
  private record Snapshot(KeySet keys, Instant fetchedAt) {}

  /**
   * A fetch in flight: {@code ready} completes (always normally) once {@link #current} was updated,
   * or once the wait limit passed; {@code forUnknownKey} tells whether a token's unknown key caused it.
   */
  private record Fetch(CompletableFuture<Void> ready, boolean forUnknownKey) {}

  private final JwksClient client;
  private final @Nullable URI configuredJwksUri;
  private final @Nullable String discoveryIssuer;
  private final Clock clock;
  private final Timing timing;

  private volatile @Nullable Snapshot current;
  private volatile @Nullable URI discoveredJwksUri;
  // Guarded by this.
  private @Nullable Fetch inFlight;
  /** When the last fetch of any kind started. */
  private @Nullable Instant lastAttempt;
  /** When the last fetch an unknown key caused started. */
  private @Nullable Instant lastUnknownKeyFetch;

  private RemoteKeySource(JwksClient client, @Nullable URI jwksUri, @Nullable String discoveryIssuer, Clock clock,
      Timing timing) {
    this.client = client;
    this.configuredJwksUri = jwksUri;
    this.discoveryIssuer = discoveryIssuer;
    this.clock = clock;
    this.timing = timing;
  }

  /** Keys from the JWK set at {@code jwksUri}. */
  static RemoteKeySource jwksUri(JwksClient client, URI jwksUri, Clock clock, Timing timing) {
    return new RemoteKeySource(client, jwksUri, null, clock, timing);
  }

  /** Keys from the JWK set that {@code issuer}'s OpenID provider configuration names. */
  static RemoteKeySource discovery(JwksClient client, String issuer, Clock clock, Timing timing) {
    return new RemoteKeySource(client, null, issuer, clock, timing);
  }

  /** Returns the OpenID provider configuration URL of {@code issuer} (OpenID Connect Discovery 1.0, 4). */
  static URI discoveryUri(String issuer) {
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    return URI.create(base + "/.well-known/openid-configuration");
  }

  @Override
  public CompletionStage<Optional<KeySet>> keysFor(JWSHeader header) {
    Instant now = clock.instant();
    Snapshot snapshot = current;
    if (snapshot == null || pastGrace(snapshot, now)) {
      Fetch fetch = fetch(now, false);
      return fetch == null ? CompletableFuture.completedFuture(Optional.empty()) : after(fetch, header, null, true);
    }
    if (!now.isBefore(snapshot.fetchedAt().plus(timing.cacheTtl()))) {
      fetch(now, false); // in the background: this request goes on with the keys it has
    }
    if (!snapshot.keys().candidates(header).isEmpty()) {
      return CompletableFuture.completedFuture(Optional.of(snapshot.keys()));
    }
    Fetch fetch = fetch(now, true);
    if (fetch == null) {
      // An unknown key caused a fetch too recently to try again: the verifier refuses the token.
      return CompletableFuture.completedFuture(Optional.of(snapshot.keys()));
    }
    return after(fetch, header, snapshot.keys(), true);
  }

  /**
   * Returns the keys once {@code fetch} is done. When it was made for another reason and did not
   * bring the token's key, and {@code mayFetchAgain}, starts or joins one fetch for the unknown key
   * (under its rate limit) and waits for that too. Falls back to {@code fallback} when the keys are
   * no longer usable (the fetch failed and the grace ran out meanwhile).
   */
  private CompletionStage<Optional<KeySet>> after(Fetch fetch, JWSHeader header, @Nullable KeySet fallback,
      boolean mayFetchAgain) {
    return fetch.ready().thenCompose(done -> {
      Optional<KeySet> keys = usableKeys();
      if (mayFetchAgain && !fetch.forUnknownKey() && keys.isPresent() && keys.get().candidates(header).isEmpty()) {
        Fetch next = fetch(clock.instant(), true);
        if (next != null && next != fetch) {
          return after(next, header, fallback, false);
        }
      }
      return CompletableFuture.completedFuture(keys.isEmpty() && fallback != null ? Optional.of(fallback) : keys);
    });
  }

  @Override
  public boolean trusts(String thumbprint) {
    Snapshot snapshot = current;
    return snapshot != null && !pastGrace(snapshot, clock.instant()) && snapshot.keys().contains(thumbprint);
  }

  private Optional<KeySet> usableKeys() {
    Snapshot snapshot = current;
    return snapshot == null || pastGrace(snapshot, clock.instant()) ? Optional.empty() : Optional.of(snapshot.keys());
  }

  private boolean pastGrace(Snapshot snapshot, Instant now) {
    return now.isAfter(snapshot.fetchedAt().plus(timing.outageGrace()));
  }

  /**
   * Returns the fetch in flight, or starts one, or returns null when the rate limit says not yet:
   * for an unknown key ({@code forUnknownKey}), when the last fetch an unknown key caused started
   * less than {@code minRefreshInterval} ago; for any other reason, when any fetch started less
   * than {@code minRefreshInterval} ago (then the keys are fresh, or that fetch failed and this
   * would be a retry). A fetch for another reason thus always starts at least an interval after
   * the last one an unknown key caused, and never holds back the next one.
   */
  private @Nullable Fetch fetch(Instant now, boolean forUnknownKey) {
    Fetch started;
    synchronized (this) {
      if (inFlight != null) {
        return inFlight;
      }
      Instant limitedBy = forUnknownKey ? lastUnknownKeyFetch : lastAttempt;
      if (limitedBy != null && now.isBefore(limitedBy.plus(timing.minRefreshInterval()))) {
        return null;
      }
      lastAttempt = now;
      if (forUnknownKey) {
        lastUnknownKeyFetch = now;
      }
      inFlight = started = new Fetch(new CompletableFuture<>(), forUnknownKey);
    }
    CompletableFuture<KeySet> fetching;
    try {
      fetching = jwksUri().thenCompose(uri -> client.get(uri, MAX_JWKS_BYTES).thenApply(RemoteKeySource::parseKeys));
    } catch (RuntimeException e) {
      fetching = CompletableFuture.failedFuture(e);
    }
    // Waiters go on after waitLimit even if the client never answers; the fetch itself runs on.
    Runnable cancelTimer = fetching.isDone() ? () -> {}
        : client.schedule(() -> started.ready().complete(null), timing.waitLimit());
    fetching.whenComplete((keys, failure) -> {
      try {
        if (keys != null) {
          current = new Snapshot(keys, clock.instant());
          if (LOG.isDebugEnabled()) {
            LOG.debug("fetched {} signature keys from {} ({} skipped){}", keys.size(), discoveredOrConfigured(),
                keys.skipped(), forUnknownKey ? " for an unknown key id" : "");
          }
        } else {
          // The JWK set may have moved: discover it again next time.
          discoveredJwksUri = null;
          Snapshot kept = current;
          LOG.warn("fetching the JWK set of {} failed ({}); {}", source(), reason(failure),
              kept == null ? "no keys to verify tokens with" : "keeping the keys fetched at " + kept.fetchedAt());
        }
      } finally {
        synchronized (this) {
          inFlight = null;
        }
        cancelTimer.run();
        started.ready().complete(null);
      }
    });
    return started;
  }

  private CompletableFuture<URI> jwksUri() {
    if (configuredJwksUri != null) {
      return CompletableFuture.completedFuture(configuredJwksUri);
    }
    URI known = discoveredJwksUri;
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    String issuer = java.util.Objects.requireNonNull(discoveryIssuer);
    return client.get(discoveryUri(issuer), MAX_DISCOVERY_BYTES).thenApply(body -> {
      URI uri = jwksUriFromConfiguration(issuer, body);
      discoveredJwksUri = uri;
      return uri;
    });
  }

  /** Reads {@code jwks_uri} from an OpenID provider configuration whose {@code issuer} must be {@code issuer}. */
  static URI jwksUriFromConfiguration(String issuer, String body) {
    Map<String, Object> configuration;
    try {
      configuration = JSONObjectUtils.parse(body, MAX_DISCOVERY_BYTES);
    } catch (ParseException e) {
      throw new IllegalStateException("the OpenID provider configuration is not a JSON object");
    }
    Object declared = configuration.get("issuer");
    if (!issuer.equals(declared)) {
      // OpenID Connect Discovery 1.0, 4.3: a mismatch means the document must not be used.
      throw new IllegalStateException("the OpenID provider configuration names issuer '" + declared
          + "', not the configured '" + issuer + "'");
    }
    if (!(configuration.get("jwks_uri") instanceof String jwksUri)) {
      throw new IllegalStateException("the OpenID provider configuration has no jwks_uri");
    }
    URI uri;
    try {
      uri = new URI(jwksUri);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("the OpenID provider configuration's jwks_uri is not a URI");
    }
    if (!"https".equalsIgnoreCase(uri.getScheme()) && !"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalStateException("the OpenID provider configuration's jwks_uri is not an http(s) URL");
    }
    return uri;
  }

  /** Parses a fetched JWK set; one without any usable signature key counts as a failed fetch. */
  static KeySet parseKeys(String body) {
    KeySet keys;
    try {
      keys = KeySet.of(JWKSet.parse(body));
    } catch (ParseException e) {
      throw new IllegalStateException("the response is not a JWK set");
    }
    if (keys.isEmpty()) {
      throw new IllegalStateException("the JWK set has no usable signature key (" + keys.skipped() + " skipped)");
    }
    return keys;
  }

  private String source() {
    return configuredJwksUri != null ? configuredJwksUri.toString() : "issuer " + discoveryIssuer;
  }

  private String discoveredOrConfigured() {
    URI uri = configuredJwksUri != null ? configuredJwksUri : discoveredJwksUri;
    return uri == null ? source() : uri.toString();
  }

  private static String reason(@Nullable Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  @Override
  public void close() {
    client.close();
  }
}
