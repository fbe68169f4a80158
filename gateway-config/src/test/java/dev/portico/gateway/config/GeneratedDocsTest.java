package dev.portico.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.config.internal.ConfigDocs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed key reference and JSON Schema are what the key model generates now. To refresh them
 * after changing the model: {@code mvn -pl gateway-config -am test -Dtest=GeneratedDocsTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dportico-build.writeDocs=true}.
 */
class GeneratedDocsTest {
  static final Path REFERENCE = Path.of("../src/site/markdown/configuration-reference.md");
  static final Path SCHEMA = Path.of("../src/site/resources/schema/gateway-config.schema.json");

  @Test
  void theCommittedReferenceIsUpToDate() throws Exception {
    check(REFERENCE, ConfigDocs.reference());
  }

  @Test
  void theCommittedSchemaIsUpToDate() throws Exception {
    check(SCHEMA, ConfigDocs.jsonSchema());
  }

  @Test
  void theReferenceListsEveryKeyOfARoute() {
    String reference = ConfigDocs.reference();
    assertThat(reference).contains("## route", "| `upstreamGroup` |", "| `rateLimiters` |", "## jwt", "| `jwksUri` |",
        "## redis", "| `failureMode` |");
  }

  private static void check(Path file, String generated) throws Exception {
    if (Boolean.getBoolean("portico-build.writeDocs")) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, generated, StandardCharsets.UTF_8);
    }
    assertThat(file).as(file + " is generated from the key model: rerun this test with -Dportico-build.writeDocs=true").exists();
    assertThat(Files.readString(file, StandardCharsets.UTF_8))
        .as(file + " is out of date: rerun this test with -Dportico-build.writeDocs=true")
        .isEqualTo(generated);
  }
}
