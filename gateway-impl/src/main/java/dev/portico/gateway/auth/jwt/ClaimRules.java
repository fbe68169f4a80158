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
 */
final class ClaimRules {
  private final @Nullable String issuer;
  private final Set<String> audiences;
  private final Duration skew;
  private final List<String> requiredClaims;

  ClaimRules(@Nullable String issuer, Set<String> audiences, Duration skew, List<String> requiredClaims) {
    this.issuer = issuer;
    this.audiences = Set.copyOf(audiences);
    this.skew = skew;
    this.requiredClaims = List.copyOf(requiredClaims);
  }

  /** Checks every rule against {@code claims} at {@code now}. */
  void check(JWTClaimsSet claims, Instant now) throws TokenRejected {
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
    String subject = claims.getSubject();
    if (subject == null || subject.isBlank()) {
      throw TokenRejected.invalidToken("The token has no subject (sub).");
    }
    for (String name : requiredClaims) {
      if (claims.getClaim(name) == null) {
        throw TokenRejected.invalidToken("The token lacks the required claim '" + name + "'.");
      }
    }
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
