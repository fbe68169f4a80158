package dev.portico.gateway.spring.boot;

import dev.portico.gateway.test.FakeUpstream;
import org.jspecify.annotations.Nullable;

/** Starts the tests' upstreams before their application contexts, which need their URIs. */
final class Upstreams {
  private Upstreams() {}

  static FakeUpstream start(@Nullable String healthPath) {
    try {
      FakeUpstream upstream = FakeUpstream.start();
      return healthPath == null ? upstream : upstream.answerHealth(healthPath);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start an upstream", e);
    }
  }
}
