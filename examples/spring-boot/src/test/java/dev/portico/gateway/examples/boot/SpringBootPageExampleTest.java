package dev.portico.gateway.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;

/**
 * The {@code application.yaml} the Spring Boot page shows under "Example application" is this
 * application's gateway: the same {@code portico.*} properties with the same values, whatever the
 * layout and comments.
 */
class SpringBootPageExampleTest {
  private static final Path PAGE = Path.of("../../src/site/markdown/spring-boot.md");
  private static final Pattern EXAMPLE_YAML = Pattern.compile(
      "(?s)## Example application\\n.*?```yaml\\n(.*?)^```$", Pattern.MULTILINE);

  @Test
  void thePagesApplicationYamlGivesTheApplicationsGateway() throws IOException {
    Matcher block = EXAMPLE_YAML.matcher(Files.readString(PAGE));
    assertThat(block.find()).as("a yaml block under 'Example application' in %s", PAGE).isTrue();

    Map<String, String> onThePage = porticoProperties(new ByteArrayResource(
        block.group(1).getBytes(StandardCharsets.UTF_8), "spring-boot.md"));
    Map<String, String> inTheApplication = porticoProperties(new ClassPathResource("application.yaml"));

    assertThat(onThePage).isNotEmpty().isEqualTo(inTheApplication);
  }

  private static Map<String, String> porticoProperties(Resource yaml) throws IOException {
    Map<String, String> properties = new TreeMap<>();
    for (PropertySource<?> source : new YamlPropertySourceLoader().load(yaml.getDescription(), yaml)) {
      EnumerablePropertySource<?> enumerable = (EnumerablePropertySource<?>) source;
      for (String name : enumerable.getPropertyNames()) {
        if (name.startsWith("portico.")) {
          properties.put(name, String.valueOf(enumerable.getProperty(name)));
        }
      }
    }
    return properties;
  }
}
