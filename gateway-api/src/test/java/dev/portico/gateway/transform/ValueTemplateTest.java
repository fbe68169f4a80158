package dev.portico.gateway.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ValueTemplateTest {

  @Test
  void parsesPlaceholdersAndLiteralBraces() {
    ValueTemplate t = ValueTemplate.parse("{{x}} {var.id}-{identity.claim.tenant}");

    assertThat(t.isConstant()).isFalse();
    assertThat(t.pathVariables()).containsExactly("id");
    assertThat(ValueTemplate.parse("{{plain}}").isConstant()).isTrue();
    assertThat(ValueTemplate.literal("{x}").source()).isEqualTo("{{x}}");
  }

  @Test
  void refusesUnknownNamesAndUnbalancedBraces() {
    assertThatThrownBy(() -> ValueTemplate.parse("{user}"))
        .hasMessageStartingWith("template '{user}': unknown placeholder {user} (expected one of: route.id, var.NAME");
    assertThatThrownBy(() -> ValueTemplate.parse("a{b")).hasMessageContaining("unclosed '{'");
    assertThatThrownBy(() -> ValueTemplate.parse("a}b")).hasMessageContaining("unmatched '}'");
    assertThatThrownBy(() -> ValueTemplate.parse("{var.}")).hasMessageContaining("unknown placeholder {var.}");
    assertThatThrownBy(() -> ValueTemplate.parse("{}")).hasMessageContaining("unknown placeholder {}");
  }
}
