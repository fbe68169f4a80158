package dev.portico.gateway.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the Chromium or Chrome that browser tests drive headless: {@code $CHROME_BIN} when set,
 * else the first of {@code chromium}, {@code chromium-browser}, {@code google-chrome},
 * {@code google-chrome-stable} and {@code chrome} on {@code PATH}.
 *
 * <p>Without one, a browser test is skipped with the reason (a JUnit assumption), so that
 * {@code mvn verify} passes on a machine with only a JDK and Maven. Where the browser is required
 * it fails instead: when the environment has {@code CI=true} (CI services set it, and
 * {@code .ci/run} exports it) or the build runs with {@code -Dportico-build.requireBrowser=true}.
 */
public final class Chromium {
  private static final List<String> NAMES =
      List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome");

  private Chromium() {}

  /** Returns the browser's executable, or skips (or, where required, fails) the calling test. */
  public static Path require() {
    Optional<Path> found = find();
    if (found.isPresent()) {
      return found.get();
    }
    String reason = "no Chromium or Chrome: set CHROME_BIN or put one of " + NAMES + " on PATH"
        + " (Debian/Ubuntu: apt-get install -y chromium)";
    if (isRequired()) {
      throw new AssertionError(reason + "; a browser is required here (CI=" + System.getenv("CI")
          + ", portico-build.requireBrowser=" + System.getProperty("portico-build.requireBrowser") + ")");
    }
    Assumptions.abort(reason + "; skipped (CI=true or -Dportico-build.requireBrowser=true makes this a failure)");
    throw new AssertionError("unreachable");
  }

  /** Returns the browser's executable, if one is found. */
  public static Optional<Path> find() {
    String given = System.getenv("CHROME_BIN");
    if (given != null && !given.isBlank()) {
      Path path = Path.of(given);
      return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
    }
    List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
    for (String name : NAMES) {
      for (String dir : dirs) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
          return Optional.of(Path.of(dir, name));
        }
      }
    }
    return Optional.empty();
  }

  /** Whether a missing browser fails the test: {@code CI=true} or {@code -Dportico-build.requireBrowser=true}. */
  static boolean isRequired() {
    return "true".equalsIgnoreCase(System.getenv("CI")) || Boolean.getBoolean("portico-build.requireBrowser");
  }
}
