package dev.portico.gateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polling with a deadline, for what happens on another thread's time (a file watch, a shutdown). */
final class Await {
  private Await() {}

  static void until(Callable<Boolean> condition, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.call()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(10); // polling with a deadline: the other thread works on its own time
    }
  }
}
