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
 *   <li>A token naming an unknown key triggers a refresh, at most once per {@code minRefreshInterval}
 *       and shared by every request that needs it, so a flood of made-up {@code kid}s costs at most
 *       one fetch per interval; between refreshes such tokens are refused at once.
 *   <li>A failed fetch (unreachable, not 200, too large, not a JWK set, no usable key) keeps the last
 *       good keys, for up to {@code outageGrace} after they were fetched. With no good keys at all,
 *       tokens cannot be checked: {@link #keysFor} completes empty (503), and fetches are retried no
 *       more often than once per {@code minRefreshInterval}.
 * </ul>
 *
 * <p>Nothing blocks: waiting requests continue when the fetch completes, on the client's thread.
 * Mutable state is a snapshot reference read without a lock, and a small lock that only decides
 * whether a fetch starts.
 */
final class RemoteKeySource implements KeySource {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteKeySource.class);
  /** The largest JWK set accepted. */
  static final int MAX_JWKS_BYTES = 512 * 1024;
  /** The largest OpenID provider configuration accepted. */
  static final int MAX_DISCOVERY_BYTES = 64 * 1024;

  /** Keys and when they were fetched. */
  private record Snapshot(KeySet keys, Instant fetchedAt) {}

  private final JwksClient client;
  private final @Nullable URI configuredJwksUri;
  private final @Nullable String discoveryIssuer;
  private final Clock clock;
  private final Duration cacheTtl;
  private final Duration minRefreshInterval;
  private final Duration outageGrace;

  private volatile @Nullable Snapshot current;
  private volatile @Nullable URI discoveredJwksUri;
  // Guarded by this.
  private @Nullable CompletableFuture<Void> inFlight;
  private @Nullable Instant lastAttempt;

  private RemoteKeySource(JwksClient client, @Nullable URI jwksUri, @Nullable String discoveryIssuer, Clock clock,
      Duration cacheTtl, Duration minRefreshInterval, Duration outageGrace) {
    this.client = client;
    this.configuredJwksUri = jwksUri;
    this.discoveryIssuer = discoveryIssuer;
    this.clock = clock;
    this.cacheTtl = cacheTtl;
    this.minRefreshInterval = minRefreshInterval;
    this.outageGrace = outageGrace;
  }

  /** Keys from the JWK set at {@code jwksUri}. */
  static RemoteKeySource jwksUri(JwksClient client, URI jwksUri, Clock clock, Duration cacheTtl,
      Duration minRefreshInterval, Duration outageGrace) {
    return new RemoteKeySource(client, jwksUri, null, clock, cacheTtl, minRefreshInterval, outageGrace);
  }

  /** Keys from the JWK set that {@code issuer}'s OpenID provider configuration names. */
  static RemoteKeySource discovery(JwksClient client, String issuer, Clock clock, Duration cacheTtl,
      Duration minRefreshInterval, Duration outageGrace) {
    return new RemoteKeySource(client, null, issuer, clock, cacheTtl, minRefreshInterval, outageGrace);
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
    if (snapshot != null && !pastGrace(snapshot, now)) {
      if (!now.isBefore(snapshot.fetchedAt().plus(cacheTtl))) {
        refresh(now); // in the background: this request goes on with the keys it has
      }
      if (!snapshot.keys().candidates(header).isEmpty()) {
        return CompletableFuture.completedFuture(Optional.of(snapshot.keys()));
      }
      CompletableFuture<Void> refreshing = refresh(now);
      if (refreshing == null) {
        // Refreshed too recently to try again: the verifier refuses the unknown key.
        return CompletableFuture.completedFuture(Optional.of(snapshot.keys()));
      }
      return refreshing.thenApply(done -> Optional.of(usableKeys().orElse(snapshot.keys())));
    }
    CompletableFuture<Void> refreshing = refresh(now);
    if (refreshing == null) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return refreshing.thenApply(done -> usableKeys());
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
    return now.isAfter(snapshot.fetchedAt().plus(outageGrace));
  }

  /**
   * Starts a fetch unless one is running (then returns that one) or the last one started less than
   * {@code minRefreshInterval} ago (then returns null). The returned future always completes
   * normally, after {@link #current} was updated.
   */
  private @Nullable CompletableFuture<Void> refresh(Instant now) {
    CompletableFuture<Void> started;
    synchronized (this) {
      if (inFlight != null) {
        return inFlight;
      }
      if (lastAttempt != null && now.isBefore(lastAttempt.plus(minRefreshInterval))) {
        return null;
      }
      lastAttempt = now;
      inFlight = started = new CompletableFuture<>();
    }
    CompletableFuture<KeySet> fetch;
    try {
      fetch = jwksUri().thenCompose(uri -> client.get(uri, MAX_JWKS_BYTES).thenApply(RemoteKeySource::parseKeys));
    } catch (RuntimeException e) {
      fetch = CompletableFuture.failedFuture(e);
    }
    fetch.whenComplete((keys, failure) -> {
      try {
        if (keys != null) {
          current = new Snapshot(keys, clock.instant());
          if (LOG.isDebugEnabled()) {
            LOG.debug("fetched {} signature keys from {} ({} skipped)", keys.size(), discoveredOrConfigured(),
                keys.skipped());
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
        started.complete(null);
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
