package dev.portico.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host without the optional Redis jars (Lettuce, bucket4j's Lettuce module) reads every file that
 * does not use Redis: the reader's Lettuce code is in one class, loaded only for {@code store: redis}.
 * The same holds for gateway-openapi and {@code openapi:}.
 */
class OptionalDependenciesTest {

  @Test
  void aFileWithoutRedisIsReadWithoutLettuceOnTheClassPath(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("memory.yaml"), """
        limiters:
          perClient: {limit: 10, period: 1s, key: clientIp}
        routes:
          - {id: a, path: /a, upstream: "http://a.internal", rateLimiters: [perClient]}
        """);
    Files.writeString(dir.resolve("redis.yaml"), """
        limiters:
          shared: {store: redis, limit: 10, period: 1s, key: clientIp, redis: {uri: "redis://127.0.0.1:6399"}}
        routes:
          - {id: a, path: /a, upstream: "http://a.internal", rateLimiters: [shared]}
        """);
    try (URLClassLoader withoutLettuce = new URLClassLoader(classPathWithout("lettuce"), ClassLoader.getPlatformClassLoader())) {
      assertThat(withoutLettuce.getResource("io/lettuce/core/RedisClient.class")).isNull();

      Object gateway = load(withoutLettuce, dir.resolve("memory.yaml"));
      assertThat(gateway.toString()).isEqualTo("Gateway{routes=[a]}");

      // The same loader, given a file that does use Redis, shows what is missing.
      Throwable thrown = catchThrowable(() -> load(withoutLettuce, dir.resolve("redis.yaml")));
      assertThat(thrown).isInstanceOf(InvocationTargetException.class);
      assertThat(thrown.getCause()).isInstanceOf(NoClassDefFoundError.class).hasMessageContaining("lettuce");
    }
  }

  @Test
  void aFileThatImportsOpenApiWithoutGatewayOpenApiNamesTheArtifact(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("plain.yaml"), "routes:\n  - {id: a, path: /a, upstream: \"http://a.internal\"}\n");
    Files.writeString(dir.resolve("openapi.yaml"), "openapi: [{document: petstore.yaml, upstream: \"http://a.internal\"}]\n"
        + "routes: []\n");
    try (URLClassLoader withoutOpenApi = new URLClassLoader(classPathWithout("gateway-openapi"),
        ClassLoader.getPlatformClassLoader())) {
      assertThat(withoutOpenApi.getResource("dev/portico/gateway/openapi/OpenApiRoutes.class")).isNull();

      assertThat(load(withoutOpenApi, dir.resolve("plain.yaml")).toString()).isEqualTo("Gateway{routes=[a]}");

      Throwable thrown = catchThrowable(() -> load(withoutOpenApi, dir.resolve("openapi.yaml")));
      assertThat(thrown).isInstanceOf(InvocationTargetException.class);
      assertThat(thrown.getCause().getMessage()).contains("openapi[0]: importing an OpenAPI document needs"
          + " dev.portico:gateway-openapi on the class path");
    }
  }

  private static Object load(ClassLoader loader, Path file) throws Exception {
    Class<?> config = loader.loadClass("dev.portico.gateway.config.GatewayConfig");
    return config.getMethod("load", Path.class).invoke(null, file);
  }

  /** This test's class path (surefire's manifest-only jar unpacked), less the jars whose path contains {@code word}. */
  private static URL[] classPathWithout(String word) throws Exception {
    List<String> entries = new ArrayList<>(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
    if (entries.size() == 1 && entries.get(0).contains("surefirebooter")) {
      try (JarFile booter = new JarFile(entries.get(0))) {
        String manifest = booter.getManifest().getMainAttributes().getValue("Class-Path");
        entries = new ArrayList<>();
        for (String url : manifest.split(" ")) {
          entries.add(Path.of(new java.net.URI(url)).toString());
        }
      }
    }
    List<URL> urls = new ArrayList<>();
    for (String entry : entries) {
      if (!entry.contains(word)) {
        urls.add(Path.of(entry).toUri().toURL());
      }
    }
    return urls.toArray(URL[]::new);
  }
}
