package dev.portico.gateway.spring.boot;

import dev.portico.gateway.test.FakeUpstream;
import org.jspecify.annotations.Nullable;

/**
 * Starts the tests' upstreams before their application contexts, which need their URIs. {@link #ORDERS}
 * serves every application of the test run: the cached Spring contexts outlive a test class, so their
 * upstream must too (it stops with the test JVM). Tests {@link FakeUpstream#reset()} it first.
 */
final class Upstreams {
  static final FakeUpstream ORDERS = start(null);

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
