package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IpRulesTest {

  @Test
  void denyWinsOverAllowAndAnEmptyAllowListAllowsTheRest() {
    IpRules rules = IpRules.builder().allow("10.0.0.0/8").deny("10.66.0.0/16").build();
    assertThat(rules.permits("10.1.2.3")).isTrue();
    assertThat(rules.permits("10.66.9.9")).isFalse();
    assertThat(rules.permits("192.0.2.1")).isFalse();

    IpRules denyOnly = IpRules.deny("192.0.2.0/24");
    assertThat(denyOnly.permits("192.0.2.1")).isFalse();
    assertThat(denyOnly.permits("198.51.100.1")).isTrue();
  }

  @Test
  void ipv4MappedIpv6AddressesAndBlocksCountAsIpv4() {
    IpRules rules = IpRules.builder().allow("10.0.0.0/8").deny("::ffff:10.66.0.0/112").build();
    assertThat(rules.permits("::ffff:10.1.2.3")).isTrue();
    assertThat(rules.permits("10.66.0.1")).isFalse();
    assertThat(rules.permits("::ffff:10.66.0.1")).isFalse();
  }

  @Test
  void ipv6BlocksMatchWhateverTheSpelling() {
    IpRules rules = IpRules.allow("2001:db8::/32");
    assertThat(rules.permits("2001:DB8:0:0::1")).isTrue();
    assertThat(rules.permits("[2001:db8::1]")).isTrue();
    assertThat(rules.permits("2001:db9::1")).isFalse();
    assertThat(rules.permits("10.0.0.1")).isFalse();
  }

  @Test
  void somethingThatIsNotAnAddressPassesOnlyRulesThatRefuseNobody() {
    assertThat(IpRules.deny("10.0.0.0/8").permits("unknown")).isFalse();
    assertThat(IpRules.none().permits("unknown")).isTrue();
  }

  @Test
  void invalidBlocksAreRefusedByBuildNamingTheList() {
    assertThatThrownBy(() -> IpRules.builder().allow("10.0.0.0/33").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allow: cidr: '10.0.0.0/33'");
    assertThatThrownBy(() -> IpRules.builder().deny("example.com").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deny: cidr: 'example.com'");
    assertThatThrownBy(() -> IpRules.builder().allow().build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no address block");
  }

  @Test
  void anInvalidBlockOnARouteOrTheGatewayIsABuildErrorNamingWhere() {
    assertThatThrownBy(() -> Gateway.builder()
        .route("office", r -> r.path("/office/**").upstream("http://localhost:1").ipRules(ip -> ip.allow("10.0.0/8")))
        .build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("route 'office': ipRules: allow: cidr: '10.0.0/8'");
    assertThatThrownBy(() -> Gateway.builder().ipRules(ip -> ip.deny("::1/129"))
        .route("office", r -> r.path("/office/**").upstream("http://localhost:1")).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("gateway ipRules: deny: cidr: '::1/129'");
    assertThatThrownBy(() -> Gateway.builder().routeDefaults(d -> d.ipRules(ip -> ip.allow("10.0.0.256")))
        .route("office", r -> r.path("/office/**").upstream("http://localhost:1")).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("ipRules: allow: cidr: '10.0.0.256'");
  }

  @Test
  void aMethodBlockCannotSetIpRules() {
    assertThatThrownBy(() -> Gateway.builder()
        .route("office", r -> r.path("/office/**").upstream("http://localhost:1")
            .methodPolicies("POST", m -> m.ipRules(IpRules.allow("10.0.0.0/8"))))
        .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("methodPolicies: POST: ipRules is set per route, not per method");
  }

  @Test
  void routesInheritTheDefaultRulesUnlessTheySetTheirOwn() {
    Gateway gateway = Gateway.builder()
        .routeDefaults(d -> d.ipRules(IpRules.allow("10.0.0.0/8")))
        .route("a", r -> r.path("/a/**").upstream("http://localhost:1"))
        .route("b", r -> r.path("/b/**").upstream("http://localhost:1").ipRules(IpRules.none()))
        .build();
    assertThat(gateway.routes().get(0).ipRules()).isEqualTo(IpRules.allow("10.0.0.0/8"));
    assertThat(gateway.routes().get(0).inheritedPolicies()).contains("ipRules");
    assertThat(gateway.routes().get(1).ipRules().isEmpty()).isTrue();
  }
}
