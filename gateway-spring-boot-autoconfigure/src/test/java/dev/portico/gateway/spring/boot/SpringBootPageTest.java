package dev.portico.gateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Route;
import dev.portico.gateway.config.internal.Registry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.boot.env.PropertySourceLoader;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;

/**
 * The examples of {@code src/site/markdown/spring-boot.md} are real: its properties are a gateway,
 * its failure report is what the analyzer says, and its settings table lists every setting. (Its
 * Java block is checked with the other pages' snippets, by the examples' DocSnippetsTest.)
 */
class SpringBootPageTest {
  private static final Path PAGE = Path.of("../src/site/markdown/spring-boot.md");
  private static final Pattern BLOCK = Pattern.compile("(?m)^( *)```(\\w+)\\n(.*?)^\\1```$", Pattern.DOTALL);
  private static final Registry NOTHING_REGISTERED = new Registry(Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

  @Test
  void theApplicationYamlIsAGateway() throws Exception {
    String yaml = blocks("yaml").stream().filter(b -> b.contains("routes:")).findFirst().orElseThrow();

    Gateway gateway = PropertyTree.read(environment(new YamlPropertySourceLoader(), "application.yaml", yaml),
        NOTHING_REGISTERED);

    assertThat(gateway.routes()).extracting(Route::id).containsExactly("orders", "health");
    assertThat(gateway.routes().get(0).rateLimiters()).hasSize(1);
  }

  @Test
  void theApplicationPropertiesAreAGateway() throws Exception {
    String properties = blocks("properties").get(0);

    Gateway gateway = PropertyTree.read(environment(new PropertiesPropertySourceLoader(), "application.properties",
        properties), NOTHING_REGISTERED);

    assertThat(gateway.routes().get(0).methods()).containsExactlyInAnyOrder("GET", "POST");
  }

  @Test
  void theFailureReportIsTheAnalyzers() throws Exception {
    String yaml = new String(new ClassPathResource("application-bad.yaml").getContentAsByteArray(), StandardCharsets.UTF_8);
    InvalidGatewayConfigurationException failure = catchThrowableOfType(InvalidGatewayConfigurationException.class,
        () -> PropertyTree.read(environment(new YamlPropertySourceLoader(), "application.yaml", yaml), NOTHING_REGISTERED));
    FailureAnalysis analysis = new PorticoFailureAnalyzer().analyze(failure);

    String report = blocks("text").stream().filter(b -> b.contains("APPLICATION FAILED TO START")).findFirst().orElseThrow();
    assertThat(report).contains("Description:\n\n" + analysis.getDescription() + "\n\nAction:\n\n" + analysis.getAction());
  }

  @Test
  void theSettingsTableListsEverySetting() throws Exception {
    String page = Files.readString(PAGE);
    for (String setting : List.of("enabled", "config-file", "reload", "shutdown-grace", "filter.order",
        "filter.url-patterns")) {
      assertThat(page).contains("| `portico." + setting + "` |");
    }
  }

  private static List<String> blocks(String language) throws IOException {
    List<String> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(Files.readString(PAGE));
    while (m.find()) {
      if (m.group(2).equals(language)) {
        blocks.add(m.group(3).replaceAll("(?m)^" + m.group(1), ""));
      }
    }
    assertThat(blocks).as("```%s blocks in %s", language, PAGE).isNotEmpty();
    return blocks;
  }

  private static StandardEnvironment environment(PropertySourceLoader loader, String name, String text)
      throws IOException {
    ByteArrayResource resource = new ByteArrayResource(text.getBytes(StandardCharsets.UTF_8), name) {
      @Override
      public String getDescription() {
        return "class path resource [" + name + "]";
      }
    };
    StandardEnvironment environment = new StandardEnvironment();
    for (PropertySource<?> source : loader.load(name, resource)) {
      environment.getPropertySources().addLast(source);
    }
    ConfigurationPropertySources.attach(environment);
    return environment;
  }
}
