package dev.portico.gateway.internal.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Lean by default: a Jetty 12 host (jetty-server and slf4j-api already in its build) that adds
 * gateway-impl gets at most {@link #MAX_JARS} jars from it, gateway-impl and gateway-api included.
 * Features with heavy or narrow libraries declare them {@code <optional>}.
 *
 * <p>Reads {@code runtime-dependencies.txt}, which the build writes before the tests
 * ({@code dependency:list} at runtime scope, in {@code generate-test-resources}): Maven marks a
 * dependency reached only through optional ones {@code (optional)}, and a host never gets those.
 * Counting from Maven's own resolution keeps this offline and exact for gateway-impl's pom; a
 * host's {@code dependencyManagement} could only change versions, not the count.
 */
class HostDependencyCountTest {
  static final int MAX_JARS = 15;

  /** What a Jetty 12 core host has before it adds gateway-impl: jetty-server, what it depends on, and slf4j-api. */
  static final Set<String> HOST_ALREADY_HAS = Set.of(
      "org.eclipse.jetty:jetty-server", "org.eclipse.jetty:jetty-http", "org.eclipse.jetty:jetty-io",
      "org.eclipse.jetty:jetty-util", "org.slf4j:slf4j-api");

  /** {@code group:artifact:type[:classifier]:version:scope[:file]}, then the optional mark and module name. */
  private static final Pattern LINE = Pattern.compile(
      "^\\s*([^:\\s]+):([^:\\s]+):([^:\\s]+)(?::([^:\\s]+))?:([^:\\s]+):(compile|runtime)(?::(.+?))?"
      + "(\\s+\\(optional\\))?(\\s+--\\s+module\\s+.*)?$");

  record Jar(String artifact, String file, boolean optional) {
    long size() {
      try {
        Path path = Path.of(file);
        return Files.isRegularFile(path) ? Files.size(path) : -1;
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }

    String describe() {
      long size = size();
      return artifact + (size < 0 ? " (classes)" : " (" + (size + 1023) / 1024 + " KiB)");
    }
  }

  @Test
  void aJettyHostGetsAtMostFifteenJarsFromGatewayImpl() throws IOException, URISyntaxException {
    List<Jar> jars = runtimeJars();
    assertThat(jars).as("runtime dependencies read").extracting(Jar::artifact)
        .contains("dev.portico:gateway-api", "org.eclipse.jetty:jetty-client");
    List<String> hostGets = new ArrayList<>();
    hostGets.add("dev.portico:gateway-impl (this module)");
    for (Jar jar : jars) {
      if (!jar.optional() && !HOST_ALREADY_HAS.contains(jar.artifact())) {
        hostGets.add(jar.describe());
      }
    }
    assertThat(hostGets.size())
        .as("jars a Jetty host gets from gateway-impl (at most %d; make a feature's library <optional> and check"
            + " for it at build(), see 'Dependencies' in architecture.md):%n  %s",
            MAX_JARS, String.join("\n  ", hostGets))
        .isLessThanOrEqualTo(MAX_JARS);
  }

  @Test
  void theOptionalLibrariesStayOptional() throws IOException, URISyntaxException {
    List<String> optional = runtimeJars().stream().filter(Jar::optional).map(Jar::artifact).toList();
    assertThat(optional).contains("com.networknt:json-schema-validator", "io.github.resilience4j:resilience4j-circuitbreaker",
        "com.google.crypto.tink:tink", "io.lettuce:lettuce-core", "io.micrometer:micrometer-core",
        "io.opentelemetry:opentelemetry-api", "org.eclipse.jetty.websocket:jetty-websocket-core-server",
        "org.eclipse.jetty.http2:jetty-http2-client-transport", "org.eclipse.jetty:jetty-alpn-java-client");
    assertThat(runtimeJars()).extracting(Jar::artifact).doesNotContain(
        "org.eclipse.jetty.compression:jetty-compression-gzip", "org.eclipse.jetty.compression:jetty-compression-common");
  }

  static List<Jar> runtimeJars() throws IOException, URISyntaxException {
    Path testClasses = Path.of(HostDependencyCountTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path list = testClasses.getParent().resolve("runtime-dependencies.txt");
    assertThat(list).as("written by the build's dependency:list before the tests (run through Maven)").exists();
    List<Jar> jars = new ArrayList<>();
    for (String line : Files.readAllLines(list)) {
      Matcher m = LINE.matcher(line);
      if (m.matches()) {
        jars.add(new Jar(m.group(1) + ":" + m.group(2), m.group(7) == null ? "" : m.group(7).trim(), m.group(8) != null));
      }
    }
    return jars;
  }
}
