package dev.portico.gateway.auth.apikey;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.auth.ApiKeyRecord;
import dev.portico.gateway.auth.ApiKeyStore;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.Challenge;
import dev.portico.gateway.auth.Identity;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates requests by an API key in a header ({@code X-Api-Key} by default) or, when
 * configured, a query parameter, looked up in an {@link ApiKeyStore}.
 *
 * <pre>{@code
 * InMemoryApiKeyStore keys = InMemoryApiKeyStore.builder()
 *     .hashedKey("9f86d081884c7d65...", ApiKeyRecord.of("billing", Set.of("invoices:read")).withPlan("gold"))
 *     .build();
 * Gateway.builder().authenticator(ApiKeyAuthenticator.of(keys));
 * }</pre>
 *
 * <p>Outcomes: no key is {@link AuthResult#noCredentials(Challenge...) no credentials} with an
 * {@code ApiKey realm="..."} challenge; an empty key, a key sent twice or a malformed query is
 * rejected with {@code invalid_request}; an unknown key is rejected with {@code invalid_token};
 * a store that fails is {@link AuthResult#unavailable(String) unavailable} (503). The identity's
 * method is {@code api-key}, its subject the key's principal, and it carries the key's scopes and
 * plan. The key itself is never logged.
 *
 * <p>A route whose {@code IdentityForwarding} strips credentials removes the key header before
 * calling the upstream ({@link #credentialHeaders()}). A key in the query string travels on with
 * the rest of the query: prefer headers.
 */
public final class ApiKeyAuthenticator implements Authenticator {
  /** The default header, {@code X-Api-Key}. */
  public static final String DEFAULT_HEADER = "X-Api-Key";
  /** The default realm, {@code api}. */
  public static final String DEFAULT_REALM = "api";
  /** The identity method, {@code api-key}. */
  public static final String METHOD = "api-key";

  private static final Logger LOG = LoggerFactory.getLogger(ApiKeyAuthenticator.class);
  private static final int MAX_KEY_LENGTH = 1024;

  private final ApiKeyStore store;
  private final String header;
  private final @Nullable String queryParameter;
  private final String realm;
  private final AuthResult missing;

  private ApiKeyAuthenticator(Builder b) {
    this.store = b.store;
    this.header = b.header;
    this.queryParameter = b.queryParameter;
    this.realm = b.realm;
    this.missing = AuthResult.noCredentials(new Challenge("ApiKey", realm, null, null));
  }

  /** Reads the key from {@code X-Api-Key} and looks it up in {@code store}. */
  public static ApiKeyAuthenticator of(ApiKeyStore store) {
    return builder(store).build();
  }

  /** Returns a builder that looks keys up in {@code store}. */
  public static Builder builder(ApiKeyStore store) {
    return new Builder(store);
  }

  @Override
  public CompletionStage<AuthResult> authenticate(Exchange exchange) {
    HttpHeaders headers = exchange.request().headers();
    List<String> presented = new ArrayList<>(headers.all(header));
    if (queryParameter != null) {
      Optional<List<String>> fromQuery = queryValues(exchange.request().rawQuery().orElse(null), queryParameter);
      if (fromQuery.isEmpty()) {
        return invalidRequest("The query string is malformed.");
      }
      presented.addAll(fromQuery.get());
    }
    if (presented.isEmpty()) {
      return CompletableFuture.completedFuture(missing);
    }
    if (presented.size() > 1) {
      return invalidRequest("Send exactly one API key.");
    }
    String key = presented.get(0).strip();
    if (key.isEmpty()) {
      return invalidRequest("The API key is empty.");
    }
    if (key.length() > MAX_KEY_LENGTH) {
      return invalidToken();
    }
    CompletionStage<Optional<ApiKeyRecord>> found;
    try {
      found = store.find(key);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(storeFailed(exchange, e));
    }
    if (found == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("ApiKeyStore " + store + " returned a null stage"));
    }
    return found.handle((record, failure) -> {
      if (failure != null) {
        return storeFailed(exchange, failure);
      }
      if (record == null) {
        throw new IllegalStateException("ApiKeyStore " + store + " completed with null instead of Optional.empty()");
      }
      return record.map(ApiKeyAuthenticator::authenticated).orElseGet(() -> rejected("invalid_token", "The API key is not valid."));
    });
  }

  /** Returns the key header, which {@code IdentityForwarding.stripCredentials()} removes. */
  @Override
  public Set<String> credentialHeaders() {
    return Set.of(header);
  }

  private static AuthResult authenticated(ApiKeyRecord record) {
    return AuthResult.authenticated(Identity.builder(record.principal())
        .method(METHOD)
        .scopes(record.scopes())
        .plan(record.plan().orElse(null))
        .build());
  }

  private AuthResult storeFailed(Exchange exchange, Throwable failure) {
    LOG.warn("{} API key store failed: {}", exchange.requestId(), String.valueOf(failure));
    return AuthResult.unavailable("API keys cannot be checked right now.");
  }

  private CompletionStage<AuthResult> invalidRequest(String description) {
    return CompletableFuture.completedFuture(rejected("invalid_request", description));
  }

  private CompletionStage<AuthResult> invalidToken() {
    return CompletableFuture.completedFuture(rejected("invalid_token", "The API key is not valid."));
  }

  private AuthResult rejected(String error, String description) {
    return AuthResult.rejected(new Challenge("ApiKey", realm, error, description));
  }

  /** The decoded values of {@code name} in {@code rawQuery}; empty when the query is malformed. */
  static Optional<List<String>> queryValues(@Nullable String rawQuery, String name) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return Optional.of(List.of());
    }
    List<String> values = new ArrayList<>(1);
    try {
      for (String pair : rawQuery.split("&", -1)) {
        int eq = pair.indexOf('=');
        String rawName = eq < 0 ? pair : pair.substring(0, eq);
        if (URLDecoder.decode(rawName, StandardCharsets.UTF_8).equals(name)) {
          values.add(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return Optional.of(values);
  }

  @Override
  public String toString() {
    return "ApiKeyAuthenticator{header=" + header + (queryParameter == null ? "" : ", query=" + queryParameter)
        + ", realm=" + realm + "}";
  }

  /** Builds an {@link ApiKeyAuthenticator}. */
  public static final class Builder {
    private final ApiKeyStore store;
    private String header = DEFAULT_HEADER;
    private @Nullable String queryParameter;
    private String realm = DEFAULT_REALM;

    Builder(ApiKeyStore store) {
      this.store = requireNonNull(store, "store");
    }

    /** Reads the key from header {@code name} (default {@code X-Api-Key}). */
    public Builder header(String name) {
      requireNonNull(name, "name");
      HttpHeaders.builder().add(name, "");
      this.header = name;
      return this;
    }

    /**
     * Also accepts the key in query parameter {@code name}. A key sent both ways, or twice, is
     * rejected. The query, key included, is still sent upstream.
     */
    public Builder queryParameter(String name) {
      requireNonNull(name, "name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("queryParameter: empty");
      }
      this.queryParameter = name;
      return this;
    }

    /** Sets the realm of the {@code ApiKey} challenge (default {@code api}). */
    public Builder realm(String realm) {
      this.realm = requireNonNull(realm, "realm");
      return this;
    }

    /** Returns the authenticator. */
    public ApiKeyAuthenticator build() {
      return new ApiKeyAuthenticator(this);
    }
  }
}
