package dev.portico.gateway.auth;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a 401 asks the client for: the {@code WWW-Authenticate} challenge (RFC 9110 11.6.1, with the
 * RFC 6750 {@code error} and {@code error_description} parameters for bearer tokens).
 *
 * <pre>{@code
 * Challenge.bearer("api").withError("invalid_token", "The token expired.")
 * // WWW-Authenticate: Bearer realm="api", error="invalid_token", error_description="The token expired."
 * }</pre>
 *
 * @param scheme the authentication scheme ({@code Bearer}, {@code Basic}, {@code ApiKey})
 * @param realm the protection space, or null
 * @param error the RFC 6750 error code ({@code invalid_request}, {@code invalid_token}), or null
 * @param errorDescription a client-safe explanation without internals, or null
 */
public record Challenge(String scheme, @Nullable String realm, @Nullable String error, @Nullable String errorDescription) {

  /** Validates the components. */
  public Challenge {
    requireNonNull(scheme, "scheme");
  }

  /** A {@code Bearer} challenge for {@code realm}. */
  public static Challenge bearer(@Nullable String realm) {
    return new Challenge("Bearer", realm, null, null);
  }

  /** A {@code Basic} challenge for {@code realm}. */
  public static Challenge basic(String realm) {
    return new Challenge("Basic", realm, null, null);
  }

  /** Returns a copy with an RFC 6750 error code and description. */
  public Challenge withError(String error, String description) {
    return new Challenge(scheme, realm, requireNonNull(error, "error"), requireNonNull(description, "description"));
  }

  /** Returns the error description, if any. */
  public Optional<String> description() {
    return Optional.ofNullable(errorDescription);
  }

  /** Renders the {@code WWW-Authenticate} value. */
  public String headerValue() {
    StringBuilder sb = new StringBuilder(scheme);
    String sep = " ";
    if (realm != null) {
      sb.append(sep).append("realm=").append(quote(realm));
      sep = ", ";
    }
    if (error != null) {
      sb.append(sep).append("error=").append(quote(error));
      sep = ", ";
    }
    if (errorDescription != null) {
      sb.append(sep).append("error_description=").append(quote(errorDescription));
    }
    return sb.toString();
  }

  private static String quote(String value) {
    StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\');
      }
      // Control characters never reach a header value.
      sb.append(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    return sb.append('"').toString();
  }
}
