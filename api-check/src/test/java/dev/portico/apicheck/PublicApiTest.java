package dev.portico.apicheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The public API of every published module, dumped by {@link ApiSignatures} from the classes the
 * build just compiled, matches the dump committed under {@code api/}: a change to the public API
 * fails the build until the dump is updated in the same commit, so that every change is one a
 * reviewer sees. {@code -Dportico-build.api.accept=true} rewrites the dumps instead of comparing.
 */
class PublicApiTest {
  /** The command that rewrites the dumps; the failure message shows it. */
  static final String ACCEPT_COMMAND = "mvn -B -pl api-check -am test -Dtest=PublicApiTest"
      + " -Dsurefire.failIfNoSpecifiedTests=false -Dportico-build.api.accept=true";

  /** A published module, found on the class path by one of its public classes. */
  enum Module {
    GATEWAY_API("gateway-api", "dev.portico.gateway.Gateway"),
    GATEWAY_IMPL("gateway-impl", "dev.portico.gateway.jetty.JettyGatewayHandler"),
    GATEWAY_TEST("gateway-test", "dev.portico.gateway.test.GatewayServer"),
    GATEWAY_CONFIG("gateway-config", "dev.portico.gateway.config.GatewayConfig"),
    GATEWAY_OPENAPI("gateway-openapi", "dev.portico.gateway.openapi.OpenApiRoutes"),
    GATEWAY_SERVER("gateway-server", "dev.portico.gateway.server.PorticoServer"),
    GATEWAY_SPRING_BOOT_AUTOCONFIGURE("gateway-spring-boot-autoconfigure",
        "dev.portico.gateway.spring.boot.PorticoAutoConfiguration");

    final String artifactId;
    final String anchor;

    Module(String artifactId, String anchor) {
      this.artifactId = artifactId;
      this.anchor = anchor;
    }

    /** The module's jar, or its classes directory when the reactor stopped before package. */
    Path classes() throws ClassNotFoundException, URISyntaxException {
      Class<?> type = Class.forName(anchor, false, PublicApiTest.class.getClassLoader());
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    List<String> api() throws ClassNotFoundException, URISyntaxException {
      return ApiSignatures.of(classes(), PublicApiTest.class.getClassLoader(),
          packageName -> !ApiSignatures.isInternal(packageName));
    }

    Path dump() {
      return root().resolve("api").resolve(artifactId + ".api");
    }
  }

  @ParameterizedTest
  @EnumSource(Module.class)
  void publicApiMatchesTheCommittedDump(Module module) throws Exception {
    List<String> built = module.api();
    assertThat(built).as("the API of %s", module.artifactId).isNotEmpty();
    if (Boolean.getBoolean("portico-build.api.accept")) {
      write(module, built);
      return;
    }
    List<String> committed = read(module.dump());
    ApiDiff diff = ApiDiff.between(committed, built);
    if (!diff.isEmpty()) {
      Assertions.fail(failure(module.artifactId, module.dump(), diff));
    }
  }

  /** An internal type in a public signature would make the engine's internals API after all. */
  @ParameterizedTest
  @EnumSource(Module.class)
  void noPublicSignatureNamesAnInternalType(Module module) throws Exception {
    assertThat(ApiSignatures.internalLeaks(module.api()))
        .as("public API of %s naming a type of a dev.portico.gateway.internal* package"
            + " (not public API): hide the member, or make the type public API outside internal",
            module.artifactId)
        .isEmpty();
  }

  static String failure(String artifactId, Path dump, ApiDiff diff) {
    return "The public API of " + artifactId + " differs from the committed dump "
        + root().relativize(dump.toAbsolutePath().normalize()) + " (" + diff.removed().size() + " removed, "
        + diff.added().size() + " added):\n" + diff.render()
        + "If the change is intended, accept it by rewriting the dumps from the repository root,"
        + " and commit api/*.api with the change:\n  " + ACCEPT_COMMAND + "\n"
        + "(A removed or changed line breaks users' code: before 1.0 say so in CHANGELOG.md.)";
  }

  /** The dump's declaration lines, without its header comments. */
  static List<String> read(Path dump) throws IOException {
    if (!Files.exists(dump)) {
      return List.of();
    }
    return Files.readAllLines(dump, StandardCharsets.UTF_8).stream()
        .map(line -> line.endsWith("\r") ? line.substring(0, line.length() - 1) : line)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .toList();
  }

  private static void write(Module module, List<String> api) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("# The public API of " + module.artifactId + ", checked by api-check's PublicApiTest."
        + " Generated: do not edit.");
    lines.add("# To accept a change: " + ACCEPT_COMMAND);
    lines.addAll(api);
    Files.createDirectories(module.dump().getParent());
    Files.write(module.dump(), (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  static Path root() {
    return Path.of(System.getProperty("portico.root", "..")).toAbsolutePath().normalize();
  }
}
