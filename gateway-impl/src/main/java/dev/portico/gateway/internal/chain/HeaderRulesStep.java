package dev.portico.gateway.internal.chain;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.Filter;
import dev.portico.gateway.FilterChain;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.internal.http.IdentityValueEncoding;
import dev.portico.gateway.internal.syntax.HttpSyntax;
import dev.portico.gateway.transform.HeaderRules;
import dev.portico.gateway.transform.ValueTemplate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a route's {@link HeaderRules} to the upstream request, or to the upstream's response on
 * its way back (the gateway's own problems are left to the error mapper). Not public API (public
 * for the benchmarks module, which measures the step the gateway runs).
 */
public final class HeaderRulesStep implements Filter {
  private static final Logger LOG = LoggerFactory.getLogger(HeaderRulesStep.class);

  private final HeaderRules rules;
  private final boolean response;

  private HeaderRulesStep(HeaderRules rules, boolean response) {
    this.rules = rules;
    this.response = response;
  }

  public static HeaderRulesStep request(HeaderRules rules) {
    return new HeaderRulesStep(rules, false);
  }

  public static HeaderRulesStep response(HeaderRules rules) {
    return new HeaderRulesStep(rules, true);
  }

  @Override
  public String name() {
    return response ? "response-headers" : "request-headers";
  }

  @Override
  public CompletionStage<GatewayResponse> filter(Exchange exchange, FilterChain chain) {
    if (!response) {
      HttpHeaders headers = apply(rules.rules(), exchange.request().headers(), exchange, name());
      return chain.proceed(exchange.withRequest(exchange.request().toBuilder().headers(headers).build()));
    }
    return chain.proceed(exchange).thenApply(upstream -> upstream.problem().isPresent() ? upstream
        : upstream.withHeaders(apply(rules.rules(), upstream.headers(), exchange, name())));
  }

  /** Returns {@code in} changed by {@code rules}, in order. */
  public static HttpHeaders apply(List<HeaderRules.Rule> rules, HttpHeaders in, Exchange exchange, String step) {
    HttpHeaders.Builder out = in.toBuilder();
    for (HeaderRules.Rule rule : rules) {
      String name = rule.name();
      switch (rule.action()) {
        case REMOVE -> out.remove(name);
        case RENAME -> {
          List<String> values = out.build().all(name);
          if (!values.isEmpty()) {
            out.remove(name).remove(rule.renameTo());
            values.forEach(v -> out.add(rule.renameTo(), v));
          }
        }
        case ADD, SET, APPEND -> {
          Optional<String> value = render(rule.value(), exchange, step, name);
          if (value.isEmpty()) {
            continue;
          }
          String v = value.get();
          switch (rule.action()) {
            case ADD -> out.add(name, v);
            case SET -> out.set(name, v);
            default -> {
              List<String> existing = out.build().all(name);
              out.set(name, existing.isEmpty() ? v : String.join(", ", existing) + ", " + v);
            }
          }
        }
      }
    }
    return out.build();
  }

  private static Optional<String> render(ValueTemplate template, Exchange exchange, String step, String name) {
    Optional<String> value = template.render(exchange);
    if (value.isPresent() && template.usesIdentity()) {
      // Filled from the caller's identity: never altered nor dropped, encoded when not plain ASCII.
      return Optional.of(IdentityValueEncoding.encode(value.get()));
    }
    if (value.isPresent() && !HttpSyntax.isFieldValue(value.get())) {
      LOG.warn("{} route '{}': {} rule for {} skipped: its value would carry CR, LF or NUL", exchange.requestId(),
          exchange.route().id(), step, name);
      return Optional.empty();
    }
    return value;
  }

}
