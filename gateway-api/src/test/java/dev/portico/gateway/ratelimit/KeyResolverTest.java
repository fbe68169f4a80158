package dev.portico.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.Route;
import dev.portico.gateway.auth.Identity;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeyResolverTest {

  /** An exchange made by hand. */
  record FakeExchange(Route route, GatewayRequest request, String clientIp, Optional<Identity> identity) implements Exchange {
    static FakeExchange get() {
      return new FakeExchange(Route.builder("orders").path("/**").upstream("http://u:8080").build(),
          GatewayRequest.builder("GET", "/").build(), "203.0.113.9", Optional.empty());
    }

    FakeExchange header(String name, String value) {
      return new FakeExchange(route, request.toBuilder().header(name, value).build(), clientIp, identity);
    }

    FakeExchange as(Identity identity) {
      return new FakeExchange(route, request, clientIp, Optional.of(identity));
    }

    @Override
    public String requestId() {
      return "r";
    }

    @Override
    public Map<String, String> pathVariables() {
      return Map.of();
    }

    @Override
    public InetSocketAddress remoteAddress() {
      return InetSocketAddress.createUnresolved("peer", 1);
    }

    @Override
    public List<X509Certificate> clientCertificates() {
      return List.of();
    }

    @Override
    public Exchange withRequest(GatewayRequest request) {
      return new FakeExchange(route, request, clientIp, identity);
    }
  }

  private static final Identity ALICE = Identity.builder("alice").plan("pro").build();

  @Test
  void builtInResolversPrefixTheirKind() {
    FakeExchange exchange = FakeExchange.get().header("X-Tenant", "acme").as(ALICE);

    assertThat(KeyResolver.clientIp().resolve(exchange)).hasValue("ip:203.0.113.9");
    assertThat(KeyResolver.principal().resolve(exchange)).hasValue("sub:alice");
    assertThat(KeyResolver.plan().resolve(exchange)).hasValue("plan:pro");
    assertThat(KeyResolver.header("X-Tenant").resolve(exchange)).hasValue("h:x-tenant:acme");
    assertThat(KeyResolver.route().resolve(exchange)).hasValue("route:orders");
    assertThat(KeyResolver.constant("all").resolve(exchange)).hasValue("all");
  }

  @Test
  void resolversFindNothingWhenTheRequestCarriesNothing() {
    FakeExchange anonymous = FakeExchange.get();

    assertThat(KeyResolver.principal().resolve(anonymous)).isEmpty();
    assertThat(KeyResolver.plan().resolve(anonymous.as(Identity.builder("bob").build()))).isEmpty();
    assertThat(KeyResolver.header("X-Tenant").resolve(anonymous)).isEmpty();
    assertThat(KeyResolver.apiKey("X-Api-Key").resolve(anonymous.header("X-Api-Key", ""))).isEmpty();
  }

  @Test
  void apiKeysAreDigestedNeverKeptAsThemselves() {
    Optional<String> key = KeyResolver.apiKey("X-Api-Key").resolve(FakeExchange.get().header("X-Api-Key", "sk_live_123"));
    Optional<String> same = KeyResolver.apiKey("X-Api-Key").resolve(FakeExchange.get().header("X-Api-Key", "sk_live_123"));
    Optional<String> other = KeyResolver.apiKey("X-Api-Key").resolve(FakeExchange.get().header("X-Api-Key", "sk_live_124"));

    assertThat(key).hasValueSatisfying(k -> assertThat(k).startsWith("key:").doesNotContain("sk_live"));
    assertThat(key).isEqualTo(same).isNotEqualTo(other);
  }

  @Test
  void orElseFallsBackOnlyWhenThereIsNoKey() {
    KeyResolver subjectElseIp = KeyResolver.principal().orElse(KeyResolver.clientIp());

    assertThat(subjectElseIp.resolve(FakeExchange.get().as(ALICE))).hasValue("sub:alice");
    assertThat(subjectElseIp.resolve(FakeExchange.get())).hasValue("ip:203.0.113.9");
  }

  @Test
  void compositeKeysJoinAllPartsAndNeedEveryOne() {
    KeyResolver tenantUser = KeyResolver.composite(KeyResolver.header("X-Tenant"), KeyResolver.principal());

    assertThat(tenantUser.resolve(FakeExchange.get().header("X-Tenant", "acme").as(ALICE))).hasValue("h:x-tenant:acme|sub:alice");
    assertThat(tenantUser.resolve(FakeExchange.get().as(ALICE))).isEmpty();
  }

  @Test
  void compositeKeysOfDifferentTuplesNeverCollide() {
    KeyResolver twoHeaders = KeyResolver.composite(exchange -> exchange.request().headers().first("A"),
        exchange -> exchange.request().headers().first("B"));

    Optional<String> first = twoHeaders.resolve(FakeExchange.get().header("A", "x|y").header("B", "z"));
    Optional<String> second = twoHeaders.resolve(FakeExchange.get().header("A", "x").header("B", "y|z"));

    assertThat(first).isNotEqualTo(second);
    assertThat(first).hasValue("x\\|y|z");
  }

  @Test
  void badArgumentsAreRefusedWhereTheyEnter() {
    assertThatThrownBy(() -> KeyResolver.header("bad header")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(KeyResolver::composite).isInstanceOf(IllegalArgumentException.class);
  }
}
