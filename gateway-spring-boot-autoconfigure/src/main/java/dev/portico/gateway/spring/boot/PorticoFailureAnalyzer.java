package dev.portico.gateway.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a gateway configuration that stops the application from starting, the way Boot explains
 * a property it cannot bind: each property (or file key) at fault, its origin and the reason, then
 * what to do. Registered in {@code META-INF/spring.factories}.
 */
final class PorticoFailureAnalyzer extends AbstractFailureAnalyzer<InvalidGatewayConfigurationException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidGatewayConfigurationException cause) {
    StringBuilder description = new StringBuilder("Portico cannot build its gateway from ")
        .append(cause.source()).append(":\n");
    for (InvalidGatewayConfigurationException.Entry entry : cause.entries()) {
      description.append("\n    ").append(cause.keyLabel()).append(": ").append(entry.key());
      if (!entry.origin().isEmpty()) {
        description.append("\n    Origin: ").append(entry.origin());
      }
      description.append("\n    Reason: ").append(entry.message()).append('\n');
    }
    return new FailureAnalysis(description.toString().stripTrailing(), String.join("\n", cause.actions()), cause);
  }
}
