package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** ConformanceTarget.build() refuses a target the suite could not attack meaningfully, naming the field. */
class ConformanceTargetTest {
  private static ConformanceTarget.Builder valid() {
    return ConformanceTarget.builder().baseUri(URI.create("http://127.0.0.1:8080")).protectedPrefix("/admin");
  }

  @Test
  void buildsWithDefaultsForWhatIsOptional() {
    ConformanceTarget target = valid().build();

    assertThat(target.baseUri()).isEqualTo(URI.create("http://127.0.0.1:8080"));
    assertThat(target.publicPrefix()).isEqualTo("/public");
    assertThat(target.bodyMethod()).isEqualTo("POST");
    assertThat(target.bodyContentType()).isEmpty();
    assertThat(target.body()).isEqualTo("hello");
    assertThat(target.identityHeaders()).isEmpty();
  }

  @Test
  void everyValidTokenIsASubjectOfItsOwnUnlessTheTargetSetsOne() throws Exception {
    try (FakeIdentityProvider idp = FakeIdentityProvider.start()) {
      ConformanceTarget fresh = valid().validToken(t -> t.audience("admin-api")).build();
      ConformanceTarget fixed = valid().validToken(t -> t.subject("alice")).build();

      Set<Object> subjects = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        subjects.add(fresh.tokenClaims(idp).claimsSet().getSubject());
      }

      assertThat(subjects).hasSize(3).allSatisfy(s -> assertThat(s).asString().startsWith("conformance-"));
      assertThat(fixed.tokenClaims(idp).claimsSet().getSubject()).isEqualTo("alice");
    }
  }

  @Test
  void refusesAMissingOrMalformedField() {
    assertThatThrownBy(() -> ConformanceTarget.builder().protectedPrefix("/admin").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no baseUri");
    assertThatThrownBy(() -> ConformanceTarget.builder().baseUri(URI.create("http://127.0.0.1:8080")).build())
        .hasMessageContaining("no protectedPrefix");
    assertThatThrownBy(() -> valid().baseUri(URI.create("http://127.0.0.1:8080/ctx")).build())
        .hasMessageContaining("mounted at the root");
    assertThatThrownBy(() -> valid().baseUri(URI.create("https://127.0.0.1:8443")).build()).hasMessageContaining("baseUri");
    assertThatThrownBy(() -> valid().protectedPrefix("/admin/").build()).hasMessageContaining("protectedPrefix /admin/");
    assertThatThrownBy(() -> valid().protectedPrefix("/a/../b").build()).hasMessageContaining("protectedPrefix");
    assertThatThrownBy(() -> valid().publicPrefix("/admin/public").build()).hasMessageContaining("overlap");
    assertThatThrownBy(() -> valid().identityHeaders("X Bad").build()).hasMessageContaining("identityHeaders: X Bad");
    assertThatThrownBy(() -> valid().bodyMethod("post")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> valid().bodyContentType("application/json\r\nX-A: 1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bodyContentType");
    assertThatThrownBy(() -> valid().bodyContentType(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> valid().body("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("body: empty");
  }
}
