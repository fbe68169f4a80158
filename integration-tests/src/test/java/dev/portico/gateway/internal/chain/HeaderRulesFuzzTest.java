package dev.portico.gateway.internal.chain;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.test.TestExchange;
import dev.portico.gateway.transform.HeaderRules;
import java.util.List;
import java.util.Map;

/**
 * {@link HeaderRules} with fuzzer-chosen names, actions and {@link dev.portico.gateway.transform.ValueTemplate}s,
 * applied ({@link HeaderRulesStep#apply}) to fuzzer-chosen request headers and an identity with
 * fuzzer-chosen subject, plan and claims: a rule set is either refused by {@code build()} with an
 * {@link IllegalArgumentException} that says what is wrong, or applying it never throws and never
 * produces a header value with CR, LF or NUL, nor a name that is not an HTTP token.
 *
 * <p>In the normal test run this replays the seeds under {@code HeaderRulesFuzzTestInputs}. To fuzz
 * (for the annotation's 2 minutes): {@code JAZZER_FUZZ=1 mvn -B -pl gateway-impl -am test
 * -Dsurefire.failIfNoSpecifiedTests=false -Dtest=HeaderRulesFuzzTest}. Findings are written next to
 * the seeds as {@code crash-*} and replay from then on.
 */
class HeaderRulesFuzzTest {
  private static final String[] NAMES = {"X-User", "x-user", "X-Tenant", "Via", "Host", "Content-Length", "Cookie"};
  private static final String[] PLACEHOLDERS = {"{identity.subject}", "{identity.claim.tenant}", "{identity.plan}",
      "{identity.roles}", "{identity.scopes}", "{requestId}", "{clientIp}", "{request.path}", "{request.host}",
      "{route.id}", "{var.id}", "{{", "}}", "{", "}", "\r\n", "\0"};

  @FuzzTest(maxDuration = "2m")
  void rulesAreRefusedAtBuildOrNeverSplitAHeader(FuzzedDataProvider data) {
    HeaderRules rules;
    try {
      rules = rules(data);
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).isNotBlank();
      return;
    }
    TestExchange exchange = exchange(data);

    HttpHeaders out = HeaderRulesStep.apply(rules.rules(), exchange.request().headers(), exchange, "request-headers");

    for (String name : out.names()) {
      assertThat(name).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
      for (String value : out.all(name)) {
        assertThat(value).as("%s after %s", name, rules).doesNotContain("\r", "\n", "\0");
      }
    }
  }

  private static HeaderRules rules(FuzzedDataProvider data) {
    HeaderRules.Builder b = HeaderRules.builder();
    int count = data.consumeInt(1, 6);
    for (int i = 0; i < count; i++) {
      String name = data.consumeBoolean() ? data.pickValue(NAMES) : data.consumeString(12);
      switch (data.consumeInt(0, 4)) {
        case 0 -> b.add(name, template(data));
        case 1 -> b.set(name, template(data));
        case 2 -> b.append(name, template(data));
        case 3 -> b.remove(name);
        default -> b.rename(name, data.consumeBoolean() ? data.pickValue(NAMES) : data.consumeString(12));
      }
    }
    return b.build();
  }

  /** Fuzzed text with placeholders (and their broken halves) mixed in. */
  private static String template(FuzzedDataProvider data) {
    StringBuilder sb = new StringBuilder();
    int parts = data.consumeInt(1, 4);
    for (int i = 0; i < parts; i++) {
      sb.append(data.consumeBoolean() ? data.pickValue(PLACEHOLDERS) : data.consumeString(16));
    }
    return sb.toString();
  }

  /** A request with fuzzed headers (those a parser could deliver), from an identity with fuzzed values. */
  private static TestExchange exchange(FuzzedDataProvider data) {
    GatewayRequest.Builder request = GatewayRequest.builder("GET", "/orders/1");
    int headers = data.consumeInt(0, 4);
    for (int i = 0; i < headers; i++) {
      try {
        request.addHeader(data.consumeBoolean() ? data.pickValue(NAMES) : data.consumeString(12), data.consumeString(24));
      } catch (IllegalArgumentException notAField) {
        // not a token name or a value with CR, LF or NUL: Jetty would have refused the request
      }
    }
    Identity identity = Identity.builder(data.consumeString(24))
        .plan(data.consumeBoolean() ? data.consumeString(12) : null)
        .roles(List.of(data.consumeString(8), data.consumeString(8)))
        .scopes(List.of(data.consumeString(8)))
        .claims(Map.of("tenant", data.consumeBoolean() ? data.consumeString(24) : data.consumeLong()))
        .build();
    return TestExchange.of(request.build()).as(identity);
  }
}
