package dev.portico.apicheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Jazzer replays a fuzz test's seeds from {@code src/test/resources/<its package>/<Class>Inputs};
 * when the test moves to another package or module and its seeds stay behind, it silently replays
 * none. So every seed directory must sit beside its test.
 */
class FuzzSeedsTest {

  @Test
  void everySeedDirectoryBelongsToAFuzzTestInTheSamePackageAndModule() throws IOException {
    Path root = PublicApiTest.root();
    List<String> seedDirectories = new ArrayList<>();
    List<String> orphans = new ArrayList<>();
    try (Stream<Path> modules = Files.list(root)) {
      for (Path module : modules.filter(Files::isDirectory).toList()) {
        Path resources = module.resolve("src/test/resources");
        if (!Files.isDirectory(resources)) {
          continue;
        }
        try (Stream<Path> dirs = Files.walk(resources)) {
          for (Path dir : dirs.filter(d -> Files.isDirectory(d) && d.getFileName().toString().endsWith("FuzzTestInputs")).toList()) {
            String name = dir.getFileName().toString();
            Path test = module.resolve("src/test/java").resolve(resources.relativize(dir.getParent()))
                .resolve(name.substring(0, name.length() - "Inputs".length()) + ".java");
            seedDirectories.add(root.relativize(dir).toString());
            if (!Files.isRegularFile(test)) {
              orphans.add(root.relativize(dir) + " (no " + root.relativize(test) + ")");
            }
          }
        }
      }
    }
    assertThat(seedDirectories).as("seed directories found").isNotEmpty();
    assertThat(orphans).as("fuzz seeds whose test moved away: move them beside it").isEmpty();
  }
}
