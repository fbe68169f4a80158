package dev.portico.gateway.spring.boot;

import dev.portico.gateway.test.FakeUpstream;

/**
 * One backend for every application of the test run: the cached Spring contexts outlive a test
 * class, so their upstream must too (it stops with the test JVM). Tests {@link FakeUpstream#reset()} it first.
 */
final class Upstreams {
  static final FakeUpstream ORDERS = start();

  private Upstreams() {}

  private static FakeUpstream start() {
    try {
      return FakeUpstream.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the fake upstream", e);
    }
  }
}
