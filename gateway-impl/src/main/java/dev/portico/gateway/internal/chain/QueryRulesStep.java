package dev.portico.gateway.internal.chain;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.Filter;
import dev.portico.gateway.FilterChain;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.internal.routing.QueryParameters;
import dev.portico.gateway.internal.syntax.HttpSyntax;
import dev.portico.gateway.transform.QueryRules;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Applies a route's {@link QueryRules} to the upstream request's query string. Parameters no rule
 * names keep their bytes; written ones are percent-encoded UTF-8. Not public API.
 */
public final class QueryRulesStep implements Filter {
  private final QueryRules rules;

  QueryRulesStep(QueryRules rules) {
    this.rules = rules;
  }

  @Override
  public String name() {
    return "request-query";
  }

  @Override
  public CompletionStage<GatewayResponse> filter(Exchange exchange, FilterChain chain) {
    GatewayRequest request = exchange.request();
    List<String> parts = new ArrayList<>();
    request.rawQuery().ifPresent(q -> {
      for (String part : q.split("&")) {
        if (!part.isEmpty()) {
          parts.add(part);
        }
      }
    });
    for (QueryRules.Rule rule : rules.rules()) {
      switch (rule.action()) {
        case REMOVE -> parts.removeIf(p -> nameOf(p).equals(rule.name()));
        case ADD, SET -> {
          Optional<String> value = rule.value().render(exchange);
          if (value.isPresent()) {
            if (rule.action() == QueryRules.Action.SET) {
              parts.removeIf(p -> nameOf(p).equals(rule.name()));
            }
            parts.add(encode(rule.name()) + "=" + encode(value.get()));
          }
        }
      }
    }
    String query = parts.isEmpty() ? null : String.join("&", parts);
    return chain.proceed(exchange.withRequest(request.toBuilder().rawQuery(query).build()));
  }

  private static String nameOf(String part) {
    int eq = part.indexOf('=');
    return QueryParameters.decode(part, 0, eq < 0 ? part.length() : eq);
  }

  /** Percent-encodes everything but unreserved characters (RFC 3986), as UTF-8. */
  static String encode(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 8);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (HttpSyntax.isUnreserved(c)) {
        out.append((char) c);
      } else {
        HttpSyntax.appendPercentEncoded(out, c);
      }
    }
    return out.toString();
  }
}
