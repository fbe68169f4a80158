package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProblemTest {

  @Test
  void extensionsAreCopiedInOrderAndImmutable() {
    List<Map<String, Object>> errors = new java.util.ArrayList<>(List.of(Map.of("pointer", "/a", "message", "bad")));
    Problem problem = ProblemType.VALIDATION_FAILED.withDetail("bad").withExtension("errors", errors).withExtension("count", 1);
    errors.clear();

    assertThat(problem.extensions()).containsOnlyKeys("errors", "count");
    assertThat(problem.extensions().keySet()).containsExactly("errors", "count");
    assertThat((List<?>) problem.extensions().get("errors")).hasSize(1);
    assertThat(problem.withHeader("Retry-After", "1").extensions()).isEqualTo(problem.extensions());
  }

  @Test
  void refusesReservedNamesAndNonJsonValues() {
    Problem problem = ProblemType.BAD_REQUEST.withDetail("x");

    assertThatThrownBy(() -> problem.withExtension("status", 1)).hasMessageContaining("reserved");
    assertThatThrownBy(() -> problem.withExtension("requestId", "r")).hasMessageContaining("reserved");
    assertThatThrownBy(() -> problem.withExtension("when", new Object())).hasMessageContaining("expected: a string");
  }

  @Test
  void errorResponseRefusesBodylessStatuses() {
    assertThatThrownBy(() -> ErrorResponse.ofUtf8(204, "text/plain", "")).hasMessageStartingWith("status: 204");
    assertThat(ErrorResponse.ofUtf8(418, "text/plain", "teapot").length()).isEqualTo(6);
  }
}
