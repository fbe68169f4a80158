package dev.portico.gateway.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Stops the parts of an example in order, each one even when an earlier one failed. */
final class Shutdown {
  private Shutdown() {}

  /** One part to stop. */
  @FunctionalInterface
  interface Step {
    void run() throws Exception;
  }

  /**
   * Runs every step in order; if any failed, throws one {@link IllegalStateException} naming
   * {@code what}, with the failures as suppressed exceptions.
   */
  static void inOrder(String what, Step... steps) {
    IllegalStateException failure = new IllegalStateException(what + " did not stop cleanly");
    for (Step step : steps) {
      try {
        step.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure.addSuppressed(e);
      } catch (Exception e) {
        failure.addSuppressed(e);
      }
    }
    if (failure.getSuppressed().length > 0) {
      throw failure;
    }
  }

  /** Deletes {@code dir} and everything in it: the examples' temporary directories. */
  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(file -> {
        try {
          Files.delete(file);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
