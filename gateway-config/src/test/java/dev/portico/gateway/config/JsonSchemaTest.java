package dev.portico.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.portico.gateway.config.internal.ConfigDocs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The generated JSON Schema accepts every example file (in the tests and in the docs) and refuses the error cases. */
class JsonSchemaTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
      builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false)));
  private static final Schema SCHEMA = REGISTRY.getSchema(new JsonMapper().readTree(ConfigDocs.jsonSchema()));

  static Stream<String> exampleFiles() throws Exception {
    List<String> texts = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("src/test/resources/examples"))) {
      files.sorted().forEach(f -> texts.add(read(f)));
    }
    texts.addAll(docExamples());
    return texts.stream();
  }

  /** The YAML blocks of the configuration page that are whole files (they have routes). */
  static List<String> docExamples() throws Exception {
    String page = Files.readString(Path.of("../src/site/markdown/configuration-files.md"));
    Matcher m = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(page);
    List<String> found = new ArrayList<>();
    while (m.find()) {
      if (m.group(1).contains("\nroutes:") || m.group(1).startsWith("routes:")) {
        found.add(m.group(1));
      }
    }
    assertThat(found).as("whole-file examples in configuration-files.md").isNotEmpty();
    return found;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<Error> validate(String yaml) {
    JsonNode node = YAML.readTree(yaml);
    return SCHEMA.validate(node);
  }

  @Test
  void theSchemaIsAValidDraft202012Schema() {
    Schema meta = REGISTRY.getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
    assertThat(meta.validate(new JsonMapper().readTree(ConfigDocs.jsonSchema()))).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("exampleFiles")
  void acceptsEveryExampleFile(String yaml) {
    assertThat(validate(yaml)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      // an unknown key
      "routes:\n  - {id: a, pth: /a, upstream: 'http://a'}\n",
      // a wrong type
      "routes:\n  - {id: a, path: /a, upstream: 'http://a', methods: GET}\n",
      "routes:\n  - {id: a, path: /a, upstream: 'http://a', stripPrefix: two}\n",
      // no routes
      "requestIdHeader: X-Id\n",
      // a route without id
      "routes:\n  - {path: /a, upstream: 'http://a'}\n",
      // a word that is not one of the choices
      "upstreamErrors: REPLAC\nroutes: []\n",
      // two kinds of authenticator in one
      "authenticators:\n  x: {jwt: {issuer: i}, basic: {users: []}}\nroutes: []\n",
      // a duration that is not one
      "routes:\n  - {id: a, path: /a, upstream: 'http://a', timeouts: {connect: soon}}\n",
  })
  void refusesTheErrorCases(String yaml) {
    assertThat(validate(yaml)).isNotEmpty();
  }

  @Test
  void everyExampleFileIsAlsoReadByTheReader() throws Exception {
    // The schema and the reader agree on the docs' examples (the test files are read by RoundTripTest).
    GatewayConfig config = GatewayConfig.builder().environment(name -> "value-of-" + name).build();
    for (String yaml : docExamples()) {
      assertThat(config.read(new java.io.StringReader(yaml), "example.yaml").routes()).isNotEmpty();
    }
  }
}
