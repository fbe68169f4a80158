package dev.portico.gateway.internal.chain;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.FilterChain;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.Problem;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.auth.AccessDecision;
import dev.portico.gateway.auth.AccessRule;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.Challenge;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.internal.http.IdentityValueEncoding;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The engine's authentication and authorization step, between the global filters and the route's
 * own: authenticates, checks the access rules, and shapes what the upstream learns of the caller.
 * Refusals are problems: 401 with {@code WWW-Authenticate}, 403, or 503 when credentials cannot be
 * checked now. Not public API.
 */
public final class AuthenticationStep implements ChainStep {
  private final @Nullable Authenticator authenticator;
  private final List<AccessRule> rules;
  private final IdentityForwarding forwarding;
  private final List<String> credentialHeaders;

  public AuthenticationStep(@Nullable Authenticator authenticator, List<AccessRule> rules,
      IdentityForwarding forwarding) {
    this.authenticator = authenticator;
    this.rules = List.copyOf(rules);
    this.forwarding = forwarding;
    java.util.Set<String> credentials = new java.util.LinkedHashSet<>();
    credentials.add("Authorization");
    if (authenticator != null) {
      credentials.addAll(authenticator.credentialHeaders());
    }
    this.credentialHeaders = List.copyOf(credentials);
  }

  @Override
  public String name() {
    return "authentication";
  }

  @Override
  public CompletionStage<GatewayResponse> run(StepContext context, Exchange exchange, FilterChain chain) {
    if (authenticator == null) {
      return chain.proceed(forward(exchange, null));
    }
    CompletionStage<AuthResult> stage = authenticator.authenticate(exchange);
    if (stage == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("authenticator returned a null stage"));
    }
    return stage.thenCompose(result -> {
      if (result == null) {
        throw new IllegalStateException("authenticator completed with a null result");
      }
      return switch (result.kind()) {
        case AUTHENTICATED -> authorized(context, exchange, result.identity().orElseThrow(), chain);
        case NO_CREDENTIALS -> failed(context, "no-credentials", unauthorized("Credentials are required.", result.challenges()));
        case REJECTED -> failed(context, "rejected", unauthorized(result.challenges().stream().findFirst()
            .flatMap(Challenge::description).orElse("The credentials were refused."), result.challenges()));
        case UNAVAILABLE -> failed(context, "unavailable", new Problem(ProblemType.AUTHENTICATION_UNAVAILABLE,
            result.detail().orElse("Credentials cannot be checked right now."),
            dev.portico.gateway.HttpHeaders.builder().add("Retry-After", "5").build()));
      };
    });
  }

  private CompletionStage<GatewayResponse> authorized(StepContext context, Exchange exchange, Identity identity,
      FilterChain chain) {
    context.authenticated(identity);
    for (AccessRule rule : rules) {
      AccessDecision decision = rule.check(identity, exchange);
      if (!decision.allowed()) {
        Problem problem = ProblemType.FORBIDDEN.withDetail(decision.reason().orElse("Access denied."));
        if (!decision.missingScopes().isEmpty()) {
          problem = problem.withHeader("WWW-Authenticate", new Challenge("Bearer", null, "insufficient_scope",
              problem.detail()).headerValue() + ", scope=\"" + String.join(" ", new TreeSet<>(decision.missingScopes())) + "\"");
        }
        return failed(context, "forbidden", problem);
      }
    }
    return chain.proceed(forward(exchange, identity));
  }

  /** Removes forgeable identity headers and credentials, then sets the identity headers. */
  private Exchange forward(Exchange exchange, @Nullable Identity identity) {
    List<String> identityHeaders = forwarding.identityHeaders();
    if (identityHeaders.isEmpty() && !forwarding.stripCredentials() && forwarding.stripHeaders().isEmpty()) {
      return exchange;
    }
    GatewayRequest.Builder request = exchange.request().toBuilder();
    identityHeaders.forEach(request::removeHeader);
    forwarding.stripHeaders().forEach(request::removeHeader);
    if (forwarding.stripCredentials()) {
      credentialHeaders.forEach(request::removeHeader);
    }
    if (identity != null) {
      // Values that are not plain visible ASCII go encoded, never altered (see IdentityForwarding).
      forwarding.subjectHeader().ifPresent(h -> request.header(h, IdentityValueEncoding.encode(identity.subject())));
      forwarding.scopesHeader().ifPresent(h -> request.header(h,
          IdentityValueEncoding.encode(String.join(" ", new TreeSet<>(identity.scopes())))));
      forwarding.issuerHeader().ifPresent(h -> identity.issuer()
          .ifPresent(iss -> request.header(h, IdentityValueEncoding.encode(iss))));
      forwarding.methodHeader().ifPresent(h -> request.header(h, IdentityValueEncoding.encode(identity.method())));
    }
    return exchange.withRequest(request.build());
  }

  private static Problem unauthorized(String detail, List<Challenge> challenges) {
    Problem problem = ProblemType.UNAUTHORIZED.withDetail(detail);
    if (challenges.isEmpty()) {
      // RFC 9110 requires at least one challenge on a 401; an authenticator that named none gets Bearer.
      return problem.withHeader("WWW-Authenticate", Challenge.bearer(null).headerValue());
    }
    for (Challenge challenge : challenges) {
      problem = problem.withHeader("WWW-Authenticate", challenge.headerValue());
    }
    return problem;
  }

  /** Tells the exchange's observer why authentication or authorization refused it, then refuses. */
  private static CompletionStage<GatewayResponse> failed(StepContext context, String reason, Problem problem) {
    context.observer().authenticationFailed(reason);
    return answer(problem);
  }

  private static CompletionStage<GatewayResponse> answer(Problem problem) {
    return CompletableFuture.completedFuture(GatewayResponse.problem(problem));
  }
}
