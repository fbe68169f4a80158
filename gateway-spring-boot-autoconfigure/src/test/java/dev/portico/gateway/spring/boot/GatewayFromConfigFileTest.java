package dev.portico.gateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.config.ConfigWatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A Boot application on Tomcat whose gateway is in {@code portico.config-file}, applied again when the file changes. */
@SpringBootTest(classes = HostApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = Servers.ON_TOMCAT)
class GatewayFromConfigFileTest {
  private static final Path FILE = writeFirstVersion();

  @LocalServerPort
  int port;

  @Autowired
  ConfigWatch watch;

  @DynamicPropertySource
  static void configFile(DynamicPropertyRegistry registry) {
    registry.add("portico.config-file", FILE::toString);
  }

  @BeforeEach
  void forgetEarlierRequests() {
    Upstreams.ORDERS.reset();
  }

  @Test
  void servesTheRoutesOfTheFileAndNamesTheApplicationsBeans() throws Exception {
    HttpResponse<String> response = Http.get(port, "/files/a");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(Upstreams.ORDERS.takeRequest().header("X-Audit")).contains("seen"); // filters: [audit]
    assertThat(Http.get(port, "/hello").body()).isEqualTo("hello from the application");
  }

  @Test
  void appliesAChangedFileAndKeepsServingThroughABadOne() throws Exception {
    long reloads = watch.reloads();
    replace(config("/files/**") + """
          - id: added
            path: /added/**
            upstream: %s
            permitAll: true
        """.formatted(Upstreams.ORDERS.uri()));
    Await.until(() -> watch.reloads() > reloads, "the changed file applied");

    assertThat(Http.get(port, "/added/x").statusCode()).isEqualTo(200);
    assertThat(Upstreams.ORDERS.takeRequest().target()).isEqualTo("/added/x");

    long failures = watch.failures();
    replace("routes:\n  - id: broken\n");
    Await.until(() -> watch.failures() > failures, "the bad file refused");

    assertThat(watch.lastError()).isPresent();
    assertThat(Http.get(port, "/added/y").statusCode()).isEqualTo(200);
  }

  private static String config(String path) {
    return """
        filters: [audit]
        routes:
          - id: files
            path: %s
            upstream: %s
            permitAll: true
        """.formatted(path, Upstreams.ORDERS.uri());
  }

  private static Path writeFirstVersion() {
    try {
      Path directory = Files.createTempDirectory("portico-boot");
      Path file = directory.resolve("gateway.yaml");
      Files.writeString(file, config("/files/**"));
      directory.toFile().deleteOnExit(); // the cached context watches it until the test JVM ends
      file.toFile().deleteOnExit();      // (deleted before its directory: the reverse order)
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Replaces the file as editors do: a new file moved over the old one. */
  private static void replace(String content) throws IOException {
    Path next = Files.writeString(FILE.resolveSibling("gateway.yaml.next"), content);
    Files.move(next, FILE, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
