package dev.portico.gateway.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A secret named on the command line by where it is, never written there itself (a command line is
 * seen by {@code ps} and kept in shell histories): {@code env:NAME} or {@code file:PATH}, as the
 * configuration file's {@code ${env:NAME}} and {@code ${file:PATH}}.
 */
final class Secrets {
  private Secrets() {}

  /**
   * The secret {@code reference} names; a file's content without its trailing line break.
   *
   * @throws ServerTls.InvalidTls when the variable is unset or the file cannot be read
   */
  static char[] resolve(String option, String reference) {
    if (reference.startsWith("env:")) {
      String name = reference.substring(4);
      String value = System.getenv(name);
      if (value == null) {
        throw new ServerTls.InvalidTls(option + " " + reference + ": the environment variable " + name + " is not set");
      }
      return value.toCharArray();
    }
    Path file = Path.of(reference.substring(5));
    try {
      String value = Files.readString(file, StandardCharsets.UTF_8);
      return value.endsWith("\r\n") ? value.substring(0, value.length() - 2).toCharArray()
          : value.endsWith("\n") ? value.substring(0, value.length() - 1).toCharArray() : value.toCharArray();
    } catch (IOException e) {
      throw new ServerTls.InvalidTls(option + " " + reference + ": cannot read " + file + " (" + e + ")");
    }
  }

  /** Whether {@code reference} is {@code env:NAME} or {@code file:PATH}. */
  static boolean isReference(String reference) {
    return reference.startsWith("env:") && reference.length() > 4 || reference.startsWith("file:") && reference.length() > 5;
  }
}
