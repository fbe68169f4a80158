package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HttpHeadersTest {

  @Test
  void looksUpNamesIgnoringCaseAndKeepsOrderAndDuplicates() {
    HttpHeaders headers = HttpHeaders.builder().add("Accept", "a").add("X-Tag", "1").add("x-tag", "2").build();

    assertThat(headers.first("ACCEPT")).contains("a");
    assertThat(headers.all("X-TAG")).containsExactly("1", "2");
    assertThat(headers.all("missing")).isEmpty();
    assertThat(headers.size()).isEqualTo(3);
    assertThat(headers.names()).containsExactly("accept", "x-tag");
  }

  @Test
  void setReplacesEveryValueAndRemoveDropsThemAll() {
    HttpHeaders headers = HttpHeaders.builder().add("X-Tag", "1").add("x-tag", "2").add("Other", "o").build()
        .toBuilder().set("X-TAG", "3").remove("other").build();

    assertThat(headers.all("x-tag")).containsExactly("3");
    assertThat(headers.contains("Other")).isFalse();
  }

  @Test
  void refusesValuesThatWouldSplitTheMessage() {
    assertThatThrownBy(() -> HttpHeaders.builder().add("X-Evil", "a\r\nSet-Cookie: x=1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("X-Evil").hasMessageContaining("CR, LF");
    assertThatThrownBy(() -> HttpHeaders.builder().add("X-Evil", "a\u0000b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HttpHeaders.builder().add("Bad Name", "v"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Bad Name");
    assertThatThrownBy(() -> GatewayRequest.builder("GET", "/").header("X", "a\nb"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Found by HeaderRulesFuzzTest: a refused value used to leave its name behind, shifting every later field. */
  @Test
  void refusedFieldLeavesTheBuilderAsItWas() {
    HttpHeaders.Builder builder = HttpHeaders.builder().add("X-Kept", "1");

    assertThatThrownBy(() -> builder.add("X-Evil", "a\r\nb")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.set("X-Kept", "a\nb")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.add("Bad Name", "v")).isInstanceOf(IllegalArgumentException.class);
    HttpHeaders headers = builder.add("X-Next", "value with spaces").build();

    assertThat(headers.size()).isEqualTo(2);
    assertThat(headers.first("X-Kept")).contains("1");
    assertThat(headers.first("X-Next")).contains("value with spaces");
    assertThat(headers.names()).containsExactly("x-kept", "x-next");
  }

  @Test
  void redactsCredentialsInToString() {
    HttpHeaders headers = HttpHeaders.builder().add("Authorization", "Bearer abc").add("Cookie", "s=1")
        .add("X-Api-Key", "k").add("Accept", "json").build();

    assertThat(headers.toString()).doesNotContain("abc", "s=1", "=k").contains("Accept: json");
  }

  @Test
  void problemResponsesCarryTheirTypeStatusAndHeaders() {
    GatewayResponse response = GatewayResponse.problem(
        ProblemType.METHOD_NOT_ALLOWED.withDetail("no").withHeader("Allow", "GET"));

    assertThat(response.status()).isEqualTo(405);
    assertThat(response.headers().first("allow")).contains("GET");
    assertThat(response.problem()).hasValueSatisfying(p -> assertThat(p.type()).isEqualTo(ProblemType.METHOD_NOT_ALLOWED));
    assertThat(response.withStatus(418).problem()).isEmpty();
  }
}
