package dev.portico.gateway.auth.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The claim checks of RFC 7519 4.1 and RFC 9068 a verified token must pass: an expiry that has not
 * passed, {@code nbf} and {@code iat} that are not in the future, the configured issuer exactly,
 * one of the configured audiences, a subject, and any claims the host requires. Times allow for
 * the configured clock skew.
 *
 * <p>The subject is {@code sub}; when the host does not require one ({@code requireSubject(false)}),
 * a token without {@code sub} takes its subject from {@code client_id}, else {@code azp} (the client
 * a client-credentials token was issued to). Blank values count as missing.
 */
final class ClaimRules {
  /** Where the subject comes from when {@code sub} is missing and not required, in this order. */
  static final List<String> FALLBACK_SUBJECTS = List.of("client_id", "azp");

  private final @Nullable String issuer;
  private final Set<String> audiences;
  private final Duration skew;
  private final List<String> requiredClaims;
  private final boolean requireSubject;

  ClaimRules(@Nullable String issuer, Set<String> audiences, Duration skew, List<String> requiredClaims,
      boolean requireSubject) {
    this.issuer = issuer;
    this.audiences = Set.copyOf(audiences);
    this.skew = skew;
    this.requiredClaims = List.copyOf(requiredClaims);
    this.requireSubject = requireSubject;
  }

  /** Checks every rule against {@code claims} at {@code now}; returns the subject the identity gets. */
  String check(JWTClaimsSet claims, Instant now) throws TokenRejected {
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      throw TokenRejected.invalidToken("The token has no expiry time (exp).");
    }
    Date nbf = claims.getNotBeforeTime();
    checkTime(exp.toInstant(), nbf == null ? null : nbf.toInstant(), now);
    Date iat = claims.getIssueTime();
    if (iat != null && iat.toInstant().isAfter(now.plus(skew))) {
      throw TokenRejected.invalidToken("The token was issued in the future.");
    }
    if (issuer != null && !issuer.equals(claims.getIssuer())) {
      throw TokenRejected.invalidToken("The token's issuer is not accepted.");
    }
    if (!audiences.isEmpty() && claims.getAudience().stream().noneMatch(audiences::contains)) {
      throw TokenRejected.invalidToken("The token's audience is not accepted.");
    }
    String subject = subject(claims);
    for (String name : requiredClaims) {
      if (claims.getClaim(name) == null) {
        throw TokenRejected.invalidToken("The token lacks the required claim '" + name + "'.");
      }
    }
    return subject;
  }

  private String subject(JWTClaimsSet claims) throws TokenRejected {
    String sub = claims.getSubject();
    if (present(sub)) {
      return sub;
    }
    if (requireSubject) {
      throw TokenRejected.invalidToken("The token has no subject (sub).");
    }
    for (String name : FALLBACK_SUBJECTS) {
      // Only a string counts: a number or an object under these names is not a client id.
      if (claims.getClaim(name) instanceof String value && present(value)) {
        return value;
      }
    }
    throw TokenRejected.invalidToken("The token has no subject (sub, client_id or azp).");
  }

  private static boolean present(@Nullable String value) {
    return value != null && !value.isBlank();
  }

  /** Checks the validity window alone: what a token that was verified before must still pass. */
  void checkTime(Instant expiresAt, @Nullable Instant notBefore, Instant now) throws TokenRejected {
    if (!now.isBefore(expiresAt.plus(skew))) {
      throw TokenRejected.invalidToken("The token has expired.");
    }
    if (notBefore != null && now.isBefore(notBefore.minus(skew))) {
      throw TokenRejected.invalidToken("The token is not valid yet.");
    }
  }
}
