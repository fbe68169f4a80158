package dev.portico.gateway.auth.basic;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.Challenge;
import dev.portico.gateway.auth.CredentialStore;
import dev.portico.gateway.auth.Identity;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates requests with HTTP Basic credentials (RFC 7617), checked by a {@link CredentialStore}.
 *
 * <pre>{@code
 * Pbkdf2CredentialStore users = Pbkdf2CredentialStore.builder()
 *     .user("alice", "pbkdf2-sha256$600000$...$...", Set.of("admin"))
 *     .build();
 * Route.builder("admin").authenticator(BasicAuthenticator.of("admin", users));
 * }</pre>
 *
 * <p>Outcomes: no {@code Authorization: Basic} header is {@link AuthResult#noCredentials(Challenge...)
 * no credentials} with a {@code Basic realm="..."} challenge; more than one {@code Authorization}
 * header, bad base64, bytes that are not UTF-8, control characters or no colon are rejected with
 * {@code invalid_request}; a wrong password or unknown user is rejected with the plain
 * {@code Basic} challenge; a store that fails is {@link AuthResult#unavailable(String)
 * unavailable} (503). Parsing runs on the calling thread; the password check runs wherever the
 * store runs it ({@link Pbkdf2CredentialStore} uses an executor of its own).
 */
public final class BasicAuthenticator implements Authenticator {
  private static final Logger LOG = LoggerFactory.getLogger(BasicAuthenticator.class);
  /** Longer credentials are refused before any hashing: no password needs more. */
  private static final int MAX_CREDENTIALS_LENGTH = 4096;

  private final String realm;
  private final CredentialStore store;
  private final Challenge challenge;
  private final AuthResult missing;

  private BasicAuthenticator(String realm, CredentialStore store) {
    this.realm = realm;
    this.store = store;
    this.challenge = Challenge.basic(realm);
    this.missing = AuthResult.noCredentials(challenge);
  }

  /** Checks Basic credentials against {@code store}, challenging for {@code realm}. */
  public static BasicAuthenticator of(String realm, CredentialStore store) {
    return new BasicAuthenticator(requireNonNull(realm, "realm"), requireNonNull(store, "store"));
  }

  @Override
  public CompletionStage<AuthResult> authenticate(Exchange exchange) {
    List<String> authorizations = exchange.request().headers().all("Authorization");
    boolean basic = authorizations.stream().anyMatch(BasicAuthenticator::isBasic);
    if (!basic) {
      return CompletableFuture.completedFuture(missing);
    }
    if (authorizations.size() > 1) {
      return invalidRequest("Send exactly one Authorization header.");
    }
    String encoded = authorizations.get(0).substring("Basic".length()).strip();
    if (encoded.isEmpty() || encoded.length() > MAX_CREDENTIALS_LENGTH) {
      return invalidRequest("The Basic credentials are malformed.");
    }
    String decoded;
    try {
      byte[] bytes = Base64.getDecoder().decode(encoded);
      decoded = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (IllegalArgumentException | CharacterCodingException e) {
      return invalidRequest("The Basic credentials are not valid base64 of UTF-8 text.");
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      return invalidRequest("The Basic credentials have no colon between user and password.");
    }
    if (decoded.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return invalidRequest("The Basic credentials contain control characters.");
    }
    String username = decoded.substring(0, colon);
    String password = decoded.substring(colon + 1);
    CompletionStage<Optional<Identity>> verified;
    try {
      verified = store.verify(username, password);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(storeFailed(exchange, e));
    }
    if (verified == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("CredentialStore " + store + " returned a null stage"));
    }
    return verified.handle((identity, failure) -> {
      if (failure != null) {
        return storeFailed(exchange, failure);
      }
      if (identity == null) {
        throw new IllegalStateException("CredentialStore " + store + " completed with null instead of Optional.empty()");
      }
      return identity.map(AuthResult::authenticated).orElseGet(() -> AuthResult.rejected(challenge));
    });
  }

  private static boolean isBasic(String authorization) {
    return authorization.regionMatches(true, 0, "Basic", 0, 5)
        && (authorization.length() == 5 || authorization.charAt(5) == ' ');
  }

  private CompletionStage<AuthResult> invalidRequest(String description) {
    return CompletableFuture.completedFuture(AuthResult.rejected(challenge.withError("invalid_request", description)));
  }

  private static AuthResult storeFailed(Exchange exchange, Throwable failure) {
    LOG.warn("{} credential store failed: {}", exchange.requestId(), String.valueOf(failure));
    return AuthResult.unavailable("Credentials cannot be checked right now.");
  }

  @Override
  public String toString() {
    return "BasicAuthenticator{realm=" + realm + ", store=" + store + "}";
  }
}
