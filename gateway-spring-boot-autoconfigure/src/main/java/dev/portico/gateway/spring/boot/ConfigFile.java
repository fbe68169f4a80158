package dev.portico.gateway.spring.boot;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.config.ConfigException;
import dev.portico.gateway.config.GatewayConfig;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * The file {@code portico.config-file} names: a path ({@code config/gateway.yaml}, relative to the
 * working directory), a {@code file:} URL or a {@code classpath:} location. A file on disk (a
 * {@code classpath:} location too, when the class path is a directory) can be watched for changes;
 * one inside a jar is read once.
 */
record ConfigFile(String location, Optional<Path> path, Optional<Resource> resource) {

  /** Resolves {@code location} with the application's resource loader. */
  static ConfigFile resolve(String location, ResourceLoader loader) {
    if (!location.startsWith("classpath:") && !location.startsWith("file:")) {
      return new ConfigFile(location, Optional.of(Path.of(location)), Optional.empty());
    }
    Resource resource = loader.getResource(location);
    Path path = null;
    try {
      if (resource.isFile()) {
        path = resource.getFile().toPath();
      }
    } catch (IOException e) {
      // not on disk after all: read as a stream
    }
    return new ConfigFile(location, Optional.ofNullable(path), Optional.of(resource));
  }

  /**
   * Reads the gateway in the file.
   *
   * @throws InvalidGatewayConfigurationException with every problem's file, line and column
   */
  Gateway read(GatewayConfig config) {
    try {
      if (path.isPresent()) {
        return config.read(path.get());
      }
      Resource found = resource.orElseThrow();
      if (!found.exists()) {
        throw new ConfigException(List.of(new ConfigException.Problem(location, 0, 0, "", "no such file or resource")));
      }
      try (Reader reader = new InputStreamReader(found.getInputStream(), StandardCharsets.UTF_8)) {
        return config.read(reader, found.getFilename() == null ? location : found.getFilename());
      } catch (IOException e) {
        throw new ConfigException(List.of(new ConfigException.Problem(location, 0, 0, "", "cannot read it (" + e + ")")));
      }
    } catch (ConfigException e) {
      throw failure(e);
    }
  }

  /** The failure to report for {@code e}, a problem of this file. */
  InvalidGatewayConfigurationException failure(ConfigException e) {
    return new InvalidGatewayConfigurationException("portico.config-file (" + location + ")", "Key",
        e.problems().stream().map(p -> new InvalidGatewayConfigurationException.Entry(
            p.path().isEmpty() ? "(the whole file)" : p.path(),
            p.source() + (p.line() > 0 ? " - " + p.line() + ":" + p.column() : ""), p.message())).toList(),
        List.of("Correct the configuration file: its keys are listed in the configuration file reference."));
  }
}
